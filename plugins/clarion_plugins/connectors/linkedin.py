"""LinkedIn: literal character count, share-offsite intent, and Posts API publishing when configured."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, NoReturn
from urllib.parse import quote, urlencode

import httpx
from pydantic import BaseModel, ConfigDict, Field

from clarion import hookimpl
from clarion.clock import utcnow
from clarion.connector_http import exhausted_until_utc_midnight
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
    UnknownOutcome,
)

PLUGIN_NAME = "connector-linkedin"
# LinkedIn counts commentary literally; 3,000 is the composer's and the Posts API's limit.
COMMENTARY_LIMIT = 3000
# "Little text": these must be backslash-escaped even when they are not meant as markup.
RESERVED = re.compile(r"([|{}@\[\]()<>#\\*_~])")
# Member post analytics need the Community Management API product, approved per app.
ANALYTICS_SCOPE = "r_member_postAnalytics"
# memberCreatorPostAnalytics answers one metric per call.
METRIC_TYPES = {"IMPRESSION": "impressions", "REACTION": "reactions", "COMMENT": "comments", "RESHARE": "reposts"}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(default="", description="App client id; empty: intent only.")
    client_secret: str = Field(default="", description="App client secret; use a $env reference.")
    api_base: str = "https://api.linkedin.com"
    auth_base: str = "https://www.linkedin.com/oauth/v2"
    api_version: str = Field(default="202601", description="The LinkedIn-Version header (YYYYMM).")
    scopes: str = "openid profile w_member_social"


def escape_commentary(text: str) -> str:
    """``text`` with LinkedIn's little-text reserved characters backslash-escaped."""
    return RESERVED.sub(r"\\\1", text)


class LinkedInConnector(Connector):
    key = "linkedin"
    label = "LinkedIn"
    plugin_name = PLUGIN_NAME

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    @property  # API publishing exists only once an app is configured
    def capabilities(self) -> frozenset[Capability]:
        if not self.settings.client_id:
            return frozenset({Capability.INTENT})
        if ANALYTICS_SCOPE in self.settings.scopes.split():
            return frozenset({Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS})
        return frozenset({Capability.INTENT, Capability.API_PUBLISH})

    @property
    def auth_kind(self) -> AuthKind:
        return AuthKind.OAUTH2 if self.settings.client_id else AuthKind.NONE

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), COMMENTARY_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        # The feed composer is the only intent that takes commentary; it keeps the link too,
        # and LinkedIn builds the preview card from the page's Open Graph tags.
        return "https://www.linkedin.com/feed/?" + urlencode({"shareActive": "true", "text": post.body})

    # -- API publishing ------------------------------------------------------------------------

    def _settings(self, context: ConnectorContext) -> Settings:
        settings = context.settings if isinstance(context.settings, Settings) else self.settings
        if not settings.client_id:
            raise NotSupported("LinkedIn publishing is not configured (no client_id)", network=self.key)
        return settings

    def _fail(self, response: httpx.Response, *, content: bool = False) -> NoReturn:
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = str(body.get("message") or body.get("error_description") or response.reason_phrase)
        status = response.status_code
        if status == 401:
            raise AuthExpired(f"LinkedIn refused the token: {message}", network=self.key)
        if status == 403:
            raise MissingPermission(f"LinkedIn denied access: {message}", network=self.key)
        if status == 429:
            # LinkedIn sends no rate-limit headers; its daily windows reset at midnight UTC.
            now = utcnow()
            reset_at = exhausted_until_utc_midnight(now=now).reset_at
            assert reset_at is not None
            retry_after = (reset_at - now).total_seconds()
            raise RateLimited("LinkedIn's daily limit is reached", network=self.key, retry_after=retry_after)
        if status >= 500:
            raise Transient(f"LinkedIn failed ({status}): {message}", network=self.key)
        if content and status in (400, 422):
            raise ContentRejected(f"LinkedIn refused the post: {message}", network=self.key)
        raise ConnectorError(f"LinkedIn answered {status}: {message}", network=self.key)

    def _send(
        self, context: ConnectorContext, method: str, url: str, *, creates: bool = False, **kwargs: Any
    ) -> httpx.Response:
        return http_send(context, method, url, network=self.key, label=self.label, creates=creates, **kwargs)

    def _token(self, context: ConnectorContext, form: Mapping[str, str]) -> dict[str, Any]:
        settings = self._settings(context)
        data = {**form, "client_id": settings.client_id, "client_secret": settings.client_secret}
        response = self._send(context, "POST", f"{settings.auth_base}/accessToken", data=data)
        if response.status_code in (400, 401):
            try:
                detail = response.json().get("error_description", "the grant was refused")
            except ValueError:
                detail = "the grant was refused"
            raise ReconnectNeeded(f"LinkedIn refused the connection: {detail}", network=self.key)
        if response.status_code != 200:
            self._fail(response)
        return response.json()

    def _credential(self, tokens: Mapping[str, Any], previous: Credential | None = None) -> Credential:
        now = utcnow()
        expires_in = tokens.get("expires_in")
        scope = tokens.get("scope")
        extra = dict(previous.extra) if previous else {}
        if "refresh_token_expires_in" in tokens:
            extra["refresh_expires_at"] = (now + timedelta(seconds=tokens["refresh_token_expires_in"])).isoformat()
        return Credential(
            access_token=tokens["access_token"],
            # Partner refresh tokens do not rotate: keep the one we have when none comes back.
            refresh_token=tokens.get("refresh_token") or (previous.refresh_token if previous else None),
            expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
            account_id=previous.account_id if previous else None,
            handle=previous.handle if previous else None,
            scopes=tuple(re.split(r"[ ,]+", scope.strip())) if scope else (previous.scopes if previous else ()),
            extra=extra,
        )

    def start_connect(self, context: ConnectorContext, *, state: str, instance: str | None = None) -> ConnectStart:
        settings = self._settings(context)
        # A web backend is a confidential client; LinkedIn offers PKCE only to native apps.
        query = urlencode(
            {
                "response_type": "code",
                "client_id": settings.client_id,
                "redirect_uri": context.redirect_uri or "",
                "state": state,
                "scope": settings.scopes,
            },
            quote_via=quote,
        )
        return ConnectStart(authorize_url=f"{settings.auth_base}/authorization?{query}", pending={"state": state})

    def finish_connect(
        self, context: ConnectorContext, *, params: Mapping[str, str], pending: Mapping[str, Any]
    ) -> Credential:
        if "error" in params:
            detail = params.get("error_description") or params["error"]
            raise MissingPermission(f"LinkedIn did not grant access: {detail}", network=self.key)
        if pending.get("state") and params.get("state") != pending["state"]:
            raise ReconnectNeeded("the LinkedIn answer does not match this connection", network=self.key)
        tokens = self._token(
            context,
            {
                "grant_type": "authorization_code",
                "code": params.get("code", ""),
                "redirect_uri": context.redirect_uri or "",
            },
        )
        credential = self._credential(tokens)
        settings = self._settings(context)
        response = self._send(
            context,
            "GET",
            f"{settings.api_base}/v2/userinfo",
            headers={"Authorization": f"Bearer {credential.access_token}"},
        )
        if response.status_code != 200:
            self._fail(response)
        person = response.json()
        return Credential(
            access_token=credential.access_token,
            refresh_token=credential.refresh_token,
            expires_at=credential.expires_at,
            account_id=f"urn:li:person:{person['sub']}",
            handle=person.get("name"),
            scopes=credential.scopes,
            extra=credential.extra,
        )

    def refresh(self, context: ConnectorContext, credential: Credential) -> Credential:
        if not credential.refresh_token:
            # Only approved partners get refresh tokens; everyone else reconnects every 60 days.
            raise ReconnectNeeded("your LinkedIn connection expired; connect again", network=self.key)
        tokens = self._token(context, {"grant_type": "refresh_token", "refresh_token": credential.refresh_token})
        return self._credential(tokens, previous=credential)

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        settings = self._settings(context)
        words = " ".join([post.text, *(f"#{tag}" for tag in post.hashtags)]).strip()
        body = {
            "author": credential.account_id,
            "commentary": escape_commentary(words),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            # The Posts API does not scrape links: the card needs source and title given here.
            "content": {"article": {"source": post.link, "title": post.title or post.link}},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        response = self._send(
            context,
            "POST",
            f"{settings.api_base}/rest/posts",
            creates=True,
            json=body,
            headers={
                "Authorization": f"Bearer {credential.access_token}",
                "LinkedIn-Version": settings.api_version,
                "X-Restli-Protocol-Version": "2.0.0",
            },
        )
        if response.status_code == 429:
            context.report_rate_limit(exhausted_until_utc_midnight())
        if response.status_code != 201:
            self._fail(response, content=True)
        urn = response.headers.get("x-restli-id")
        if not urn:
            raise UnknownOutcome("LinkedIn accepted the post but did not say its id", network=self.key)
        return PublishedPost(external_id=urn, url=f"https://www.linkedin.com/feed/update/{urn}/", published_at=utcnow())

    def fetch_metrics(
        self, context: ConnectorContext, credential: Credential | None, external_ids: Sequence[str]
    ) -> list[MetricsSnapshot]:
        settings = self._settings(context)
        if credential is None or ANALYTICS_SCOPE not in settings.scopes.split():
            raise NotSupported(f"LinkedIn post metrics need the {ANALYTICS_SCOPE} scope", network=self.key)
        headers = {
            "Authorization": f"Bearer {credential.access_token}",
            "LinkedIn-Version": settings.api_version,
            "X-Restli-Protocol-Version": "2.0.0",
        }
        snapshots = []
        for urn in dict.fromkeys(external_ids):
            figures: dict[str, int] = {}
            for metric, name in METRIC_TYPES.items():
                # Rest.li wants the entity as a typed, encoded URN: (share:urn%3Ali%3Ashare%3A1).
                kind = "ugc" if urn.startswith("urn:li:ugcPost:") else "share"
                query = f"q=entity&entity=({kind}:{quote(urn, safe='')})&queryType={metric}&aggregation=TOTAL"
                url = f"{settings.api_base}/rest/memberCreatorPostAnalytics?{query}"
                response = self._send(context, "GET", url, headers=headers)
                if response.status_code != 200:
                    self._fail(response)
                figures[name] = sum(int(element.get("count", 0)) for element in response.json().get("elements", []))
            snapshots.append(MetricsSnapshot(external_id=urn, observed_at=utcnow(), **figures))
        return snapshots


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [LinkedInConnector(engine.plugin_config(PLUGIN_NAME))]
