"""Mastodon: per-instance OAuth app with PKCE, grapheme counting with links as 23, publishing and metrics."""

from __future__ import annotations

import html
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import regex
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from pydantic import BaseModel, ConfigDict, Field

from clarion import hookimpl
from clarion.clock import utcnow
from clarion.connector_http import report_rate_limits, retry_after
from clarion.connector_http import send as http_send
from clarion.connectors import (
    AuthKind,
    Capability,
    Connector,
    ConnectorContext,
    ConnectStart,
    Credential,
    MetricsSnapshot,
    PublishedPost,
    SharePost,
    TextCheck,
    length_check,
)
from clarion.errors import (
    AuthExpired,
    ConnectorError,
    ContentRejected,
    MissingPermission,
    RateLimited,
    ReconnectNeeded,
    Transient,
    ValidationFailed,
)

PLUGIN_NAME = "connector-mastodon"
NETWORK = "mastodon"
GRAPHEME = regex.compile(r"\X")
# Mastodon's StatusLengthValidator replaces each http(s) link by a fixed number of characters
# and counts a remote mention ``@name@server`` as ``@name``.
URL_PATTERN = regex.compile(r"https?://\S+?(?=[.,!?;:)\"']*(?:\s|$))", regex.IGNORECASE)
REMOTE_MENTION = regex.compile(r"(?<![\w/])(@\w+)@[\w.-]+\w", regex.UNICODE)
POST_URL = regex.compile(r"^https?://[^/?#]+/@[^/?#@]+/(?P<id>\d{1,20})/?$")


class Settings(BaseModel):
    """``[plugins.connector-mastodon]``."""

    model_config = ConfigDict(extra="forbid")

    default_instance: str = Field(
        default="https://mastodon.social", description="Instance used before the ambassador names their own."
    )
    app_name: str = Field(default="Clarion", description="Name of the OAuth app registered on each instance.")
    scopes: str = Field(default="read write", description="OAuth scopes requested.")
    character_limit: int = Field(default=500, ge=1, description="Limit used until the instance tells its own.")
    url_weight: int = Field(default=23, ge=1, description="Characters each link counts for.")


def instance_url(instance: str) -> str:
    """``mastodon.social`` or ``https://mastodon.social/`` → ``https://mastodon.social``."""
    instance = instance.strip().rstrip("/")
    return instance if "://" in instance else f"https://{instance}"


def mastodon_length(text: str, *, url_weight: int = 23) -> int:
    """Length of ``text`` as Mastodon counts it: grapheme clusters, each link ``url_weight``."""
    text = REMOTE_MENTION.sub(r"\1", text)
    length = 0
    position = 0
    for match in URL_PATTERN.finditer(text):
        length += len(GRAPHEME.findall(text[position : match.start()])) + url_weight
        position = match.end()
    return length + len(GRAPHEME.findall(text[position:]))


def status_text(post: SharePost) -> str:
    """The status Clarion sends: the ambassador's words, the tracked link, the hashtags."""
    hashtags = " ".join(f"#{tag}" for tag in post.hashtags)
    return f"{post.body} {hashtags}".strip()


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or body)[:300]
    return str(body)[:300]


def raise_for_status(response: httpx.Response) -> None:
    """Translate a Mastodon error answer into Clarion's connector errors."""
    status = response.status_code
    if status < 400:
        return
    message = _server_message(response)
    if status == 401:
        raise AuthExpired(f"Mastodon refused the token: {message}", network=NETWORK)
    if status == 403:
        raise MissingPermission(f"Mastodon does not allow this: {message}", network=NETWORK)
    if status == 422:
        raise ContentRejected(f"Mastodon refused the post: {message}", network=NETWORK)
    if status == 429:
        raise RateLimited("Mastodon rate limit reached", network=NETWORK, retry_after=retry_after(response))
    if status >= 500:
        raise Transient(f"Mastodon answered {status}: {message}", network=NETWORK)
    raise ConnectorError(f"Mastodon answered {status}: {message}", network=NETWORK)


def request(
    context: ConnectorContext, method: str, url: str, *, creates: bool = False, **kwargs: Any
) -> httpx.Response:
    """One request, transport failures translated; ``creates`` marks requests whose loss after
    sending leaves the outcome unknown."""
    return http_send(context, method, url, network=NETWORK, label="Mastodon", creates=creates, **kwargs)


def send(context: ConnectorContext, method: str, url: str, *, creates: bool = False, **kwargs: Any) -> httpx.Response:
    """:func:`request`, with error answers raised as connector errors."""
    response = request(context, method, url, creates=creates, **kwargs)
    raise_for_status(response)
    return response


def _bearer(credential: Credential) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential.access_token}"}


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class MastodonConnector(Connector):
    key = NETWORK
    label = "Mastodon"
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS, Capability.DELETE})
    auth_kind = AuthKind.OAUTH2
    plugin_name = PLUGIN_NAME

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self._lock = threading.Lock()
        # Per instance: (max_characters, characters_reserved_per_url), learnt when an account
        # connects or publishes; until then the configured defaults apply.
        self._text_rules: dict[str, tuple[int, int]] = {}
        # Per (instance, redirect URI): the registered app's (client_id, client_secret). Lost on
        # restart, which only means one more app registration on that instance.
        self._apps: dict[tuple[str, str], tuple[str, str]] = {}

    # -- text and intent ---------------------------------------------------------------------

    def check_text(self, post: SharePost) -> TextCheck:
        instance = instance_url(post.account_instance) if post.account_instance else None
        limit, url_weight = self._text_rules.get(
            instance or "", (self.settings.character_limit, self.settings.url_weight)
        )
        return length_check(mastodon_length(status_text(post), url_weight=url_weight), limit, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        # The share page lives on the ambassador's own instance: they are signed in there. Before
        # an account is known, the configured default instance is the best guess (its share page
        # asks anyone from another instance to sign in, so the link still works).
        instance = instance_url(post.account_instance or self.settings.default_instance)
        return f"{instance}/share?" + urlencode({"text": status_text(post)})

    # -- connecting ---------------------------------------------------------------------------

    def _settings(self, context: ConnectorContext) -> Settings:
        return context.settings if isinstance(context.settings, Settings) else self.settings

    def _register_app(self, context: ConnectorContext, instance: str, redirect_uri: str) -> tuple[str, str]:
        with self._lock:
            known = self._apps.get((instance, redirect_uri))
        if known is not None:
            return known
        settings = self._settings(context)
        response = send(
            context,
            "POST",
            f"{instance}/api/v1/apps",
            data={"client_name": settings.app_name, "redirect_uris": redirect_uri, "scopes": settings.scopes},
        )
        body = response.json()
        app = (str(body["client_id"]), str(body["client_secret"]))
        with self._lock:
            self._apps[(instance, redirect_uri)] = app
        return app

    def _learn_text_rules(self, context: ConnectorContext, instance: str) -> dict[str, int]:
        settings = self._settings(context)
        try:
            body = send(context, "GET", f"{instance}/api/v2/instance").json()
            statuses = body.get("configuration", {}).get("statuses", {})
            rules = (
                int(statuses.get("max_characters") or settings.character_limit),
                int(statuses.get("characters_reserved_per_url") or settings.url_weight),
            )
        except (ConnectorError, ValueError, AttributeError, TypeError):
            return {}  # older or unusual servers: the defaults stay in force
        with self._lock:
            self._text_rules[instance] = rules
        return {"max_characters": rules[0], "characters_reserved_per_url": rules[1]}

    def start_connect(self, context: ConnectorContext, *, state: str, instance: str | None = None) -> ConnectStart:
        settings = self._settings(context)
        default = instance_url(settings.default_instance)
        base = instance_url(instance) if instance else default
        if base != default and not base.startswith("https://"):
            # The ambassador names the server Clarion will call: only public https servers.
            raise ValidationFailed("the Mastodon instance must be an https address", field="instance")
        redirect_uri = context.redirect_uri or "urn:ietf:wg:oauth:2.0:oob"
        client_id, client_secret = self._register_app(context, base, redirect_uri)
        verifier = generate_token(64)
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": settings.scopes,
            "state": state,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return ConnectStart(
            authorize_url=f"{base}/oauth/authorize?" + urlencode(query),
            pending={
                "instance": base,
                "client_id": client_id,
                "client_secret": client_secret,
                "code_verifier": verifier,
                "redirect_uri": redirect_uri,
            },
        )

    def finish_connect(
        self, context: ConnectorContext, *, params: Mapping[str, str], pending: Mapping[str, Any]
    ) -> Credential:
        base = str(pending["instance"])
        code = params.get("code")
        if not code:
            raise ReconnectNeeded("Mastodon sent no authorization code; connect again", network=NETWORK)
        answer = request(
            context,
            "POST",
            f"{base}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": pending["redirect_uri"],
                "client_id": pending["client_id"],
                "client_secret": pending["client_secret"],
                "code_verifier": pending["code_verifier"],
                "scope": self._settings(context).scopes,
            },
        )
        if answer.status_code in (400, 401):  # invalid_grant: code used, expired or PKCE mismatch
            raise ReconnectNeeded(f"Mastodon refused the authorization: {_server_message(answer)}", network=NETWORK)
        raise_for_status(answer)
        token = answer.json()
        credential = Credential(access_token=str(token["access_token"]), instance=base)
        me = send(context, "GET", f"{base}/api/v1/accounts/verify_credentials", headers=_bearer(credential)).json()
        extra: dict[str, Any] = {"client_id": pending["client_id"], "client_secret": pending["client_secret"]}
        extra.update(self._learn_text_rules(context, base))
        return Credential(
            access_token=credential.access_token,
            account_id=str(me["id"]),
            handle=f"@{me['username']}@{urlsplit(base).netloc}",
            instance=base,
            scopes=tuple(str(token.get("scope") or self._settings(context).scopes).split()),
            extra=extra,
        )

    def refresh(self, context: ConnectorContext, credential: Credential) -> Credential:
        # Mastodon tokens never expire: a token refused after it worked was revoked, and only
        # connecting again can replace it.
        raise ReconnectNeeded("Mastodon no longer accepts this account's token; connect again", network=NETWORK)

    def revoke(self, context: ConnectorContext, credential: Credential) -> None:
        send(
            context,
            "POST",
            f"{credential.instance}/oauth/revoke",
            data={
                "client_id": credential.extra.get("client_id", ""),
                "client_secret": credential.extra.get("client_secret", ""),
                "token": credential.access_token,
            },
        )

    def follower_count(self, context: ConnectorContext, credential: Credential) -> int | None:
        me = send(
            context, "GET", f"{credential.instance}/api/v1/accounts/verify_credentials", headers=_bearer(credential)
        ).json()
        count = me.get("followers_count")
        return int(count) if isinstance(count, int) else None

    # -- publishing and metrics ---------------------------------------------------------------

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        rules = credential.extra.get("max_characters")
        if credential.instance and isinstance(rules, int):
            with self._lock:
                self._text_rules.setdefault(
                    credential.instance,
                    (rules, int(credential.extra.get("characters_reserved_per_url") or self.settings.url_weight)),
                )
        response = request(
            context,
            "POST",
            f"{credential.instance}/api/v1/statuses",
            creates=True,
            headers={**_bearer(credential), "Idempotency-Key": idempotency_key},
            data={"status": status_text(post), "visibility": "public"},
        )
        report_rate_limits(context, response)
        raise_for_status(response)
        status = response.json()
        return PublishedPost(
            external_id=str(status["id"]), url=status.get("url"), published_at=_parse_time(status.get("created_at"))
        )

    def find_post(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost | None:
        statuses = send(
            context,
            "GET",
            f"{credential.instance}/api/v1/accounts/{credential.account_id}/statuses",
            params={"limit": 40, "exclude_reblogs": "true"},
            headers=_bearer(credential),
        ).json()
        for status in statuses:
            card = status.get("card") or {}
            # Content is HTML: the link's ``&`` arrives as ``&amp;``.
            if post.link in html.unescape(str(status.get("content", ""))) or card.get("url") == post.link:
                return PublishedPost(
                    external_id=str(status["id"]),
                    url=status.get("url"),
                    published_at=_parse_time(status.get("created_at")),
                )
        return None

    def fetch_metrics(
        self, context: ConnectorContext, credential: Credential | None, external_ids: Sequence[str]
    ) -> list[MetricsSnapshot]:
        instance = (credential.instance if credential else None) or instance_url(
            self._settings(context).default_instance
        )
        headers = _bearer(credential) if credential else {}
        snapshots = []
        for external_id in external_ids:
            response = request(context, "GET", f"{instance}/api/v1/statuses/{external_id}", headers=headers)
            if response.status_code == 404:
                continue  # deleted on the network: nothing left to measure
            raise_for_status(response)
            status = response.json()
            snapshots.append(
                MetricsSnapshot(
                    external_id=str(external_id),
                    observed_at=utcnow(),
                    reactions=status.get("favourites_count"),
                    comments=status.get("replies_count"),
                    reposts=status.get("reblogs_count"),
                    quotes=status.get("quotes_count"),
                )
            )
        return snapshots

    def post_id_from_url(self, url: str) -> str | None:
        # https://instance/@name/123: the id on the author's own instance, the one the sync asks.
        match = POST_URL.match(url.strip())
        return match["id"] if match else None

    def delete_post(self, context: ConnectorContext, credential: Credential, external_id: str) -> None:
        url = f"{credential.instance}/api/v1/statuses/{external_id}"
        response = request(context, "DELETE", url, headers=_bearer(credential))
        if response.status_code != 404:  # already gone is what we wanted
            raise_for_status(response)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [MastodonConnector(engine.plugin_config(PLUGIN_NAME))]
