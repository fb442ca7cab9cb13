"""A tiny third-party connector plugin for "Hello Net", tested outside Clarion's repository.

``tests/test_testing_package.py`` copies this file and ``test_hello_net.py`` to a scratch
directory and runs pytest there: only the installed ``clarion`` package is importable.
"""

from __future__ import annotations

from urllib.parse import urlencode

from pydantic import BaseModel

from clarion import hookimpl
from clarion.connector_http import retry_after, send
from clarion.connectors import (
    AuthKind,
    Capability,
    Connector,
    ConnectorContext,
    Credential,
    PublishedPost,
    SharePost,
    TextCheck,
    length_check,
)
from clarion.errors import AuthExpired, RateLimited, Transient

PLUGIN_NAME = "hello-net"


class Settings(BaseModel):
    api_base: str = "https://api.hello-net.example"


class HelloNetConnector(Connector):
    key = "hello-net"
    label = "Hello Net"
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH})
    auth_kind = AuthKind.APP_PASSWORD
    plugin_name = PLUGIN_NAME

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), 400, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return "https://hello-net.example/share?" + urlencode({"text": post.body})

    def connect_with_password(
        self, context: ConnectorContext, *, identifier: str, password: str, instance: str | None = None
    ) -> Credential:
        return Credential(access_token=password, handle=identifier)

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        # Clarion's helpers: transport failures become Transient or UnknownOutcome, headers a wait.
        response = send(
            context,
            "POST",
            f"{self.settings.api_base}/posts",
            network=self.key,
            label=self.label,
            creates=True,
            json={"text": post.body},
            headers={"Authorization": f"Bearer {credential.access_token}"},
        )
        if response.status_code == 401:
            raise AuthExpired("Hello Net refused the token", network=self.key)
        if response.status_code == 429:
            raise RateLimited("Hello Net rate limit", network=self.key, retry_after=retry_after(response))
        if response.status_code >= 400:
            raise Transient(f"Hello Net answered {response.status_code}", network=self.key)
        return PublishedPost(external_id=response.json()["id"])


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [HelloNetConnector(engine.plugin_config(PLUGIN_NAME))]
