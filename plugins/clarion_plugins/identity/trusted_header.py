"""Trusted intranet header: the reverse proxy in front of Clarion says who the user is.

Only requests whose direct peer is a configured proxy address and that carry the shared
secret are believed; the same header from anywhere else is refused, never ignored.
"""

from __future__ import annotations

import hmac
import ipaddress

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clarion import hookimpl
from clarion.errors import BadRequest, NotAuthenticated
from clarion.identity import Identity, RequestInfo

PLUGIN_NAME = "identity-trusted-header"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    proxies: list[str] = Field(default_factory=list, description="Proxy addresses or networks (CIDR).")
    secret: str = Field(default="", description="Shared secret the proxy sends; use a $env reference.")
    user_header: str = "x-clarion-user"
    name_header: str = "x-clarion-user-name"
    email_header: str = "x-clarion-user-email"
    secret_header: str = "x-clarion-proxy-secret"

    @field_validator("proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # raises ValueError with the bad entry
        return value

    @field_validator("user_header", "name_header", "email_header", "secret_header")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()


def _from_proxy(settings: Settings, host: str | None) -> bool:
    if host is None:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(entry, strict=False) for entry in settings.proxies)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl(trylast=True)  # a company's own provider answers first
def clarion_identity_compute(engine, request: RequestInfo):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    user = request.headers.get(settings.user_header)
    if user is None:
        return None
    sent_twice = sorted(
        request.repeated & {settings.user_header, settings.name_header, settings.email_header, settings.secret_header}
    )
    if sent_twice:
        raise BadRequest(f"identity header {sent_twice[0]} was sent more than once; send it once")
    if not settings.proxies or not settings.secret:
        raise NotAuthenticated("identity headers are not accepted: no trusted proxy is configured")
    if not _from_proxy(settings, request.client_host):
        raise NotAuthenticated("identity header refused: the request did not come through the trusted proxy")
    sent = request.headers.get(settings.secret_header, "")
    if not hmac.compare_digest(sent.encode(), settings.secret.encode()):
        raise NotAuthenticated("identity header refused: the proxy secret does not match")
    if not user.strip():
        raise NotAuthenticated("identity header is empty")
    return Identity(
        external_id=user.strip(),
        provider=PLUGIN_NAME,
        name=request.headers.get(settings.name_header),
        email=request.headers.get(settings.email_header),
    )
