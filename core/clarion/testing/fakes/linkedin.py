"""A fake LinkedIn: 3-legged OAuth, /v2/userinfo, the versioned Posts API and member post analytics.

In memory. Access tokens live 60 days; refresh tokens are issued only when
``issue_refresh_tokens`` is set (LinkedIn gives them to approved partners only). Rate limits
come back as a bare 429 without any header, as LinkedIn sends them.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode

from clarion.testing.fakes.server import FakeRequest, FakeResponse, FakeServer, collect_routes, route

TOKEN_TTL = 60 * 24 * 3600  # LinkedIn access tokens live 60 days
REFRESH_TTL = 365 * 24 * 3600
UNESCAPED_RESERVED = re.compile(r"(?<!\\)[|{}@\[\]()<>#*_~]")
METRICS = ("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT")


@dataclass
class Grant:
    sub: str
    scopes: tuple[str, ...]


def linkedin_error(status: int, message: str, code: int | None = None) -> FakeResponse:
    body: dict[str, Any] = {"message": message, "status": status}
    if code is not None:
        body["serviceErrorCode"] = code
    return FakeResponse(status, body)


def oauth_error(error: str, description: str, status: int = 400) -> FakeResponse:
    return FakeResponse(status, {"error": error, "error_description": description})


@collect_routes
class FakeLinkedIn(FakeServer):
    """The running fake; ``url`` is its base (use it for both ``api_base`` and ``auth_base``)."""

    def __init__(self) -> None:
        super().__init__()
        self.client_id = "li-client"
        self.client_secret = "li-secret"
        self.member_sub = "abc123"
        self.member_name = "Amir Example"
        self.issue_refresh_tokens = False  # only approved partners get refresh tokens
        self.codes: dict[str, tuple[str, tuple[str, ...]]] = {}  # code → (redirect_uri, scopes)
        self.access_tokens: dict[str, Grant] = {}
        self.refresh_tokens: dict[str, Grant] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.analytics: dict[str, dict[str, int]] = {}  # post URN → metric type → count

    # -- test helpers -------------------------------------------------------------------------

    def rate_limit_next(self, path: str, *, method: str | None = None) -> None:
        """The next call to ``path`` is throttled: 429, and (as on LinkedIn) no header says for how long."""
        message = "Resource level throttle limit for calls to this resource is reached."
        self.fail_next(path, 429, {"message": message, "status": 429}, method=method)

    def unavailable_next(self, path: str, status: int = 503, *, method: str | None = None) -> None:
        """The next call to ``path`` answers a server error without doing anything."""
        self.fail_next(path, status, {"message": "Service Unavailable", "status": status}, method=method)

    def expire_tokens(self) -> None:
        """Every access token stops working (the 60 days passed or the member revoked the app)."""
        with self.lock:
            self.access_tokens.clear()

    def issue_token(self, scopes: tuple[str, ...] = ("openid", "profile", "w_member_social")) -> str:
        token = "li-at-" + secrets.token_hex(8)
        with self.lock:
            self.access_tokens[token] = Grant(self.member_sub, scopes)
        return token

    def _grant(self, request: FakeRequest) -> Grant | None:
        with self.lock:
            return self.access_tokens.get(request.bearer or "")

    # -- OAuth --------------------------------------------------------------------------------

    @route("GET", "/oauth/v2/authorization")
    def authorize(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        if request.arg("client_id") != self.client_id or request.arg("response_type") != "code":
            return oauth_error("invalid_request", "unknown client or response type")
        redirect_uri = request.arg("redirect_uri") or ""
        code = secrets.token_urlsafe(12)
        with self.lock:
            self.codes[code] = (redirect_uri, tuple((request.arg("scope") or "").split()))
        target = redirect_uri + "?" + urlencode({"code": code, "state": request.arg("state") or ""})
        return FakeResponse(302, None, {"Location": target})

    @route("POST", "/oauth/v2/accessToken")
    def access_token(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        form = request.form
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return oauth_error("invalid_client", "Client authentication failed", 401)
        refresh: str | None = None
        with self.lock:
            if form.get("grant_type") == "authorization_code":
                issued = self.codes.pop(form.get("code", ""), None)
                if issued is None or issued[0] != form.get("redirect_uri"):
                    return oauth_error("invalid_grant", "The authorization code is invalid or expired")
                grant = Grant(self.member_sub, issued[1])
                if self.issue_refresh_tokens:
                    refresh = "li-rt-" + secrets.token_hex(8)
                    self.refresh_tokens[refresh] = grant
            elif form.get("grant_type") == "refresh_token":
                refresh = form.get("refresh_token", "")
                found = self.refresh_tokens.get(refresh)
                if found is None:
                    return oauth_error("invalid_grant", "The provided refresh token is invalid")
                grant = found  # LinkedIn does not rotate refresh tokens
            else:
                return oauth_error("unsupported_grant_type", "unsupported grant type")
            token = "li-at-" + secrets.token_hex(8)
            self.access_tokens[token] = grant
        body: dict[str, Any] = {"access_token": token, "expires_in": TOKEN_TTL, "scope": ",".join(grant.scopes)}
        if refresh:
            body |= {"refresh_token": refresh, "refresh_token_expires_in": REFRESH_TTL}
        return FakeResponse(200, body)

    # -- REST API -----------------------------------------------------------------------------

    @route("GET", "/v2/userinfo")
    def userinfo(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        grant = self._grant(request)
        if grant is None:
            return linkedin_error(401, "Invalid access token", 65600)
        return FakeResponse(200, {"sub": grant.sub, "name": self.member_name, "picture": "https://media.example/p.jpg"})

    @route("POST", "/rest/posts")
    def create_post(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        grant = self._grant(request)
        if grant is None:
            return linkedin_error(401, "Invalid access token", 65600)
        if not request.headers.get("linkedin-version") or request.headers.get("x-restli-protocol-version") != "2.0.0":
            return linkedin_error(
                400, "A version must be present. Please specify a version by adding the LinkedIn-Version header"
            )
        if "w_member_social" not in grant.scopes:
            return linkedin_error(
                403, "ACCESS_DENIED: Not enough permissions to access: partnerApiPostsExternal.CREATE", 100
            )
        post = request.json
        if post.get("author") != f"urn:li:person:{grant.sub}":
            return linkedin_error(403, "ACCESS_DENIED: author does not match the member", 100)
        commentary = post.get("commentary", "")
        if len(commentary) > 3000:
            return linkedin_error(422, "/commentary: FIELD_LENGTH_TOO_LONG")
        if UNESCAPED_RESERVED.search(commentary):
            return linkedin_error(422, "/commentary: reserved character not escaped")
        if post.get("lifecycleState") != "PUBLISHED" or post.get("visibility") != "PUBLIC":
            return linkedin_error(422, "/lifecycleState: only PUBLISHED posts can be created")
        with self.lock:
            urn = f"urn:li:share:{7000 + len(self.posts)}"
            self.posts[urn] = post
        # Success is 201 with an empty body: the new post's URN comes only in this header.
        return FakeResponse(201, None, {"x-restli-id": urn})

    @route("GET", "/rest/memberCreatorPostAnalytics")
    def post_analytics(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        grant = self._grant(request)
        if grant is None:
            return linkedin_error(401, "Invalid access token", 65600)
        if not request.headers.get("linkedin-version"):
            return linkedin_error(400, "A version must be present.")
        if "r_member_postAnalytics" not in grant.scopes:
            return linkedin_error(
                403, "ACCESS_DENIED: Not enough permissions to access: memberCreatorPostAnalytics", 100
            )
        # The entity must be a typed URN with the URN itself encoded; a bare URN is refused.
        query = request.query_string
        typed = re.search(r"(?:^|&)entity=\((share|ugc):(urn%3Ali%3A(?:share|ugcPost)%3A[^)&]+)\)", query)
        params = {name: values[0] for name, values in parse_qs(query).items()}
        if typed is None or params.get("q") != "entity" or params.get("aggregation") != "TOTAL":
            return linkedin_error(400, "Invalid query parameters passed to request")
        urn = unquote(typed[2])
        metric = params.get("queryType", "")
        if metric not in METRICS:
            return linkedin_error(400, f"Invalid queryType {metric}")
        with self.lock:
            count = self.analytics.get(urn, {}).get(metric, 0)
        element = {"count": count, "metricType": metric, "targetEntity": {typed[1]: urn}}
        return FakeResponse(200, {"elements": [element], "paging": {"start": 0, "count": 10, "links": []}})
