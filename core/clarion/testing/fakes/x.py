"""A fake X API v2: OAuth 2.0 with PKCE, rotating refresh tokens, posts, timelines and public metrics.

In memory. Refresh tokens are single-use: replaying a rotated one revokes the whole token
family, as X does. Every answer carries ``x-rate-limit-*`` headers (the reset as epoch seconds);
errors are problem-details JSON.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from clarion.clock import utcnow
from clarion.testing.fakes.server import FakeRequest, FakeResponse, FakeServer, collect_routes, route
from clarion_plugins.connectors.x import weighted_length

TOKEN_TTL = 2 * 3600  # X access tokens live two hours
URL = re.compile(r"https?://\S+")
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


@dataclass
class Family:
    """One consent: its access tokens and refresh tokens, current and spent."""

    user_id: str
    scopes: tuple[str, ...]
    access_tokens: set[str] = field(default_factory=set)
    refresh_token: str | None = None
    spent: set[str] = field(default_factory=set)
    revoked: bool = False


def problem(status: int, title: str, detail: str, kind: str, headers: dict[str, str] | None = None) -> FakeResponse:
    body = {"title": title, "detail": detail, "type": f"https://api.x.com/2/problems/{kind}", "status": status}
    return FakeResponse(status, body, headers or {})


def oauth_error(error: str, description: str, status: int = 400) -> FakeResponse:
    return FakeResponse(status, {"error": error, "error_description": description})


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


UNAUTHORIZED = problem(401, "Unauthorized", "Unauthorized", "about:blank")


@collect_routes
class FakeX(FakeServer):
    """The running fake; ``url`` is its base for ``api_base``, ``authorize_url`` and ``token_url``."""

    def __init__(self) -> None:
        super().__init__()
        self.client_id = "x-client"
        self.client_secret = ""  # empty: a public client (PKCE only)
        self.user_id = "2244994945"
        self.username = "amir_example"
        self.followers = 1234
        self.rate_limit_reset = 0  # epoch seconds sent in x-rate-limit-reset; 0: 15 minutes from now
        self.app_limit_remaining: int | None = None  # sent as x-app-limit-24hour-* (reset in 24 h) when set
        self.codes: dict[str, dict[str, str]] = {}
        self.families: list[Family] = []
        self.tweets: dict[str, dict[str, Any]] = {}
        self._next_id = 1800000000000000000

    # -- test helpers -------------------------------------------------------------------------

    def response_headers(self) -> dict[str, str]:
        reset = self.rate_limit_reset or int(utcnow().timestamp()) + 900
        limits = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "99", "x-rate-limit-reset": str(reset)}
        if self.app_limit_remaining is not None:
            limits["x-app-limit-24hour-limit"] = "10000"
            limits["x-app-limit-24hour-remaining"] = str(self.app_limit_remaining)
            limits["x-app-limit-24hour-reset"] = str(int(utcnow().timestamp()) + 86400)
        return limits

    def rate_limit_next(self, path: str, *, method: str | None = None) -> None:
        """The next call to ``path`` is refused with 429; ``x-rate-limit-reset`` says until when."""
        response = problem(429, "Too Many Requests", "Too Many Requests", "rate-limit", {"x-rate-limit-remaining": "0"})
        self.fail_next(path, response.status, response.body, headers=response.headers, method=method)

    def unavailable_next(self, path: str, status: int = 503, *, method: str | None = None) -> None:
        """The next call to ``path`` answers a server error without doing anything."""
        response = problem(status, "Service Unavailable", "Service Unavailable", "service-unavailable")
        self.fail_next(path, status, response.body, method=method)

    def forbid_next(self, path: str, *, method: str | None = None) -> None:
        """The next call to ``path`` is refused with a 403 that is not about duplicate content."""
        detail = "You are not permitted to perform this action."
        response = problem(403, "Forbidden", detail, "not-authorized-for-resource")
        self.fail_next(path, 403, response.body, method=method)

    def expire_access_tokens(self) -> None:
        """Two hours passed: every access token stops working (refresh tokens still do)."""
        with self.lock:
            for family in self.families:
                family.access_tokens.clear()

    def add_tweet(self, text: str, *, user_id: str | None = None, **metrics: int) -> str:
        """A post that exists on X, with public metrics the test can set."""
        with self.lock:
            tweet_id = str(self._next_id)
            self._next_id += 1
            self.tweets[tweet_id] = {
                "id": tweet_id,
                "text": text,
                "author_id": user_id or self.user_id,
                "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "public_metrics": {
                    "retweet_count": 0,
                    "reply_count": 0,
                    "like_count": 0,
                    "quote_count": 0,
                    "bookmark_count": 0,
                    "impression_count": 0,
                }
                | metrics,
            }
        return tweet_id

    def metrics_calls(self) -> list[str]:
        """The query strings of every post lookup (``GET /2/tweets``), oldest first."""
        with self.lock:
            return [r.query_string for r in self.requests if r.method == "GET" and r.path == "/2/tweets"]

    # -- helpers ------------------------------------------------------------------------------

    def _family(self, request: FakeRequest) -> Family | None:
        token = request.bearer or ""
        with self.lock:
            return next((f for f in self.families if token in f.access_tokens and not f.revoked), None)

    def _client_ok(self, request: FakeRequest) -> bool:
        if self.client_secret:
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            return request.headers.get("authorization", "") == f"Basic {expected}"
        return request.form.get("client_id") == self.client_id

    @staticmethod
    def _public(tweet: dict[str, Any], fields: str) -> dict[str, Any]:
        shown = {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": [tweet["id"]]}
        if "public_metrics" in fields:
            shown["public_metrics"] = tweet["public_metrics"]
        if "created_at" in fields:
            shown["created_at"] = tweet["created_at"]
        if "entities" in fields:
            urls = [
                {"url": "https://t.co/" + secrets.token_hex(5), "expanded_url": url, "display_url": url}
                for url in URL.findall(tweet["text"])
            ]
            if urls:
                shown["entities"] = {"urls": urls}
        return shown

    # -- OAuth --------------------------------------------------------------------------------

    @route("GET", "/i/oauth2/authorize")
    def authorize(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        if request.arg("client_id") != self.client_id or request.arg("response_type") != "code":
            return oauth_error("invalid_request", "unknown client or response type")
        if request.arg("code_challenge_method") != "S256" or not request.arg("code_challenge"):
            return oauth_error("invalid_request", "PKCE with S256 is required")
        redirect_uri = request.arg("redirect_uri") or ""
        code = secrets.token_urlsafe(12)
        with self.lock:
            self.codes[code] = {
                "redirect_uri": redirect_uri,
                "challenge": request.arg("code_challenge") or "",
                "scope": request.arg("scope") or "",
            }
        target = redirect_uri + "?" + urlencode({"state": request.arg("state") or "", "code": code})
        return FakeResponse(302, None, {"Location": target})

    @route("POST", "/2/oauth2/token")
    def token(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        form = request.form
        if not self._client_ok(request):
            return oauth_error("unauthorized_client", "Missing valid authorization header", 401)
        grant = form.get("grant_type")
        with self.lock:
            if grant == "authorization_code":
                issued = self.codes.pop(form.get("code", ""), None)
                if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
                    return oauth_error("invalid_request", "Value passed for the authorization code was invalid.")
                if _challenge(form.get("code_verifier", "")) != issued["challenge"]:
                    return oauth_error("invalid_request", "Value passed for the code verifier did not match.")
                family = Family(self.user_id, tuple(issued["scope"].split()))
                self.families.append(family)
            elif grant == "refresh_token":
                presented = form.get("refresh_token", "")
                found = next((f for f in self.families if presented in f.spent | {f.refresh_token}), None)
                if found is None or found.revoked:
                    return oauth_error("invalid_request", "Value passed for the token was invalid.")
                if presented in found.spent:
                    # Replaying a rotated refresh token kills the whole family: reconnect.
                    found.revoked = True
                    return oauth_error("invalid_request", "Value passed for the token was invalid.")
                found.spent.add(presented)
                family = found
            else:
                return oauth_error("unsupported_grant_type", "Unsupported grant type")
            access = "x-at-" + secrets.token_hex(8)
            family.access_tokens.add(access)
            body: dict[str, Any] = {
                "token_type": "bearer",
                "access_token": access,
                "expires_in": TOKEN_TTL,
                "scope": " ".join(family.scopes),
            }
            if "offline.access" in family.scopes:
                family.refresh_token = "x-rt-" + secrets.token_hex(8)
                body["refresh_token"] = family.refresh_token
        return FakeResponse(200, body)

    @route("POST", "/2/oauth2/revoke")
    def revoke(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        if not self._client_ok(request):
            return oauth_error("unauthorized_client", "Missing valid authorization header", 401)
        token = request.form.get("token", "")
        with self.lock:
            for family in self.families:
                if token == family.refresh_token or token in family.access_tokens:
                    family.revoked = True
        return FakeResponse(200, {"revoked": True})

    # -- REST API -----------------------------------------------------------------------------

    @route("GET", "/2/users/me")
    def me(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        family = self._family(request)
        if family is None:
            return UNAUTHORIZED
        user: dict[str, Any] = {"id": family.user_id, "name": "Amir", "username": self.username}
        if "public_metrics" in (request.arg("user.fields") or ""):
            user["public_metrics"] = {"followers_count": self.followers, "following_count": 10}
        return FakeResponse(200, {"data": user})

    @route("POST", "/2/tweets")
    def create_tweet(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        family = self._family(request)
        if family is None:
            return UNAUTHORIZED
        if "tweet.write" not in family.scopes:
            return problem(403, "Forbidden", "You are not permitted to perform this action.", "not-authorized")
        text = request.json.get("text", "")
        if weighted_length(text) > 280:
            return problem(400, "Invalid Request", "text: Your Tweet text is too long.", "invalid-request")
        with self.lock:
            if any(t["text"] == text and t["author_id"] == family.user_id for t in self.tweets.values()):
                return problem(403, "Forbidden", DUPLICATE, "about:blank")
            tweet_id = self.add_tweet(text, user_id=family.user_id)
        return FakeResponse(201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}})

    @route("GET", "/2/tweets")
    def lookup(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        if self._family(request) is None:
            return UNAUTHORIZED
        ids = [tweet_id for tweet_id in (request.arg("ids") or "").split(",") if tweet_id]
        if not ids or len(ids) > 100:
            return problem(400, "Invalid Request", "ids: size must be between 1 and 100", "invalid-request")
        fields = request.arg("tweet.fields") or ""
        with self.lock:
            found = [self._public(self.tweets[i], fields) for i in ids if i in self.tweets]
            missing = [
                {"value": i, "detail": f"Could not find tweet with ids: [{i}].", "title": "Not Found Error"}
                for i in ids
                if i not in self.tweets
            ]
        body: dict[str, Any] = {"data": found} if found else {}
        if missing:
            body["errors"] = missing
        return FakeResponse(200, body)

    @route("GET", r"/2/users/(?P<id>\w+)/tweets")
    def timeline(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if self._family(request) is None:
            return UNAUTHORIZED
        with self.lock:
            mine = [t for t in self.tweets.values() if t["author_id"] == match["id"]]
        newest = sorted(mine, key=lambda t: int(t["id"]), reverse=True)[: int(request.arg("max_results") or 10)]
        fields = request.arg("tweet.fields") or ""
        body: dict[str, Any] = {"meta": {"result_count": len(newest)}}
        if newest:
            body["data"] = [self._public(t, fields) for t in newest]
        return FakeResponse(200, body)

    @route("DELETE", r"/2/tweets/(?P<id>\w+)")
    def delete(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        family = self._family(request)
        if family is None:
            return UNAUTHORIZED
        tweet_id = match["id"]
        with self.lock:
            tweet = self.tweets.get(tweet_id)
            if tweet is None:
                detail = f"Could not find tweet with id: [{tweet_id}]."
                return problem(404, "Not Found Error", detail, "resource-not-found")
            if tweet["author_id"] != family.user_id:
                return problem(403, "Forbidden", "You are not allowed to delete this Tweet.", "not-authorized")
            del self.tweets[tweet_id]
        return FakeResponse(200, {"data": {"deleted": True}})
