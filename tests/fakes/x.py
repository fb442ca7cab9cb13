"""A fake X API v2 on 127.0.0.1: OAuth 2.0 with PKCE, rotating refresh tokens, posts and metrics.

State lives in memory. Refresh tokens are single-use: replaying a rotated one revokes the whole
token family, as X does. Every response carries ``x-rate-limit-*`` headers; the next matching
request can be told to fail with 429, 5xx, a hang, or by storing the post and dropping the
connection before answering.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

from clarion_plugins.connectors.x import weighted_length
from fakes.server import ThreadedFake

TOKEN_TTL = 2 * 3600  # X access tokens live two hours
URL = re.compile(r"https?://\S+")
DUPLICATE = "You are not allowed to create a Tweet with duplicate content."


@dataclass
class Failure:
    method: str
    path: str
    mode: str  # "429", "500", "503", "hang", "store_then_drop", "403"


@dataclass
class Family:
    """One consent: its access tokens and refresh tokens, current and spent."""

    user_id: str
    scopes: tuple[str, ...]
    access_tokens: set[str] = field(default_factory=set)
    refresh_token: str | None = None
    spent: set[str] = field(default_factory=set)
    revoked: bool = False


@dataclass
class FakeXState:
    client_id: str = "x-client"
    client_secret: str = ""  # empty: a public client (PKCE only)
    user_id: str = "2244994945"
    username: str = "amir_example"
    followers: int = 1234
    rate_limit_reset: int = 0  # epoch seconds sent in x-rate-limit-reset; 0: 15 minutes from now
    app_limit_remaining: int | None = None  # sent as x-app-limit-24hour-* (reset in 24 h) when set
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    families: list[Family] = field(default_factory=list)
    tweets: dict[str, dict] = field(default_factory=dict)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # method, path, query
    failures: list[Failure] = field(default_factory=list)
    next_id: int = 1800000000000000000


class FakeX(ThreadedFake):
    """The running fake; ``url`` is its base for ``api_base``, ``authorize_url`` and ``token_url``."""

    def __init__(self) -> None:
        self.state = FakeXState()
        self._serve(_handler_for(self))

    def fail_next(self, method: str, path: str, mode: str) -> None:
        """Fail the next ``method`` request whose path starts with ``path`` in the given mode."""
        self.state.failures.append(Failure(method, path, mode))

    def expire_access_tokens(self) -> None:
        """Two hours passed: every access token stops working (refresh tokens still do)."""
        for family in self.state.families:
            family.access_tokens.clear()

    def add_tweet(self, text: str, *, user_id: str | None = None, **metrics: int) -> str:
        """A post that exists on X, with public metrics the test can set."""
        tweet_id = str(self.state.next_id)
        self.state.next_id += 1
        self.state.tweets[tweet_id] = {
            "id": tweet_id,
            "text": text,
            "author_id": user_id or self.state.user_id,
            "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
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
        return [query for method, path, query in self.state.requests if method == "GET" and path == "/2/tweets"]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _handler_for(fake: FakeX) -> type[BaseHTTPRequestHandler]:
    state = fake.state

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        # -- plumbing ---------------------------------------------------------------------

        def _reply(self, status: int, body: object = None, headers: dict[str, str] | None = None) -> None:
            payload = b"" if body is None else json.dumps(body).encode()
            reset = state.rate_limit_reset or int(time.time()) + 900
            self.send_response(status)
            limits = {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "99", "x-rate-limit-reset": str(reset)}
            if state.app_limit_remaining is not None:
                limits["x-app-limit-24hour-limit"] = "10000"
                limits["x-app-limit-24hour-remaining"] = str(state.app_limit_remaining)
                limits["x-app-limit-24hour-reset"] = str(int(time.time()) + 86400)
            for name, value in (limits | (headers or {})).items():
                self.send_header(name, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _problem(self, status: int, title: str, detail: str, kind: str, headers: dict | None = None) -> None:
            body = {"title": title, "detail": detail, "type": f"https://api.x.com/2/problems/{kind}", "status": status}
            self._reply(status, body, headers)

        def _oauth_error(self, error: str, description: str, status: int = 400) -> None:
            self._reply(status, {"error": error, "error_description": description})

        def _body(self) -> bytes:
            return self.raw_body

        def _form(self) -> dict[str, str]:
            return {key: values[0] for key, values in parse_qs(self._body().decode()).items()}

        def _family(self) -> Family | None:
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ")
            for family in state.families:
                if token in family.access_tokens and not family.revoked:
                    return family
            return None

        def _client_ok(self, form: dict[str, str]) -> bool:
            auth = self.headers.get("Authorization", "")
            if state.client_secret:
                expected = base64.b64encode(f"{state.client_id}:{state.client_secret}".encode()).decode()
                return auth == f"Basic {expected}"
            return form.get("client_id") == state.client_id

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
            state.requests.append((method, parts.path, parts.query))
            # Read the body first, even when failing: a keep-alive connection must not see it later.
            self.raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            mode = self._failure(method, parts.path)
            if mode == "hang":
                self._body()
                fake.release.wait(10)
                self._drop()
                return
            if mode == "429":
                self._problem(
                    429, "Too Many Requests", "Too Many Requests", "rate-limit", {"x-rate-limit-remaining": "0"}
                )
                return
            if mode in ("500", "502", "503"):
                self._problem(int(mode), "Service Unavailable", "Service Unavailable", "service-unavailable")
                return
            if mode == "403":
                self._problem(
                    403, "Forbidden", "You are not permitted to perform this action.", "not-authorized-for-resource"
                )
                return
            path = parts.path
            query = {key: values[0] for key, values in parse_qs(parts.query).items()}
            if method == "GET" and path == "/i/oauth2/authorize":
                self.authorize(query)
            elif method == "POST" and path == "/2/oauth2/token":
                self.token()
            elif method == "POST" and path == "/2/oauth2/revoke":
                self.revoke()
            elif method == "GET" and path == "/2/users/me":
                self.me(query)
            elif method == "POST" and path == "/2/tweets":
                self.create_tweet(mode)
            elif method == "GET" and path == "/2/tweets":
                self.lookup(query)
            elif method == "DELETE" and path.startswith("/2/tweets/"):
                self.delete(path.removeprefix("/2/tweets/"))
            elif method == "GET" and re.fullmatch(r"/2/users/\w+/tweets", path):
                self.timeline(path.split("/")[3], query)
            else:
                self._problem(404, "Not Found Error", f"No route {method} {path}", "resource-not-found")

        def do_GET(self) -> None:
            self._dispatch("GET")

        def do_POST(self) -> None:
            self._dispatch("POST")

        def do_DELETE(self) -> None:
            self._dispatch("DELETE")

        # -- endpoints --------------------------------------------------------------------

        def authorize(self, query: dict[str, str]) -> None:
            if query.get("client_id") != state.client_id or query.get("response_type") != "code":
                self._oauth_error("invalid_request", "unknown client or response type")
                return
            if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
                self._oauth_error("invalid_request", "PKCE with S256 is required")
                return
            code = secrets.token_urlsafe(12)
            state.codes[code] = {
                "redirect_uri": query["redirect_uri"],
                "challenge": query["code_challenge"],
                "scope": query.get("scope", ""),
            }
            target = query["redirect_uri"] + "?" + urlencode({"state": query.get("state", ""), "code": code})
            self._reply(302, headers={"Location": target})

        def token(self) -> None:
            form = self._form()
            if not self._client_ok(form):
                self._oauth_error("unauthorized_client", "Missing valid authorization header", 401)
                return
            grant = form.get("grant_type")
            if grant == "authorization_code":
                issued = state.codes.pop(form.get("code", ""), None)
                if issued is None or issued["redirect_uri"] != form.get("redirect_uri"):
                    self._oauth_error("invalid_request", "Value passed for the authorization code was invalid.")
                    return
                if _challenge(form.get("code_verifier", "")) != issued["challenge"]:
                    self._oauth_error("invalid_request", "Value passed for the code verifier did not match.")
                    return
                family = Family(state.user_id, tuple(issued["scope"].split()))
                state.families.append(family)
            elif grant == "refresh_token":
                presented = form.get("refresh_token", "")
                family = next((f for f in state.families if presented in f.spent | {f.refresh_token}), None)
                if family is None or family.revoked:
                    self._oauth_error("invalid_request", "Value passed for the token was invalid.")
                    return
                if presented in family.spent:
                    # Replaying a rotated refresh token kills the whole family: reconnect.
                    family.revoked = True
                    self._oauth_error("invalid_request", "Value passed for the token was invalid.")
                    return
                family.spent.add(presented)
            else:
                self._oauth_error("unsupported_grant_type", "Unsupported grant type")
                return
            access = "x-at-" + secrets.token_hex(8)
            family.access_tokens.add(access)
            body: dict[str, object] = {
                "token_type": "bearer",
                "access_token": access,
                "expires_in": TOKEN_TTL,
                "scope": " ".join(family.scopes),
            }
            if "offline.access" in family.scopes:
                family.refresh_token = "x-rt-" + secrets.token_hex(8)
                body["refresh_token"] = family.refresh_token
            self._reply(200, body)

        def revoke(self) -> None:
            form = self._form()
            if not self._client_ok(form):
                self._oauth_error("unauthorized_client", "Missing valid authorization header", 401)
                return
            token = form.get("token", "")
            for family in state.families:
                if token == family.refresh_token or token in family.access_tokens:
                    family.revoked = True
            self._reply(200, {"revoked": True})

        def me(self, query: dict[str, str]) -> None:
            family = self._family()
            if family is None:
                self._problem(401, "Unauthorized", "Unauthorized", "about:blank")
                return
            user: dict[str, object] = {"id": family.user_id, "name": "Amir", "username": state.username}
            if "public_metrics" in query.get("user.fields", ""):
                user["public_metrics"] = {"followers_count": state.followers, "following_count": 10}
            self._reply(200, {"data": user})

        def create_tweet(self, mode: str | None) -> None:
            raw = self._body()
            family = self._family()
            if family is None:
                self._problem(401, "Unauthorized", "Unauthorized", "about:blank")
                return
            if "tweet.write" not in family.scopes:
                self._problem(403, "Forbidden", "You are not permitted to perform this action.", "not-authorized")
                return
            text = json.loads(raw).get("text", "")
            if weighted_length(text) > 280:
                self._problem(400, "Invalid Request", "text: Your Tweet text is too long.", "invalid-request")
                return
            if any(t["text"] == text and t["author_id"] == family.user_id for t in state.tweets.values()):
                self._problem(403, "Forbidden", DUPLICATE, "about:blank")
                return
            tweet_id = fake.add_tweet(text, user_id=family.user_id)
            if mode == "store_then_drop":
                self._drop()
                return
            self._reply(201, {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}})

        def _public(self, tweet: dict, fields: str) -> dict:
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

        def lookup(self, query: dict[str, str]) -> None:
            if self._family() is None:
                self._problem(401, "Unauthorized", "Unauthorized", "about:blank")
                return
            ids = [tweet_id for tweet_id in query.get("ids", "").split(",") if tweet_id]
            if not ids or len(ids) > 100:
                self._problem(400, "Invalid Request", "ids: size must be between 1 and 100", "invalid-request")
                return
            found = [self._public(state.tweets[i], query.get("tweet.fields", "")) for i in ids if i in state.tweets]
            missing = [
                {"value": i, "detail": f"Could not find tweet with ids: [{i}].", "title": "Not Found Error"}
                for i in ids
                if i not in state.tweets
            ]
            body: dict[str, object] = {"data": found} if found else {}
            if missing:
                body["errors"] = missing
            self._reply(200, body)

        def timeline(self, user_id: str, query: dict[str, str]) -> None:
            if self._family() is None:
                self._problem(401, "Unauthorized", "Unauthorized", "about:blank")
                return
            mine = [t for t in state.tweets.values() if t["author_id"] == user_id]
            newest = sorted(mine, key=lambda t: int(t["id"]), reverse=True)[: int(query.get("max_results", 10))]
            fields = query.get("tweet.fields", "")
            body: dict[str, object] = {"meta": {"result_count": len(newest)}}
            if newest:
                body["data"] = [self._public(t, fields) for t in newest]
            self._reply(200, body)

        def delete(self, tweet_id: str) -> None:
            family = self._family()
            if family is None:
                self._problem(401, "Unauthorized", "Unauthorized", "about:blank")
                return
            tweet = state.tweets.get(tweet_id)
            if tweet is None:
                self._problem(
                    404, "Not Found Error", f"Could not find tweet with id: [{tweet_id}].", "resource-not-found"
                )
                return
            if tweet["author_id"] != family.user_id:
                self._problem(403, "Forbidden", "You are not allowed to delete this Tweet.", "not-authorized")
                return
            del state.tweets[tweet_id]
            self._reply(200, {"data": {"deleted": True}})

    return Handler


def running() -> Iterator[FakeX]:
    """Start a fake, hand it over, stop it (the body of a pytest fixture)."""
    fake = FakeX().start()
    try:
        yield fake
    finally:
        fake.stop()
