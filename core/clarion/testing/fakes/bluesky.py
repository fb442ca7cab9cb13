"""A fake Bluesky PDS (with the app view calls Clarion uses): sessions, records, feeds, profiles.

In memory. It behaves like the AT Protocol reference PDS where Clarion can tell: access tokens
are JWT-shaped with an ``exp`` claim and stay valid until then, even after ``deleteSession``;
``refreshSession`` returns a new pair and the old refresh token still works for a grace period
(two hours, :data:`REFRESH_GRACE_SECONDS`), then answers 400 ``ExpiredToken``; a token the
server never issued answers 400 ``InvalidToken``, no token at all 401 ``AuthenticationRequired``.
Reads of ``app.bsky`` need a session, as a PDS proxies them to the AppView for signed-in callers
only; the same reads under ``/appview`` (:attr:`FakeBluesky.appview_url`) are the public AppView,
open to anyone. Rate limits come back as 429 with the IETF draft ``RateLimit-*`` headers (reset
as epoch seconds).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import regex

from clarion.clock import utcnow
from clarion.testing.fakes.server import FakeRequest, FakeResponse, FakeServer, collect_routes, route

GRAPHEME = regex.compile(r"\X")
POST = "app.bsky.feed.post"
REFRESH_GRACE_SECONDS = 2 * 3600  # the reference PDS's REFRESH_GRACE_MS


@dataclass
class Account:
    did: str
    handle: str
    app_password: str
    followers: int = 0


@dataclass
class Record:
    uri: str
    did: str
    value: dict[str, Any]
    likes: int = 0
    replies: int = 0
    reposts: int = 0
    quotes: int = 0
    indexed_at: str = field(default_factory=lambda: utcnow().isoformat().replace("+00:00", "Z"))


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def xrpc_error(status: int, error: str, message: str) -> FakeResponse:
    return FakeResponse(status, {"error": error, "message": message})


@collect_routes
class FakeBluesky(FakeServer):
    def __init__(
        self, *, access_ttl: int = 7200, refresh_delay: float = 0.0, refresh_grace: int = REFRESH_GRACE_SECONDS
    ) -> None:
        super().__init__()
        self.access_ttl = access_ttl
        self.refresh_delay = refresh_delay
        self.refresh_grace = refresh_grace
        self.accounts = {
            "did:plc:jan": Account("did:plc:jan", "jan.bsky.social", "abcd-efgh-ijkl-mnop", followers=210),
            "did:plc:eva": Account("did:plc:eva", "eva.bsky.social", "qrst-uvwx-yzab-cdef", followers=8),
        }
        self.access: dict[str, tuple[str, float]] = {}  # access token → (did, expires epoch)
        self.refresh_tokens: dict[str, str] = {}  # refresh token → did (current)
        self.rotated: dict[str, tuple[str, float]] = {}  # refreshed token → (did, usable until epoch)
        self.issued: set[str] = set()  # every token ever issued: the others are "InvalidToken"
        self.refuse_refresh = False
        self.records: dict[str, Record] = {}
        self._rkeys = itertools.count(1)

    # -- test helpers -------------------------------------------------------------------------

    def rate_limit_next(self, path: str, *, seconds: int = 40) -> None:
        reset = str(int(utcnow().timestamp()) + seconds)
        headers = {
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": reset,
            "RateLimit-Policy": "3000;w=300",
        }
        self.fail_next(path, 429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers=headers)

    @property
    def appview_url(self) -> str:
        """The public AppView: ``app.bsky`` reads without a session."""
        return f"{self.url}/appview"

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access = {token: (did, 0.0) for token, (did, _exp) in self.access.items()}

    def _session(self, account: Account) -> dict[str, Any]:
        expires = utcnow().timestamp() + self.access_ttl
        access = ".".join(
            [
                _b64({"alg": "ES256K", "typ": "at+jwt"}),
                _b64({"scope": "com.atproto.appPass", "sub": account.did, "exp": int(expires)}),
                secrets.token_urlsafe(16),
            ]
        )
        refresh = secrets.token_urlsafe(32)
        with self.lock:
            self.access[access] = (account.did, expires)
            self.refresh_tokens[refresh] = account.did
            self.issued.update((access, refresh))
        return {"accessJwt": access, "refreshJwt": refresh, "did": account.did, "handle": account.handle}

    def _caller(self, request: FakeRequest) -> tuple[Account | None, FakeResponse | None]:
        if not request.bearer:
            return None, xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        with self.lock:
            known = self.access.get(request.bearer)
        if known is None:
            return None, xrpc_error(400, "InvalidToken", "Token could not be verified")
        did, expires = known
        if expires < utcnow().timestamp():
            return None, xrpc_error(400, "ExpiredToken", "Token has expired")
        return self.accounts[did], None

    def _account(self, actor: str | None) -> Account | None:
        return next((a for a in self.accounts.values() if actor in (a.did, a.handle)), None)

    def _view(self, record: Record) -> dict[str, Any]:
        account = self.accounts[record.did]
        return {
            "uri": record.uri,
            "cid": "bafyrei" + record.uri.rsplit("/", 1)[-1],
            "author": {"did": account.did, "handle": account.handle},
            "record": record.value,
            "likeCount": record.likes,
            "replyCount": record.replies,
            "repostCount": record.reposts,
            "quoteCount": record.quotes,
            "indexedAt": record.indexed_at,
        }

    @staticmethod
    def _invalid_post(value: dict[str, Any]) -> str | None:
        text = value.get("text")
        if not isinstance(text, str):
            return "Invalid app.bsky.feed.post record: Record/text must be a string"
        if len(GRAPHEME.findall(text)) > 300:
            return "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
        if len(text.encode()) > 3000:
            return "Invalid app.bsky.feed.post record: Record/text must not be longer than 3000 characters"
        size = len(text.encode())
        for facet in value.get("facets") or []:
            index = facet.get("index", {})
            if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= size:
                return "Invalid app.bsky.feed.post record: facet index out of range"
        if "createdAt" not in value:
            return 'Invalid app.bsky.feed.post record: Record must have the property "createdAt"'
        return None

    # -- com.atproto.server -------------------------------------------------------------------

    @route("POST", "/xrpc/com.atproto.server.createSession")
    def create_session(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        body = request.json
        account = self._account(body.get("identifier"))
        if account is None or body.get("password") != account.app_password:
            return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
        return FakeResponse(200, self._session(account))

    @route("POST", "/xrpc/com.atproto.server.refreshSession")
    def refresh_session(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        if self.refresh_delay:
            time.sleep(self.refresh_delay)  # widens the window two refreshing workers would race in
        token = request.bearer or ""
        now = utcnow().timestamp()
        with self.lock:
            did = self.refresh_tokens.pop(token, None)
            if did is not None:
                self.rotated[token] = (did, now + self.refresh_grace)
            elif token in self.rotated and self.rotated[token][1] >= now:
                did = self.rotated[token][0]  # within the grace period: a lost answer can be retried
            issued = token in self.issued
        if not issued:
            return xrpc_error(400, "InvalidToken", "Token could not be verified")
        if did is None or self.refuse_refresh:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        return FakeResponse(200, self._session(self.accounts[did]))

    @route("POST", "/xrpc/com.atproto.server.deleteSession")
    def delete_session(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        # Revokes the refresh token only: access tokens stay valid until they expire.
        with self.lock:
            did = self.refresh_tokens.pop(request.bearer or "", None)
            self.rotated.pop(request.bearer or "", None)
            if did is None:
                return xrpc_error(400, "InvalidToken", "Token could not be verified")
        return FakeResponse(200, None)

    # -- com.atproto.repo ---------------------------------------------------------------------

    @route("POST", "/xrpc/com.atproto.repo.createRecord")
    def create_record(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        account, refused = self._caller(request)
        if account is None:
            assert refused is not None
            return refused
        body = request.json
        if body.get("repo") not in (account.did, account.handle) or body.get("collection") != POST:
            return xrpc_error(400, "InvalidRequest", "Invalid repo or collection")
        problem = self._invalid_post(body.get("record") or {})
        if problem:
            return xrpc_error(400, "InvalidRequest", problem)
        uri = f"at://{account.did}/{POST}/3l{next(self._rkeys):011d}"
        with self.lock:
            self.records[uri] = Record(uri, account.did, body["record"])
        return FakeResponse(200, {"uri": uri, "cid": "bafyrei" + uri.rsplit("/", 1)[-1]})

    @route("POST", "/xrpc/com.atproto.repo.deleteRecord")
    def delete_record(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        account, refused = self._caller(request)
        if account is None:
            assert refused is not None
            return refused
        body = request.json
        with self.lock:
            self.records.pop(f"at://{account.did}/{body.get('collection')}/{body.get('rkey')}", None)
        return FakeResponse(200, {})

    # -- app.bsky -----------------------------------------------------------------------------

    @route("GET", "/xrpc/app.bsky.feed.getAuthorFeed")
    def author_feed(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        _account, refused = self._caller(request)
        if refused is not None:
            return refused
        author = self._account(request.arg("actor"))
        if author is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        limit = int(request.arg("limit") or 50)
        with self.lock:
            mine = [r for r in self.records.values() if r.did == author.did]
        mine.reverse()
        return FakeResponse(200, {"feed": [{"post": self._view(r)} for r in mine[:limit]]})

    @route("GET", "(?P<appview>/appview)?/xrpc/app.bsky.feed.getPosts")
    def get_posts(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        if not match["appview"]:
            _account, refused = self._caller(request)
            if refused is not None:
                return refused
        uris = request.query.get("uris", [])
        if len(uris) > 25:
            return xrpc_error(400, "InvalidRequest", "uris must not have more than 25 elements")
        with self.lock:
            found = [self._view(self.records[uri]) for uri in uris if uri in self.records]
        return FakeResponse(200, {"posts": found})

    @route("GET", "/xrpc/app.bsky.actor.getProfile")
    def get_profile(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        _account, refused = self._caller(request)
        if refused is not None:
            return refused
        account = self._account(request.arg("actor"))
        if account is None:
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        return FakeResponse(200, {"did": account.did, "handle": account.handle, "followersCount": account.followers})
