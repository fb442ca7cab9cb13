"""The OIDC plugin's settings: ``[plugins.identity-oidc]`` in ``clarion.toml``.

These were ``[clarion]`` settings (``oidc_issuer``, ``oidc_client_id`` …) before OIDC sign-in became
a plugin; the old keys still work (:data:`clarion.config.MOVED_TO_PLUGINS`) with a warning naming
the new place, and so do the variables ``CLARION_OIDC_ISSUER``, ``CLARION_OIDC_CLIENT_ID`` and
``CLARION_OIDC_CLIENT_SECRET`` (:data:`clarion.config.PLUGIN_ENVIRONMENT`).
"""

from __future__ import annotations

from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

PLUGIN_NAME = "identity-oidc"
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)


class OidcSettings(BaseModel):
    """Where the intranet's identity provider is and how Clarion is registered there."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str | None = Field(
        default=None,
        description="OpenID Connect issuer of the intranet's identity provider; set, /auth/oidc/login signs people "
        "in with it.",
    )
    discovery_url: str | None = Field(
        default=None,
        description="The provider's discovery document; by default the issuer's /.well-known/openid-configuration.",
    )
    client_id: str | None = Field(default=None, description="Clarion's client id at the identity provider.")
    client_secret: SecretStr | None = Field(
        default=None,
        description='Clarion\'s client secret; write { "$env" = "NAME" } to read it from the environment.',
    )
    scopes: tuple[str, ...] = Field(
        default=("openid", "email", "profile"), description="Scopes asked for at sign-in; openid is always included."
    )
    external_id_claim: str = Field(
        default="sub",
        min_length=1,
        max_length=64,
        description="The ID token claim that is the ambassador's external id (sub, email, or another string claim).",
    )
    redirect_url: str | None = Field(
        default=None,
        description="The redirect URL registered at the provider; by default base_url + /auth/oidc/callback.",
    )
    algorithms: tuple[str, ...] = Field(
        default=("RS256",), description="Signature algorithms accepted on ID tokens (asymmetric only)."
    )
    timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Timeout of each request to the identity provider."
    )

    @field_validator("algorithms")
    @classmethod
    def _asymmetric_algorithms(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for name in value:
            if name not in ASYMMETRIC_ALGORITHMS:
                raise ValueError(
                    f"{name!r} is not an accepted ID token algorithm (use one of {sorted(ASYMMETRIC_ALGORITHMS)})"
                )
        if not value:
            raise ValueError("name at least one ID token algorithm, such as RS256")
        return value

    @field_validator("issuer", "discovery_url", "redirect_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.issuer is not None and not self.client_id:
            raise ValueError("issuer is set: set client_id too")
        return self

    @property
    def enabled(self) -> bool:
        """An issuer is configured: the sign-in routes work and the sign-in page offers the button."""
        return self.issuer is not None

    def secret(self) -> str | None:
        """The client secret in clear, for the token request only (``None`` for a public client)."""
        return None if self.client_secret is None else self.client_secret.get_secret_value()
