"""Bluesky: app-password sessions, posts with UTF-8 facets and a link card, metrics from getPosts.

What is counted: Bluesky limits the *visible* text to 300 graphemes. Clarion sends the
ambassador's words, then the tracked link shown without its scheme (shortened to
:data:`LINK_DISPLAY_LIMIT` characters with ``…`` when longer) and the hashtags; a link facet
carries the full tracked link and tag facets the hashtags, their offsets in UTF-8 bytes. So the
count is the graphemes of exactly that visible text. The share intent cannot carry facets: the
full link is in its text and Bluesky's composer shortens it the same way.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import regex
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

PLUGIN_NAME = "connector-bluesky"
NETWORK = "bluesky"
GRAPHEME_LIMIT = 300
LINK_DISPLAY_LIMIT = 32
METRICS_BATCH = 25  # app.bsky.feed.getPosts takes at most 25 URIs
# A post link names its author by DID or by handle; only a DID makes an AT URI without a lookup.
POST_URL = regex.compile(
    r"^https://bsky\.app/profile/(?P<did>did:[a-z]+:[A-Za-z0-9._:%-]+)/post/(?P<rkey>[A-Za-z0-9._~-]{1,512})/?$"
)
POST_COLLECTION = "app.bsky.feed.post"
GRAPHEME = regex.compile(r"\X")
TOKEN_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing"}


class Settings(BaseModel):
    """``[plugins.connector-bluesky]``."""

    model_config = ConfigDict(extra="forbid")

    default_service: str = Field(
        default="https://bsky.social", description="PDS used when the ambassador names none (the Bluesky host)."
    )
    public_appview: str = Field(
        default="https://public.api.bsky.app",
        description="Public AppView read without signing in, for the figures of verified intent shares "
        "(no stored session; a PDS answers such reads only when signed in).",
    )


def service_url(service: str) -> str:
    service = service.strip().rstrip("/")
    return service if "://" in service else f"https://{service}"


def link_display(link: str) -> str:
    """The tracked link as shown in the post: no scheme, at most :data:`LINK_DISPLAY_LIMIT` characters."""
    shown = link.split("://", 1)[-1]
    return shown if len(shown) <= LINK_DISPLAY_LIMIT else shown[: LINK_DISPLAY_LIMIT - 1] + "…"


def _utf8_length(text: str) -> int:
    return len(text.encode("utf-8"))


def post_record_text(post: SharePost) -> tuple[str, list[dict[str, Any]]]:
    """The visible text Clarion posts and its facets (UTF-8 byte offsets) for link and hashtags."""
    text = f"{post.text} " if post.text else ""
    facets: list[dict[str, Any]] = []
    start = _utf8_length(text)
    text += link_display(post.link)
    facets.append(
        {
            "index": {"byteStart": start, "byteEnd": _utf8_length(text)},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": post.link}],
        }
    )
    for tag in post.hashtags:
        text += " "
        start = _utf8_length(text)
        text += f"#{tag}"
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": _utf8_length(text)},
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return text, facets


def _jwt_expiry(token: str) -> datetime | None:
    # Read, never trust: the PDS checks the token; the expiry only tells when to refresh.
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError, binascii.Error):
        return None


def _error(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:300]
    if not isinstance(body, dict):
        return "", str(body)[:300]
    return str(body.get("error") or ""), str(body.get("message") or body.get("error") or "")[:300]


def raise_for_status(response: httpx.Response, *, content: bool = False) -> None:
    """Translate an XRPC error answer; ``content`` marks a post write, where InvalidRequest is the post's fault."""
    status = response.status_code
    if status < 400:
        return
    code, message = _error(response)
    if code in TOKEN_ERRORS or status == 401:
        raise AuthExpired(f"Bluesky refused the session: {code or message}", network=NETWORK)
    if status == 429:
        raise RateLimited("Bluesky rate limit reached", network=NETWORK, retry_after=retry_after(response))
    if status == 403:
        raise MissingPermission(f"Bluesky does not allow this: {message}", network=NETWORK)
    if status >= 500:
        raise Transient(f"Bluesky answered {status}: {message}", network=NETWORK)
    if content and status == 400:
        raise ContentRejected(f"Bluesky refused the post: {message}", network=NETWORK)
    raise ConnectorError(f"Bluesky answered {status} {code}: {message}", network=NETWORK)


def request(
    context: ConnectorContext, method: str, url: str, *, creates: bool = False, **kwargs: Any
) -> httpx.Response:
    """One XRPC call, transport failures translated (``creates``: losing the answer loses the outcome)."""
    return http_send(context, method, url, network=NETWORK, label="Bluesky", creates=creates, **kwargs)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class BlueskyConnector(Connector):
    key = NETWORK
    label = "Bluesky"
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS, Capability.DELETE})
    auth_kind = AuthKind.APP_PASSWORD
    plugin_name = PLUGIN_NAME
    post_url_hosts = frozenset({"bsky.app"})
    metrics_batch_size = METRICS_BATCH

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    def check_text(self, post: SharePost) -> TextCheck:
        text, _facets = post_record_text(post)
        return length_check(len(GRAPHEME.findall(text)), GRAPHEME_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        hashtags = " ".join(f"#{tag}" for tag in post.hashtags)
        return "https://bsky.app/intent/compose?" + urlencode({"text": f"{post.body} {hashtags}".strip()})

    def _service(self, context: ConnectorContext, credential: Credential | None = None) -> str:
        if credential is not None and credential.instance:
            return credential.instance
        settings = context.settings if isinstance(context.settings, Settings) else self.settings
        return service_url(settings.default_service)

    def _credential(self, session: Mapping[str, Any], service: str) -> Credential:
        return Credential(
            access_token=str(session["accessJwt"]),
            refresh_token=str(session["refreshJwt"]),
            expires_at=_jwt_expiry(str(session["accessJwt"])),
            account_id=str(session["did"]),
            handle=str(session.get("handle") or session["did"]),
            instance=service,
        )

    def connect_with_password(
        self, context: ConnectorContext, *, identifier: str, password: str, instance: str | None = None
    ) -> Credential:
        default = self._service(context)
        service = service_url(instance) if instance else default
        if service != default and not service.startswith("https://"):
            # The ambassador names the server Clarion will call: only public https servers.
            raise ValidationFailed("the Bluesky server must be an https address", field="instance")
        response = request(
            context,
            "POST",
            f"{service}/xrpc/com.atproto.server.createSession",
            json={"identifier": identifier, "password": password},
        )
        if response.status_code == 401:
            raise ReconnectNeeded("Bluesky refused this handle or app password", network=NETWORK)
        raise_for_status(response)
        return self._credential(response.json(), service)

    def refresh(self, context: ConnectorContext, credential: Credential) -> Credential:
        if not credential.refresh_token:
            raise ReconnectNeeded("no Bluesky session to refresh; connect again", network=NETWORK)
        service = self._service(context, credential)
        response = request(
            context,
            "POST",
            f"{service}/xrpc/com.atproto.server.refreshSession",
            headers=_bearer(credential.refresh_token),
        )
        if response.status_code in (400, 401):
            _code, message = _error(response)
            raise ReconnectNeeded(f"Bluesky refused to refresh the session: {message}", network=NETWORK)
        raise_for_status(response)
        return self._credential(response.json(), service)

    def revoke(self, context: ConnectorContext, credential: Credential) -> None:
        if not credential.refresh_token:
            return
        response = request(
            context,
            "POST",
            f"{self._service(context, credential)}/xrpc/com.atproto.server.deleteSession",
            headers=_bearer(credential.refresh_token),
        )
        raise_for_status(response)

    def follower_count(self, context: ConnectorContext, credential: Credential) -> int | None:
        response = request(
            context,
            "GET",
            f"{self._service(context, credential)}/xrpc/app.bsky.actor.getProfile",
            params={"actor": credential.account_id},
            headers=_bearer(credential.access_token),
        )
        raise_for_status(response)
        count = response.json().get("followersCount")
        return int(count) if isinstance(count, int) else None

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        # createRecord takes no idempotency key: after an unknown outcome the engine reconciles
        # with find_post. The link card carries no thumbnail (that needs an image upload).
        text, facets = post_record_text(post)
        created_at = utcnow()
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": created_at.isoformat().replace("+00:00", "Z"),
            "facets": facets,
            "embed": {
                "$type": "app.bsky.embed.external",
                "external": {"uri": post.link, "title": post.title or post.link, "description": post.text},
            },
        }
        if post.language:
            record["langs"] = [post.language]  # feeds and translation read it; the AppView never guesses
        response = request(
            context,
            "POST",
            f"{self._service(context, credential)}/xrpc/com.atproto.repo.createRecord",
            creates=True,
            headers=_bearer(credential.access_token),
            json={"repo": credential.account_id, "collection": POST_COLLECTION, "record": record},
        )
        report_rate_limits(context, response)
        raise_for_status(response, content=True)
        uri = str(response.json()["uri"])
        return PublishedPost(external_id=uri, url=self._web_url(credential, uri), published_at=created_at)

    def _web_url(self, credential: Credential, uri: str) -> str:
        return f"https://bsky.app/profile/{credential.handle or credential.account_id}/post/{_rkey(uri)}"

    def find_post(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost | None:
        response = request(
            context,
            "GET",
            f"{self._service(context, credential)}/xrpc/app.bsky.feed.getAuthorFeed",
            params={"actor": credential.account_id, "limit": 50, "filter": "posts_no_replies"},
            headers=_bearer(credential.access_token),
        )
        raise_for_status(response)
        for item in response.json().get("feed", []):
            view = item.get("post", {})
            record = view.get("record", {})
            links = {
                feature.get("uri") for facet in record.get("facets") or [] for feature in facet.get("features") or []
            }
            links.add((record.get("embed") or {}).get("external", {}).get("uri"))
            if post.link in links or post.link in str(record.get("text", "")):
                uri = str(view["uri"])
                return PublishedPost(
                    external_id=uri,
                    url=self._web_url(credential, uri),
                    published_at=_parse_time(record.get("createdAt")),
                )
        return None

    def fetch_metrics(
        self, context: ConnectorContext, credential: Credential | None, external_ids: Sequence[str]
    ) -> list[MetricsSnapshot]:
        if credential is None:
            # A verified intent share: no session to sign in with, and a PDS proxies reads to the
            # AppView only for signed-in callers; the public AppView answers anyone.
            settings = context.settings if isinstance(context.settings, Settings) else self.settings
            headers: dict[str, str] = {}
            url = f"{service_url(settings.public_appview)}/xrpc/app.bsky.feed.getPosts"
        else:
            headers = _bearer(credential.access_token)
            url = f"{self._service(context, credential)}/xrpc/app.bsky.feed.getPosts"
        snapshots = []
        for first in range(0, len(external_ids), METRICS_BATCH):
            batch = list(external_ids[first : first + METRICS_BATCH])
            response = request(context, "GET", url, params=[("uris", uri) for uri in batch], headers=headers)
            raise_for_status(response)
            observed_at = utcnow()
            # Deleted posts are simply missing from the answer.
            snapshots.extend(
                MetricsSnapshot(
                    external_id=str(view["uri"]),
                    observed_at=observed_at,
                    reactions=view.get("likeCount"),
                    comments=view.get("replyCount"),
                    reposts=view.get("repostCount"),
                    quotes=view.get("quoteCount"),
                )
                for view in response.json().get("posts", [])
            )
        return snapshots

    def post_id_from_url(self, url: str) -> str | None:
        match = POST_URL.match(url.strip())
        return f"at://{match['did']}/{POST_COLLECTION}/{match['rkey']}" if match else None

    def delete_post(self, context: ConnectorContext, credential: Credential, external_id: str) -> None:
        response = request(
            context,
            "POST",
            f"{self._service(context, credential)}/xrpc/com.atproto.repo.deleteRecord",
            headers=_bearer(credential.access_token),
            json={"repo": credential.account_id, "collection": POST_COLLECTION, "rkey": _rkey(external_id)},
        )
        raise_for_status(response)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [BlueskyConnector(engine.plugin_config(PLUGIN_NAME))]
