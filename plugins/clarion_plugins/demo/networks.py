"""The demo's networks: fake Mastodon and Bluesky servers in this process, and the demo ambassador connected to both.

``clarion serve --demo`` starts them on 127.0.0.1 (ephemeral ports, stopped with the server; see
:mod:`clarion_plugins.demo.serve`),
points the ``connector-mastodon`` and ``connector-bluesky`` plugins at them and connects the demo
ambassador's accounts through the real connect flows: OAuth with PKCE against the fake Mastodon,
an app password against the fake Bluesky. API shares to either network then publish for real,
now or scheduled, without anything leaving the machine.

Two magic words in a share's text let a newcomer see the failure handling:

- :data:`FORCE_RATE_LIMIT` (``force-429``): the network answers the first attempt with 429 and a
  ``Retry-After``; Clarion waits that long, tries again, and the post lands once.
- :data:`FORCE_AUTH_FAILURE` (``force-auth-failure``): the network revokes the account's sign-in
  and refuses the post; the share fails and the account shows "reconnect needed" until the
  ambassador connects again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlmodel import select

from clarion.actors import Actor
from clarion.ambassadors import accounts as account_service
from clarion.clock import utcnow
from clarion.config import Settings, with_plugin_settings
from clarion.engine import Engine
from clarion.models import Ambassador, NetworkAccount
from clarion.testing.fakes import FakeBluesky, FakeMastodon, FakeRequest, FakeResponse
from clarion.testing.fakes.bluesky import Account as BlueskyAccount
from clarion.testing.fakes.mastodon import Account as MastodonAccount
from clarion_plugins.demo.loader import DEMO_AMBASSADOR, Progress, load_demo

FORCE_RATE_LIMIT = "force-429"
"""In a share's text: the fake network refuses the first attempt with 429 and ``Retry-After``."""

FORCE_AUTH_FAILURE = "force-auth-failure"
"""In a share's text: the fake network revokes the account's sign-in and refuses the post."""

MASTODON_PLUGIN = "connector-mastodon"
BLUESKY_PLUGIN = "connector-bluesky"
MASTODON_USERNAME = "noor"
BLUESKY_HANDLE = "noor.kestrel.example"
BLUESKY_APP_PASSWORD = "demo-demo-demo-demo"
DEFAULT_RETRY_AFTER = 5


class _MagicWords:
    """What both demo fakes do with the magic words; each network answers in its own format."""

    retry_after: int
    _rate_limited: set[str]

    def _rate_limit_once(self, text: str, key: str) -> bool:
        # Once per post (its idempotency key, else its text): the retry must land.
        if FORCE_RATE_LIMIT not in text or key in self._rate_limited:
            return False
        self._rate_limited.add(key)
        return True


class DemoMastodon(_MagicWords, FakeMastodon):
    """The fake Mastodon of the demo: Noor's account, and the magic words."""

    def __init__(self, *, retry_after: int = DEFAULT_RETRY_AFTER) -> None:
        super().__init__()
        self.retry_after = retry_after
        self._rate_limited = set()
        self.accounts["1"] = MastodonAccount("1", MASTODON_USERNAME, followers_count=184)

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        if request.method == "POST" and request.path == "/api/v1/statuses" and self._account(request) is not None:
            text = request.form.get("status", "")
            if FORCE_AUTH_FAILURE in text:
                with self.lock:
                    self.tokens.pop(request.bearer or "", None)
                return FakeResponse(401, {"error": "The access token was revoked"})
            if self._rate_limit_once(text, request.headers.get("idempotency-key") or text):
                reset = (utcnow() + timedelta(seconds=self.retry_after)).isoformat(timespec="milliseconds")
                headers = {
                    "Retry-After": str(self.retry_after),
                    "X-RateLimit-Limit": "300",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": reset,
                }
                return FakeResponse(429, {"error": "Too many requests"}, headers)
        return super().dispatch(request)


class DemoBluesky(_MagicWords, FakeBluesky):
    """The fake Bluesky of the demo: Noor's account with a known app password, and the magic words."""

    def __init__(self, *, retry_after: int = DEFAULT_RETRY_AFTER) -> None:
        super().__init__()
        self.retry_after = retry_after
        self._rate_limited = set()
        self.accounts = {
            "did:plc:noor": BlueskyAccount("did:plc:noor", BLUESKY_HANDLE, BLUESKY_APP_PASSWORD, followers=96),
        }

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        if request.method == "POST" and request.path == "/xrpc/com.atproto.repo.createRecord":
            account, _refused = self._caller(request)
            text = str((request.json.get("record") or {}).get("text", ""))
            if account is not None and FORCE_AUTH_FAILURE in text:
                with self.lock:  # the app password was revoked: every session of the account dies
                    self.access = {token: v for token, v in self.access.items() if v[0] != account.did}
                    self.refresh_tokens = {token: d for token, d in self.refresh_tokens.items() if d != account.did}
                return FakeResponse(401, {"error": "AuthenticationRequired", "message": "Token has been revoked"})
            if account is not None and self._rate_limit_once(text, text):
                reset = str(int(utcnow().timestamp()) + self.retry_after)
                headers = {
                    "Retry-After": str(self.retry_after),
                    "RateLimit-Limit": "5000",
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": reset,
                    "RateLimit-Policy": "5000;w=3600",
                }
                return FakeResponse(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, headers)
        return super().dispatch(request)


@dataclass(frozen=True)
class DemoNetworks:
    """The running fake networks of the demo."""

    mastodon: DemoMastodon
    bluesky: DemoBluesky

    def urls(self) -> dict[str, str]:
        return {"mastodon": self.mastodon.url, "bluesky": self.bluesky.url}

    def apply(self, settings: Settings) -> Settings:
        """``settings`` with the Mastodon and Bluesky connectors pointed at these fakes."""
        return with_demo_networks(settings, self.urls())


def with_demo_networks(settings: Settings, urls: Mapping[str, str]) -> Settings:
    """Point ``connector-mastodon`` and ``connector-bluesky`` at the given fake networks.

    Other settings of those plugin sections (from ``clarion.toml``) are kept.
    """
    return with_plugin_settings(settings, network_settings(urls))


def network_settings(urls: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """The ``[plugins.<name>]`` values that point the two connectors at the fakes at ``urls``."""
    return {
        MASTODON_PLUGIN: {"default_instance": urls["mastodon"]},
        # Verified intent shares have no session: their figures come from the public AppView.
        BLUESKY_PLUGIN: {"default_service": urls["bluesky"], "public_appview": f"{urls['bluesky']}/appview"},
    }


@contextmanager
def running_demo_networks(*, retry_after: int = DEFAULT_RETRY_AFTER) -> Iterator[DemoNetworks]:
    """Start the fake Mastodon and Bluesky on 127.0.0.1 for the block; ``retry_after`` is the forced 429's wait."""
    with (
        DemoMastodon.running(retry_after=retry_after) as mastodon,
        DemoBluesky.running(retry_after=retry_after) as bluesky,
    ):
        yield DemoNetworks(mastodon, bluesky)


@dataclass(frozen=True)
class DemoReady:
    """What the demo set-up did: the data summary and the demo ambassador's connected accounts."""

    summary: str
    accounts: tuple[NetworkAccount, ...]


def connect_demo_accounts(engine: Engine) -> tuple[NetworkAccount, ...]:
    """Connect the demo ambassador's Mastodon (OAuth) and Bluesky (app password) accounts.

    ``engine`` must be configured with :meth:`DemoNetworks.apply`. The consent page of the fake
    Mastodon is where a browser would go; here its redirect is followed by hand, so the flow is the
    one an ambassador goes through. Connecting again (every start: the fakes forget their tokens)
    updates the same accounts.
    """
    with engine.transaction() as session:
        ambassador = session.exec(select(Ambassador).where(Ambassador.external_id == DEMO_AMBASSADOR)).one()
        actor = Actor.of(ambassador)
    authorize_url = account_service.start_connect(engine, actor, "mastodon")
    consent = httpx.get(authorize_url, follow_redirects=False, timeout=10.0)
    params = {name: values[0] for name, values in parse_qs(urlsplit(consent.headers["location"]).query).items()}
    state = params.pop("state", "")
    mastodon = account_service.finish_connect(engine, "mastodon", state, params).account
    bluesky = account_service.connect_with_password(
        engine, actor, "bluesky", identifier=BLUESKY_HANDLE, password=BLUESKY_APP_PASSWORD
    )
    return mastodon, bluesky


def set_up_demo(engine: Engine, *, progress: Progress | None = None, **load_options: Any) -> DemoReady:
    """Load the demo programme and connect the demo ambassador's API accounts: what ``serve --demo`` does."""
    summary = load_demo(engine, progress=progress, **load_options)
    return DemoReady(summary, connect_demo_accounts(engine))


def banner(networks: DemoNetworks, ready: DemoReady) -> list[str]:
    """The lines ``clarion serve --demo`` prints about what the demo offers."""
    handles = {account.network: account.handle for account in ready.accounts}
    return [
        "Demo networks (fakes in this process; nothing leaves this machine):",
        f"  Mastodon {networks.mastodon.url}: {DEMO_AMBASSADOR} is connected as {handles.get('mastodon')} (OAuth)",
        f"  Bluesky  {networks.bluesky.url}: {DEMO_AMBASSADOR} is connected as {handles.get('bluesky')} "
        f"(app password {BLUESKY_APP_PASSWORD})",
        f"Share as {DEMO_AMBASSADOR} (`clarion token {DEMO_AMBASSADOR}`): POST /api/v1/shares with "
        '"method": "api" to mastodon or bluesky publishes now, or later with "scheduled_at"; '
        "linkedin, x, whatsapp and the others answer with a share-intent URL carrying the tracked link.",
        f'Put "{FORCE_RATE_LIMIT}" in a share\'s text: the network answers 429 with Retry-After '
        f"{networks.mastodon.retry_after}s once; the retry lands once.",
        f'Put "{FORCE_AUTH_FAILURE}" in a share\'s text: the network revokes the sign-in; the share fails and '
        "the account shows reconnect needed (POST /api/v1/me/accounts/connect/<network> connects it again).",
    ]


__all__ = [
    "FORCE_AUTH_FAILURE",
    "FORCE_RATE_LIMIT",
    "DemoNetworks",
    "DemoReady",
    "banner",
    "connect_demo_accounts",
    "network_settings",
    "running_demo_networks",
    "set_up_demo",
    "with_demo_networks",
]
