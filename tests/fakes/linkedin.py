"""A fake LinkedIn on 127.0.0.1: 3-legged OAuth, /v2/userinfo and the versioned Posts API.

It keeps its state in memory and can be told to fail the next matching request the ways the
real network does: 429 without any header, 5xx, hanging, or creating the post and then dropping
the connection before answering.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from fakes.server import ThreadedFake

TOKEN_TTL = 60 * 24 * 3600  # LinkedIn access tokens live 60 days
REFRESH_TTL = 365 * 24 * 3600
UNESCAPED_RESERVED = re.compile(r"(?<!\\)[|{}@\[\]()<>#*_~]")


@dataclass
class Failure:
    method: str
    path: str
    mode: str  # "429", "500", "503", "hang", "store_then_drop"


@dataclass
class Grant:
    sub: str
    scopes: tuple[str, ...]


@dataclass
class FakeLinkedInState:
    client_id: str = "li-client"
    client_secret: str = "li-secret"
    member_sub: str = "abc123"
    member_name: str = "Amir Example"
    issue_refresh_tokens: bool = False  # only approved partners get refresh tokens
    codes: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # code -> (redirect_uri, scopes)
    access_tokens: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    posts: dict[str, dict] = field(default_factory=dict)
    analytics: dict[str, dict[str, int]] = field(default_factory=dict)  # post URN -> metric type -> count
    requests: list[tuple[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)


class FakeLinkedIn(ThreadedFake):
    """The running fake; ``url`` is its base (use it for both ``api_base`` and ``auth_base``)."""

    def __init__(self) -> None:
        self.state = FakeLinkedInState()
        self._serve(_handler_for(self))

    def fail_next(self, method: str, path: str, mode: str) -> None:
        """Fail the next ``method`` request to ``path`` (a prefix) in the given mode."""
        self.state.failures.append(Failure(method, path, mode))

    def expire_tokens(self) -> None:
        """Every access token stops working (the 60 days passed or the member revoked the app)."""
        self.state.access_tokens.clear()

    def issue_token(self, scopes: tuple[str, ...] = ("openid", "profile", "w_member_social")) -> str:
        token = "li-at-" + secrets.token_hex(8)
        self.state.access_tokens[token] = Grant(self.state.member_sub, scopes)
        return token


def _handler_for(fake: FakeLinkedIn) -> type[BaseHTTPRequestHandler]:
    state = fake.state

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        # -- plumbing ---------------------------------------------------------------------

        def _reply(self, status: int, body: object = None, headers: dict[str, str] | None = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _error(self, status: int, message: str, code: int | None = None) -> None:
            body: dict[str, object] = {"message": message, "status": status}
            if code is not None:
                body["serviceErrorCode"] = code
            self._reply(status, body)

        def _oauth_error(self, error: str, description: str, status: int = 400) -> None:
            self._reply(status, {"error": error, "error_description": description})

        def _body(self) -> bytes:
            return self.raw_body

        def _form(self) -> dict[str, str]:
            return {key: values[0] for key, values in parse_qs(self._body().decode()).items()}

        def _grant(self) -> Grant | None:
            auth = self.headers.get("Authorization", "")
            return state.access_tokens.get(auth.removeprefix("Bearer ")) if auth.startswith("Bearer ") else None

        def _failure(self, method: str, path: str) -> str | None:
            with fake.lock:
                for failure in state.failures:
                    if failure.method == method and path.startswith(failure.path):
                        state.failures.remove(failure)
                        return failure.mode
            return None

        def _drop(self) -> None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

        def _dispatch(self, method: str) -> None:
            parts = urlsplit(self.path)
            state.requests.append((method, parts.path))
            # Read the body first, even when failing: a keep-alive connection must not see it later.
            self.raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            mode = self._failure(method, parts.path)
            if mode == "hang":
                self._body()
                fake.release.wait(10)
                self._drop()
                return
            if mode == "429":
                self._error(429, "Resource level throttle limit for calls to this resource is reached.")
                return
            if mode in ("500", "502", "503"):
                self._error(int(mode), "Service Unavailable")
                return
            routes = {
                ("GET", "/oauth/v2/authorization"): self.authorize,
                ("POST", "/oauth/v2/accessToken"): self.access_token,
                ("GET", "/v2/userinfo"): self.userinfo,
                ("POST", "/rest/posts"): self.create_post,
                ("GET", "/rest/memberCreatorPostAnalytics"): self.post_analytics,
            }
            route = routes.get((method, parts.path))
            if route is None:
                self._error(404, f"No route {method} {parts.path}")
                return
            route(parts.query, mode)

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        # -- endpoints --------------------------------------------------------------------

        def authorize(self, query: str, mode: str | None) -> None:
            params = {key: values[0] for key, values in parse_qs(query).items()}
            if params.get("client_id") != state.client_id or params.get("response_type") != "code":
                self._oauth_error("invalid_request", "unknown client or response type")
                return
            code = secrets.token_urlsafe(12)
            state.codes[code] = (params["redirect_uri"], tuple(params.get("scope", "").split()))
            target = params["redirect_uri"] + "?" + urlencode({"code": code, "state": params.get("state", "")})
            self._reply(302, headers={"Location": target})

        def access_token(self, query: str, mode: str | None) -> None:
            form = self._form()
            if form.get("client_id") != state.client_id or form.get("client_secret") != state.client_secret:
                self._oauth_error("invalid_client", "Client authentication failed", 401)
                return
            if form.get("grant_type") == "authorization_code":
                issued = state.codes.pop(form.get("code", ""), None)
                if issued is None or issued[0] != form.get("redirect_uri"):
                    self._oauth_error("invalid_grant", "The authorization code is invalid or expired")
                    return
                grant = Grant(state.member_sub, issued[1])
                refresh = None
                if state.issue_refresh_tokens:
                    refresh = "li-rt-" + secrets.token_hex(8)
                    state.refresh_tokens[refresh] = grant
            elif form.get("grant_type") == "refresh_token":
                refresh = form.get("refresh_token", "")
                found = state.refresh_tokens.get(refresh)
                if found is None:
                    self._oauth_error("invalid_grant", "The provided refresh token is invalid")
                    return
                grant = found
            else:
                self._oauth_error("unsupported_grant_type", "unsupported grant type")
                return
            token = "li-at-" + secrets.token_hex(8)
            state.access_tokens[token] = grant
            body: dict[str, object] = {"access_token": token, "expires_in": TOKEN_TTL, "scope": ",".join(grant.scopes)}
            if refresh:
                body |= {"refresh_token": refresh, "refresh_token_expires_in": REFRESH_TTL}
            self._reply(200, body)

        def userinfo(self, query: str, mode: str | None) -> None:
            grant = self._grant()
            if grant is None:
                self._error(401, "Invalid access token", 65600)
                return
            self._reply(200, {"sub": grant.sub, "name": state.member_name, "picture": "https://media.example/p.jpg"})

        def create_post(self, query: str, mode: str | None) -> None:
            raw = self._body()
            grant = self._grant()
            if grant is None:
                self._error(401, "Invalid access token", 65600)
                return
            if not self.headers.get("LinkedIn-Version") or self.headers.get("X-Restli-Protocol-Version") != "2.0.0":
                self._error(
                    400, "A version must be present. Please specify a version by adding the LinkedIn-Version header"
                )
                return
            if "w_member_social" not in grant.scopes:
                self._error(403, "ACCESS_DENIED: Not enough permissions to access: partnerApiPostsExternal.CREATE", 100)
                return
            post = json.loads(raw)
            if post.get("author") != f"urn:li:person:{grant.sub}":
                self._error(403, "ACCESS_DENIED: author does not match the member", 100)
                return
            commentary = post.get("commentary", "")
            if len(commentary) > 3000:
                self._error(422, "/commentary: FIELD_LENGTH_TOO_LONG")
                return
            if UNESCAPED_RESERVED.search(commentary):
                self._error(422, "/commentary: reserved character not escaped")
                return
            if post.get("lifecycleState") != "PUBLISHED" or post.get("visibility") != "PUBLIC":
                self._error(422, "/lifecycleState: only PUBLISHED posts can be created")
                return
            urn = f"urn:li:share:{7000 + len(state.posts)}"
            state.posts[urn] = post
            if mode == "store_then_drop":
                self._drop()
                return
            self._reply(201, headers={"x-restli-id": urn})

        def post_analytics(self, query: str, mode: str | None) -> None:
            grant = self._grant()
            if grant is None:
                self._error(401, "Invalid access token", 65600)
                return
            if not self.headers.get("LinkedIn-Version"):
                self._error(400, "A version must be present.")
                return
            if "r_member_postAnalytics" not in grant.scopes:
                self._error(403, "ACCESS_DENIED: Not enough permissions to access: memberCreatorPostAnalytics", 100)
                return
            # The entity must be a typed URN with the URN itself encoded; a bare URN is refused.
            typed = re.search(r"(?:^|&)entity=\((share|ugc):(urn%3Ali%3A(?:share|ugcPost)%3A[^)&]+)\)", query)
            params = {key: values[0] for key, values in parse_qs(query).items()}
            if typed is None or params.get("q") != "entity" or params.get("aggregation") != "TOTAL":
                self._error(400, "Invalid query parameters passed to request")
                return
            urn = unquote(typed[2])
            metric = params.get("queryType", "")
            if metric not in ("IMPRESSION", "MEMBERS_REACHED", "RESHARE", "REACTION", "COMMENT"):
                self._error(400, f"Invalid queryType {metric}")
                return
            count = state.analytics.get(urn, {}).get(metric, 0)
            element = {"count": count, "metricType": metric, "targetEntity": {typed[1]: urn}}
            self._reply(200, {"elements": [element], "paging": {"start": 0, "count": 10, "links": []}})

    return Handler


def running() -> Iterator[FakeLinkedIn]:
    """Start a fake, hand it over, stop it (the body of a pytest fixture)."""
    fake = FakeLinkedIn().start()
    try:
        yield fake
    finally:
        fake.stop()
