"""X: weighted length (URLs count 23, an emoji 2, most scripts beyond Latin 2), web intent, API v2 publishing."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, NoReturn
from urllib.parse import quote, urlencode

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
    NotSupported,
    RateLimited,
    ReconnectNeeded,
    Transient,
)

PLUGIN_NAME = "connector-x"

WEIGHTED_LIMIT = 280
METRICS_BATCH = 100  # GET /2/tweets takes at most 100 ids
POST_URL = regex.compile(r"^https://(?:[\w-]+\.)?(?:x|twitter)\.com/[^/?#]+/status(?:es)?/(?P<id>\d{1,20})(?:[/?#]|$)")
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
# twitter-text counts explicit URLs and bare domains with common TLDs; trailing punctuation
# belongs to the sentence, not the URL.
URL_PATTERN = regex.compile(
    r"(?:https?://[^\s]+?|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|nl|de|be|fr|uk|eu|us|app|dev)"
    r"(?:/[^\s]*?)?)(?=[.,!?;:)\"']*(?:\s|$))",
    regex.IGNORECASE,
)
EMOJI = regex.compile(r"\p{Extended_Pictographic}|[\U0001F1E6-\U0001F1FF]")
GRAPHEME = regex.compile(r"\X")
# Code-point ranges X weighs as 1 (twitter-text configuration v3); all others weigh 2.
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _text_weight(text: str) -> int:
    weight = 0
    for cluster in GRAPHEME.findall(text):
        if EMOJI.search(cluster):
            weight += EMOJI_WEIGHT  # a whole emoji sequence (skin tone, flag, ZWJ family) counts once
            continue
        for character in cluster:
            code_point = ord(character)
            weight += 1 if any(low <= code_point <= high for low, high in LIGHT_RANGES) else 2
    return weight


def weighted_length(text: str) -> int:
    """Length of ``text`` as X counts it: each URL 23, each emoji 2, light characters 1, others 2."""
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in URL_PATTERN.finditer(text):
        length += _text_weight(text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return length + _text_weight(text[position:])


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(default="", description="OAuth 2.0 client id; empty: intent only.")
    client_secret: str = Field(default="", description="Client secret of a confidential client; use a $env reference.")
    api_base: str = "https://api.x.com"
    authorize_url: str = "https://x.com/i/oauth2/authorize"
    token_url: str = "https://api.x.com/2/oauth2/token"
    scopes: str = "tweet.read tweet.write users.read offline.access"


def post_text(post: SharePost) -> str:
    """The text X receives: the ambassador's words, the tracked link, then the hashtags."""
    hashtags = " ".join(f"#{tag}" for tag in post.hashtags)
    return f"{post.body} {hashtags}".strip()


class XConnector(Connector):
    key = "x"
    label = "X"
    typical_audience = 61  # the seeds' figure: a typical account has about 61 followers
    plugin_name = PLUGIN_NAME
    metrics_batch_size = METRICS_BATCH

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    @property  # API publishing exists only once an app is configured
    def capabilities(self) -> frozenset[Capability]:
        if self.settings.client_id:
            return frozenset({Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS, Capability.DELETE})
        return frozenset({Capability.INTENT})

    @property
    def auth_kind(self) -> AuthKind:
        return AuthKind.OAUTH2 if self.settings.client_id else AuthKind.NONE

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(weighted_length(post_text(post)), WEIGHTED_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        parameters = {"text": post.text, "url": post.link}
        if post.hashtags:
            parameters["hashtags"] = ",".join(post.hashtags)
        return "https://x.com/intent/tweet?" + urlencode(parameters)

    # -- API publishing ------------------------------------------------------------------------

    def _settings(self, context: ConnectorContext) -> Settings:
        settings = context.settings if isinstance(context.settings, Settings) else self.settings
        if not settings.client_id:
            raise NotSupported("X publishing is not configured (no client_id)", network=self.key)
        return settings

    def _fail(self, response: httpx.Response, *, content: bool = False) -> NoReturn:
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = str(
            body.get("detail") or body.get("error_description") or body.get("title") or response.reason_phrase
        )
        status = response.status_code
        if status == 401:
            raise AuthExpired(f"X refused the token: {message}", network=self.key)
        if status == 403:
            if "duplicate" in message.lower():
                raise ContentRejected(f"X refused the post: {message}", network=self.key)
            raise MissingPermission(f"X denied access: {message}", network=self.key)
        if status == 429:
            raise RateLimited(f"X rate limit: {message}", network=self.key, retry_after=retry_after(response))
        if status >= 500:
            raise Transient(f"X failed ({status}): {message}", network=self.key)
        if content and status in (400, 422):
            raise ContentRejected(f"X refused the post: {message}", network=self.key)
        raise ConnectorError(f"X answered {status}: {message}", network=self.key)

    def _send(
        self, context: ConnectorContext, method: str, url: str, *, creates: bool = False, **kwargs: Any
    ) -> httpx.Response:
        return http_send(context, method, url, network=self.key, label=self.label, creates=creates, **kwargs)

    def _api(
        self, context: ConnectorContext, credential: Credential, method: str, path: str, **kwargs: Any
    ) -> httpx.Response:
        settings = self._settings(context)
        headers = {"Authorization": f"Bearer {credential.access_token}"}
        return self._send(context, method, f"{settings.api_base}{path}", headers=headers, **kwargs)

    def _token(self, context: ConnectorContext, form: Mapping[str, str]) -> dict[str, Any]:
        settings = self._settings(context)
        data, auth = self._client_auth(settings, form)
        response = self._send(context, "POST", settings.token_url, data=data, auth=auth)
        if response.status_code in (400, 401):
            try:
                detail = response.json().get("error_description", "the grant was refused")
            except ValueError:
                detail = "the grant was refused"
            raise ReconnectNeeded(f"X refused the connection: {detail}", network=self.key)
        if response.status_code != 200:
            self._fail(response)
        return response.json()

    @staticmethod
    def _client_auth(settings: Settings, form: Mapping[str, str]) -> tuple[dict[str, str], Any]:
        # Confidential clients authenticate with HTTP Basic; public clients name themselves.
        if settings.client_secret:
            return dict(form), httpx.BasicAuth(settings.client_id, settings.client_secret)
        return {**form, "client_id": settings.client_id}, None

    def _credential(self, tokens: Mapping[str, Any], previous: Credential | None = None) -> Credential:
        expires_in = tokens.get("expires_in")
        scope = tokens.get("scope")
        return Credential(
            access_token=tokens["access_token"],
            refresh_token=tokens.get("refresh_token") or (previous.refresh_token if previous else None),
            expires_at=utcnow() + timedelta(seconds=expires_in) if expires_in else None,
            account_id=previous.account_id if previous else None,
            handle=previous.handle if previous else None,
            scopes=tuple(scope.split()) if scope else (previous.scopes if previous else ()),
            extra=dict(previous.extra) if previous else {},
        )

    def _me(self, context: ConnectorContext, credential: Credential) -> dict[str, Any]:
        response = self._api(context, credential, "GET", "/2/users/me", params={"user.fields": "public_metrics"})
        if response.status_code != 200:
            self._fail(response)
        return response.json()["data"]

    def start_connect(self, context: ConnectorContext, *, state: str, instance: str | None = None) -> ConnectStart:
        settings = self._settings(context)
        verifier = generate_token(64)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": settings.client_id,
                "redirect_uri": context.redirect_uri or "",
                "scope": settings.scopes,
                "state": state,
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            },
            quote_via=quote,
        )
        return ConnectStart(
            authorize_url=f"{settings.authorize_url}?{query}", pending={"state": state, "code_verifier": verifier}
        )

    def finish_connect(
        self, context: ConnectorContext, *, params: Mapping[str, str], pending: Mapping[str, Any]
    ) -> Credential:
        if "error" in params:
            detail = params.get("error_description") or params["error"]
            raise MissingPermission(f"X did not grant access: {detail}", network=self.key)
        if pending.get("state") and params.get("state") != pending["state"]:
            raise ReconnectNeeded("the X answer does not match this connection", network=self.key)
        tokens = self._token(
            context,
            {
                "grant_type": "authorization_code",
                "code": params.get("code", ""),
                "redirect_uri": context.redirect_uri or "",
                "code_verifier": str(pending.get("code_verifier", "")),
            },
        )
        credential = self._credential(tokens)
        me = self._me(context, credential)
        return Credential(
            access_token=credential.access_token,
            refresh_token=credential.refresh_token,
            expires_at=credential.expires_at,
            account_id=me["id"],
            handle=me.get("username"),
            scopes=credential.scopes,
        )

    def refresh(self, context: ConnectorContext, credential: Credential) -> Credential:
        if not credential.refresh_token:
            raise ReconnectNeeded("your X connection expired; connect again", network=self.key)
        # Single-use: the answer carries a new refresh token and the old one is dead from now on.
        tokens = self._token(context, {"grant_type": "refresh_token", "refresh_token": credential.refresh_token})
        return self._credential(tokens, previous=credential)

    def revoke(self, context: ConnectorContext, credential: Credential) -> None:
        settings = self._settings(context)
        tokens = [(credential.refresh_token, "refresh_token"), (credential.access_token, "access_token")]
        for token, hint in tokens:
            if not token:
                continue
            data, auth = self._client_auth(settings, {"token": token, "token_type_hint": hint})
            response = self._send(context, "POST", f"{settings.api_base}/2/oauth2/revoke", data=data, auth=auth)
            if response.status_code != 200:
                self._fail(response)

    def follower_count(self, context: ConnectorContext, credential: Credential) -> int | None:
        return self._me(context, credential).get("public_metrics", {}).get("followers_count")

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        text = post_text(post)
        check = self.check_text(post)
        if not check.ok:
            raise ContentRejected(check.problems[0], network=self.key)  # every post with a URL is billed
        response = self._api(context, credential, "POST", "/2/tweets", creates=True, json={"text": text})
        report_rate_limits(context, response)
        if response.status_code != 201:
            self._fail(response, content=True)
        post_id = response.json()["data"]["id"]
        return PublishedPost(external_id=post_id, url=self._permalink(credential, post_id), published_at=utcnow())

    @staticmethod
    def _permalink(credential: Credential, post_id: str) -> str:
        return f"https://x.com/{credential.handle or 'i/web'}/status/{post_id}"

    def find_post(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost | None:
        if not credential.account_id:
            raise NotSupported("the X account id is unknown; connect again", network=self.key)
        response = self._api(
            context,
            credential,
            "GET",
            f"/2/users/{credential.account_id}/tweets",
            params={"max_results": 100, "tweet.fields": "created_at,entities"},
        )
        if response.status_code != 200:
            self._fail(response)
        for tweet in response.json().get("data", []):
            # X shows t.co links in the text; the tracked link is in the expanded URLs.
            expanded = [url.get("expanded_url") for url in tweet.get("entities", {}).get("urls", [])]
            if post.link in expanded or post.link in tweet.get("text", ""):
                created = tweet.get("created_at")
                return PublishedPost(
                    external_id=tweet["id"],
                    url=self._permalink(credential, tweet["id"]),
                    published_at=datetime.fromisoformat(created.replace("Z", "+00:00")) if created else None,
                )
        return None

    def fetch_metrics(
        self, context: ConnectorContext, credential: Credential | None, external_ids: Sequence[str]
    ) -> list[MetricsSnapshot]:
        if credential is None:
            raise NotSupported("X reads metrics only with the author's token", network=self.key)
        snapshots: list[MetricsSnapshot] = []
        ids = list(dict.fromkeys(external_ids))
        for start in range(0, len(ids), METRICS_BATCH):
            batch = ids[start : start + METRICS_BATCH]
            response = self._api(
                context,
                credential,
                "GET",
                "/2/tweets",
                params={"ids": ",".join(batch), "tweet.fields": "public_metrics"},
            )
            if response.status_code != 200:
                self._fail(response)
            observed = utcnow()
            # Deleted or hidden posts come back under "errors", not "data": no snapshot for them.
            for tweet in response.json().get("data", []):
                metrics = tweet.get("public_metrics", {})
                snapshots.append(
                    MetricsSnapshot(
                        external_id=tweet["id"],
                        observed_at=observed,
                        impressions=metrics.get("impression_count"),
                        reactions=metrics.get("like_count"),
                        comments=metrics.get("reply_count"),
                        reposts=metrics.get("retweet_count"),
                        quotes=metrics.get("quote_count"),
                    )
                )
        return snapshots

    def post_id_from_url(self, url: str) -> str | None:
        match = POST_URL.match(url.strip())
        return match["id"] if match else None

    def delete_post(self, context: ConnectorContext, credential: Credential, external_id: str) -> None:
        response = self._api(context, credential, "DELETE", f"/2/tweets/{external_id}")
        if response.status_code == 404:
            return  # already gone: the retraction's goal is met
        if response.status_code != 200:
            self._fail(response)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [XConnector(engine.plugin_config(PLUGIN_NAME))]
