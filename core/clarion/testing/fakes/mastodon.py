"""A fake Mastodon instance: app registration, OAuth with PKCE, statuses, instance configuration.

In memory; one signed-in person (``signed_in``) consents to every authorization request.
Rate limits come back as 429 with ``X-RateLimit-*`` headers (reset as an ISO 8601 time).
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import regex

from clarion.clock import utcnow
from clarion.testing.fakes.server import FakeRequest, FakeResponse, FakeServer, collect_routes, route

URL = regex.compile(r"https?://\S+")
GRAPHEME = regex.compile(r"\X")


@dataclass
class Account:
    id: str
    username: str
    followers_count: int = 0


@dataclass
class Status:
    id: str
    account_id: str
    text: str
    created_at: str
    url: str
    favourites_count: int = 0
    replies_count: int = 0
    reblogs_count: int = 0
    quotes_count: int = 0


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    account_id: str
    scope: str


@collect_routes
class FakeMastodon(FakeServer):
    def __init__(self, *, max_characters: int = 500) -> None:
        super().__init__()
        self.max_characters = max_characters
        self.apps: dict[str, dict[str, str]] = {}
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, str] = {}  # access token → account id
        self.revoked: list[str] = []
        self.accounts = {"1": Account("1", "jan", followers_count=321), "2": Account("2", "eva", followers_count=12)}
        self.signed_in = "1"
        self.deny_next = False
        self.statuses: dict[str, Status] = {}
        self.idempotency: dict[tuple[str, str], str] = {}
        self._ids = itertools.count(109_000_000_000_000_001)

    # -- test helpers -------------------------------------------------------------------------

    def rate_limit_next(self, path: str, *, seconds: int = 30) -> None:
        reset = (utcnow() + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")
        headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
        self.fail_next(path, 429, {"error": "Too many requests"}, headers=headers)

    def revoke_all_tokens(self) -> None:
        with self.lock:
            self.tokens.clear()

    def issue_token(self, account_id: str = "1") -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = account_id
        return token

    # -- helpers ------------------------------------------------------------------------------

    def _account(self, request: FakeRequest) -> Account | None:
        with self.lock:
            account_id = self.tokens.get(request.bearer or "")
        return self.accounts.get(account_id) if account_id else None

    @staticmethod
    def _unauthorized() -> FakeResponse:
        return FakeResponse(401, {"error": "The access token is invalid"})

    def _status_json(self, status: Status) -> dict[str, Any]:
        account = self.accounts[status.account_id]
        content = URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', html.escape(status.text, quote=False))
        return {
            "id": status.id,
            "created_at": status.created_at,
            "url": status.url,
            "uri": status.url,
            "visibility": "public",
            "content": f"<p>{content}</p>",
            "account": {"id": account.id, "username": account.username, "acct": account.username},
            "favourites_count": status.favourites_count,
            "replies_count": status.replies_count,
            "reblogs_count": status.reblogs_count,
            "quotes_count": status.quotes_count,
            "card": None,  # Mastodon fetches the preview card later
        }

    @staticmethod
    def length(text: str) -> int:
        return len(GRAPHEME.findall(URL.sub("x" * 23, text)))

    # -- OAuth --------------------------------------------------------------------------------

    @route("POST", "/api/v1/apps")
    def create_app(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        form = request.form
        if not form.get("client_name") or not form.get("redirect_uris"):
            return FakeResponse(422, {"error": "Validation failed: Application name can't be blank"})
        client_id, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
        with self.lock:
            self.apps[client_id] = {"secret": secret, "redirect_uri": form["redirect_uris"], "scopes": form["scopes"]}
        return FakeResponse(
            200,
            {
                "id": str(len(self.apps)),
                "name": form["client_name"],
                "redirect_uri": form["redirect_uris"],
                "client_id": client_id,
                "client_secret": secret,
            },
        )

    @route("GET", "/oauth/authorize")
    def authorize(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        client_id, redirect_uri = request.arg("client_id") or "", request.arg("redirect_uri") or ""
        app = self.apps.get(client_id)
        if app is None or app["redirect_uri"] != redirect_uri or request.arg("response_type") != "code":
            return FakeResponse(400, {"error": "invalid_request"})
        if request.arg("code_challenge_method") != "S256" or not request.arg("code_challenge"):
            return FakeResponse(400, {"error": "invalid_request", "error_description": "PKCE S256 required"})
        state = request.arg("state") or ""
        if self.deny_next:
            self.deny_next = False
            query = {"error": "access_denied", "state": state}
        else:
            code = secrets.token_urlsafe(16)
            with self.lock:
                self.codes[code] = Grant(
                    client_id,
                    redirect_uri,
                    request.arg("code_challenge") or "",
                    self.signed_in,
                    request.arg("scope") or "",
                )
            query = {"code": code, "state": state}
        return FakeResponse(302, None, {"Location": f"{redirect_uri}?{urlencode(query)}"})

    @route("POST", "/oauth/token")
    def token(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        form = request.form
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)
        app = self.apps.get(form.get("client_id", ""))
        invalid = FakeResponse(400, {"error": "invalid_grant", "error_description": "The provided grant is invalid"})
        if grant is None or app is None or app["secret"] != form.get("client_secret"):
            return invalid
        if grant.client_id != form["client_id"] or grant.redirect_uri != form.get("redirect_uri"):
            return invalid
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if challenge != grant.challenge:
            return invalid
        token = self.issue_token(grant.account_id)
        return FakeResponse(
            200, {"access_token": token, "token_type": "Bearer", "scope": grant.scope, "created_at": 1_763_700_000}
        )

    @route("POST", "/oauth/revoke")
    def revoke(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        form = request.form
        app = self.apps.get(form.get("client_id", ""))
        if app is None or app["secret"] != form.get("client_secret"):
            return FakeResponse(403, {"error": "unauthorized_client"})
        with self.lock:
            if self.tokens.pop(form.get("token", ""), None) is not None:
                self.revoked.append(form["token"])
        return FakeResponse(200, {})

    # -- REST API -----------------------------------------------------------------------------

    @route("GET", "/api/v1/accounts/verify_credentials")
    def verify_credentials(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        return FakeResponse(
            200,
            {
                "id": account.id,
                "username": account.username,
                "acct": account.username,
                "followers_count": account.followers_count,
            },
        )

    @route("GET", "/api/v2/instance")
    def instance(self, _request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        return FakeResponse(
            200,
            {
                "domain": "fake.mastodon",
                "configuration": {
                    "statuses": {"max_characters": self.max_characters, "characters_reserved_per_url": 23}
                },
            },
        )

    @route("POST", "/api/v1/statuses")
    def create_status(self, request: FakeRequest, _match: re.Match[str]) -> FakeResponse:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        key = request.headers.get("idempotency-key")
        with self.lock:
            if key and (request.bearer or "", key) in self.idempotency:
                return FakeResponse(
                    200, self._status_json(self.statuses[self.idempotency[(request.bearer or "", key)]])
                )
        text = request.form.get("status", "")
        if not text.strip():
            return FakeResponse(422, {"error": "Validation failed: Text can't be blank"})
        if self.length(text) > self.max_characters:
            return FakeResponse(
                422, {"error": f"Validation failed: Text character limit of {self.max_characters} exceeded"}
            )
        with self.lock:
            status_id = str(next(self._ids))
            status = Status(
                id=status_id,
                account_id=account.id,
                text=text,
                created_at=utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                url=f"{self.url}/@{account.username}/{status_id}",
            )
            self.statuses[status_id] = status
            if key:
                self.idempotency[(request.bearer or "", key)] = status_id
        return FakeResponse(200, self._status_json(status))

    @route("GET", r"/api/v1/accounts/(?P<id>[^/]+)/statuses")
    def account_statuses(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        limit = int(request.arg("limit") or 20)
        with self.lock:
            mine = [s for s in self.statuses.values() if s.account_id == match["id"]]
        mine.sort(key=lambda s: int(s.id), reverse=True)
        return FakeResponse(200, [self._status_json(s) for s in mine[:limit]])

    @route("GET", r"/api/v1/statuses/(?P<id>\d+)")
    def get_status(self, _request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        status = self.statuses.get(match["id"])
        if status is None:
            return FakeResponse(404, {"error": "Record not found"})
        return FakeResponse(200, self._status_json(status))

    @route("DELETE", r"/api/v1/statuses/(?P<id>\d+)")
    def delete_status(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
        account = self._account(request)
        if account is None:
            return self._unauthorized()
        with self.lock:
            status = self.statuses.get(match["id"])
            if status is None or status.account_id != account.id:
                return FakeResponse(404, {"error": "Record not found"})
            del self.statuses[match["id"]]
        return FakeResponse(200, self._status_json(status))
