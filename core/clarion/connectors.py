"""What a network connector is: its key, text rules, share-intent link and capabilities."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from clarion.errors import NotSupported
from clarion.i18n import Message

if TYPE_CHECKING:
    import httpx


class Capability(StrEnum):
    """What a connector can do beyond building a share-intent link."""

    INTENT = "intent"
    API_PUBLISH = "api_publish"
    METRICS = "metrics"
    DELETE = "delete"


class AuthKind(StrEnum):
    """How an ambassador connects an account for API publishing."""

    NONE = "none"  # intent only: nothing to connect
    OAUTH2 = "oauth2"  # redirect flow with state (and PKCE where the network supports it)
    APP_PASSWORD = "app_password"  # identifier plus an app-specific password (Bluesky)


@dataclass(frozen=True)
class TextCheck:
    """The verdict of a connector's text rules on one post.

    Attributes:
        length: The length as the network counts it.
        limit: The network's limit, or ``None`` when it has none worth enforcing.
        problems: Sentences explaining why the post would be refused; empty when it fits.
    """

    length: int
    limit: int | None
    problems: tuple[str | Message, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class SharePost:
    """The post an ambassador is about to send, as a connector sees it.

    Attributes:
        text: The ambassador's own words, without the link.
        link: The ambassador's tracked link (never the raw content URL).
        title: The content's title, for networks that take a subject.
        hashtags: Campaign hashtags without ``#``.
        account_handle: The ambassador's handle on this network, when connected.
        account_instance: The server of that account (Mastodon instance, Bluesky PDS), if any.
        language: The content's language (BCP 47, ``"nl"``), for networks that tag posts with it.
    """

    text: str
    link: str
    title: str = ""
    hashtags: tuple[str, ...] = field(default=())
    account_handle: str | None = None
    account_instance: str | None = None
    language: str | None = None

    @property
    def body(self) -> str:
        """Text and link as most networks show them."""
        return f"{self.text} {self.link}".strip() if self.text else self.link


@dataclass(frozen=True)
class Credential:
    """What Clarion keeps, encrypted, to act on a network account. Connectors return new ones.

    Attributes:
        access_token: The bearer token (or session token).
        refresh_token: The refresh token, if the network issues one. Single-use on X and
            Bluesky: the engine stores the new one before it is used.
        expires_at: When ``access_token`` stops working, if known.
        account_id: The network's id for the person (URN, DID, user id).
        handle: The person's handle or display name on the network.
        instance: The server the account lives on (Mastodon instance, Bluesky PDS), if any.
        scopes: Granted scopes.
        extra: Anything else the connector needs later (app client id, DPoP key, …).
    """

    access_token: str
    refresh_token: str | None = None
    expires_at: datetime | None = None
    account_id: str | None = None
    handle: str | None = None
    instance: str | None = None
    scopes: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConnectStart:
    """The first step of an OAuth connection: where to send the ambassador.

    Attributes:
        authorize_url: The network's consent page, with state (and PKCE challenge) in it.
        pending: What :meth:`Connector.finish_connect` needs back (PKCE verifier, client id of
            a per-instance app, …). Clarion stores it server-side with the state; never in the URL.
    """

    authorize_url: str
    pending: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishedPost:
    """A post a connector published (or found while reconciling)."""

    external_id: str
    url: str | None = None
    published_at: datetime | None = None


# The metrics a connector reports (and an admin may import), cumulative counts all.
METRIC_NAMES = ("impressions", "reactions", "comments", "reposts", "quotes", "clicks")


@dataclass(frozen=True)
class MetricsSnapshot:
    """Cumulative figures of one post as the network reports them; ``None`` = not available."""

    external_id: str
    observed_at: datetime
    impressions: int | None = None
    reactions: int | None = None
    comments: int | None = None
    reposts: int | None = None
    quotes: int | None = None
    clicks: int | None = None

    def values(self) -> dict[str, int]:
        """Metric name → value, for the figures the network gave."""
        return {name: getattr(self, name) for name in METRIC_NAMES if getattr(self, name) is not None}


class RateLimitScope(StrEnum):
    """Whose budget a rate limit counts."""

    ACCOUNT = "account"  # the ambassador's account (per user token, per member, per PDS session)
    APP = "app"  # Clarion's app on the network: every account shares it


@dataclass(frozen=True)
class RateLimitInfo:
    """What a network said about a call budget, normalised from its headers.

    Attributes:
        scope: Whose budget it is.
        remaining: Calls left in the current window; ``0`` means exhausted until ``reset_at``.
        reset_at: When the window starts again (UTC), if the network said.
        limit: Calls allowed per window, if the network said.
    """

    scope: RateLimitScope
    remaining: int | None
    reset_at: datetime | None
    limit: int | None = None

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining <= 0 and self.reset_at is not None


@dataclass(frozen=True)
class ConnectorContext:
    """What the engine hands a connector for one call that talks to the network.

    Attributes:
        http: An ``httpx.Client`` with Clarion's timeouts; connectors never build their own.
        settings: The connector plugin's validated settings (base URLs, client ids, …).
        redirect_uri: The OAuth callback URL of this Clarion (for connect flows).
        rate_limit_reporter: Where :meth:`report_rate_limit` sends budgets; set by the engine
            for publishing, ``None`` where nobody keeps them.
    """

    http: httpx.Client
    settings: Any = None
    redirect_uri: str | None = None
    rate_limit_reporter: Callable[[RateLimitInfo], None] | None = None

    def report_rate_limit(self, info: RateLimitInfo | None) -> None:
        """Tell the engine what the network said about the budget (``None`` is ignored).

        The engine stores it per network and account (or app) in the database, so every worker
        waits for the reset instead of calling a network whose budget is spent.
        """
        if info is not None and self.rate_limit_reporter is not None:
            self.rate_limit_reporter(info)


class Connector(ABC):
    """Base class for a network connector. Subclass it and return an instance from
    :func:`clarion.hookspecs.clarion_connectors_register`.

    Class attributes:
        key: The stable network key stored on shares (``"linkedin"``). Unique across plugins.
        label: The name shown to people (``"LinkedIn"``).
        capabilities: What the connector supports; every connector supports
            :attr:`Capability.INTENT`.
    """

    key: ClassVar[str]
    label: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.INTENT})
    auth_kind: ClassVar[AuthKind] = AuthKind.NONE
    plugin_name: ClassVar[str | None] = None
    """The plugin whose ``[plugins.<name>]`` settings the engine passes in ``ConnectorContext``."""
    metrics_batch_size: ClassVar[int] = 1
    """Posts :meth:`fetch_metrics` reads in one request; the sync asks for this many at a time, so a
    rate limit midway keeps the figures already read."""
    post_url_hosts: ClassVar[frozenset[str]] = frozenset()
    typical_audience: ClassVar[int | None] = None
    """Followers a typical member has on the network: a share's *estimated* potential reach when
    the sharer's own count is unknown. ``potential_reach_defaults`` in the settings overrides it;
    ``None`` leaves such shares without a reach figure rather than inventing one."""
    """Hosts (subdomains included) an ambassador's link to a post may name when verifying an
    intent share, e.g. ``{"linkedin.com"}``; empty accepts any https link."""

    @abstractmethod
    def check_text(self, post: SharePost) -> TextCheck:
        """Count ``post`` the way the network does and say whether it fits."""

    @abstractmethod
    def share_intent_url(self, post: SharePost) -> str:
        """The URL that opens the network's composer pre-filled with ``post``."""

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    # -- optional: API publishing, for connectors declaring the capabilities ------------------
    # Every method raises a :class:`clarion.errors.ConnectorError` subclass on failure, so the
    # engine knows what to retry (RateLimited, Transient), what to reconcile (UnknownOutcome)
    # and what to tell the ambassador (ContentRejected, ReconnectNeeded, MissingPermission).

    def start_connect(self, context: ConnectorContext, *, state: str, instance: str | None = None) -> ConnectStart:
        """Begin an OAuth connection (``auth_kind`` OAUTH2)."""
        raise NotSupported(f"{self.label} accounts cannot be connected", network=self.key)

    def finish_connect(
        self, context: ConnectorContext, *, params: Mapping[str, str], pending: Mapping[str, Any]
    ) -> Credential:
        """Exchange the callback's code for a credential (``auth_kind`` OAUTH2)."""
        raise NotSupported(f"{self.label} accounts cannot be connected", network=self.key)

    def connect_with_password(
        self, context: ConnectorContext, *, identifier: str, password: str, instance: str | None = None
    ) -> Credential:
        """Open a session with an app password (``auth_kind`` APP_PASSWORD)."""
        raise NotSupported(f"{self.label} accounts cannot be connected with a password", network=self.key)

    def refresh(self, context: ConnectorContext, credential: Credential) -> Credential:
        """A fresh credential; raise ReconnectNeeded when the network refuses the refresh."""
        raise NotSupported(f"{self.label} credentials cannot be refreshed", network=self.key)

    def revoke(self, context: ConnectorContext, credential: Credential) -> None:
        """Tell the network to forget the credential (on disconnect). Best effort."""
        return None  # networks without a revocation endpoint: forgetting it locally is all we can do

    def follower_count(self, context: ConnectorContext, credential: Credential) -> int | None:
        """The account's follower count, for potential reach."""
        return None

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        """Publish ``post``; send ``idempotency_key`` where the network accepts one."""
        raise NotSupported(f"{self.label} cannot publish through its API", network=self.key)

    def find_post(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost | None:
        """After an unknown outcome: the post if it exists on the network, else ``None``.

        Raise :class:`clarion.errors.NotSupported` when the network offers no way to tell; the
        engine then marks the share for a human check instead of risking a double post.
        """
        raise NotSupported(f"{self.label} cannot look up published posts", network=self.key)

    def fetch_metrics(
        self, context: ConnectorContext, credential: Credential | None, external_ids: Sequence[str]
    ) -> list[MetricsSnapshot]:
        """Cumulative figures for the given posts, batched as the network allows."""
        raise NotSupported(f"{self.label} reports no metrics", network=self.key)

    def post_id_from_url(self, url: str) -> str | None:
        """The id :meth:`fetch_metrics` takes for the post at ``url`` (a verified intent share's link),
        or ``None`` when the link does not name one the network can be asked about."""
        return None

    def delete_post(self, context: ConnectorContext, credential: Credential, external_id: str) -> None:
        """Remove a published post (compliance retractions)."""
        raise NotSupported(f"{self.label} cannot delete posts", network=self.key)


def length_check(length: int, limit: int | None, *, label: str) -> TextCheck:
    """A :class:`TextCheck` for networks whose only rule is a maximum length."""
    problems: tuple[str | Message, ...] = ()
    if limit is not None and length > limit:
        problems = (
            Message(
                "%(network)s allows %(limit)d characters; this post counts %(length)d.",
                {"network": label, "limit": limit, "length": length},
            ),
        )
    return TextCheck(length=length, limit=limit, problems=problems)


# Intent links carry the text in their URL, through web redirects; servers and proxies commonly
# refuse request lines beyond 8 KB, so a longer link may never reach the network.
INTENT_URL_LIMIT = 8000


def intent_url_problems(url: str, *, label: str) -> tuple[str | Message, ...]:
    """A problem when ``url`` is too long to hand over reliably, else none."""
    if len(url) > INTENT_URL_LIMIT:
        return (
            Message("This text is too long to hand over to %(network)s in a link; shorten it.", {"network": label}),
        )
    return ()
