"""What identity plugins receive (a request, framework-free) and return (who it is)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestInfo:
    """The parts of an HTTP request an identity provider may look at.

    Header names are lower-case. ``client_host`` is the address of the direct peer (the
    reverse proxy, when there is one), never a forwarded value.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    client_host: str | None
    cookies: Mapping[str, str] = field(default_factory=dict)

    def bearer_token(self) -> str | None:
        """The token of an ``Authorization: Bearer …`` header, if any."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None


@dataclass(frozen=True)
class Identity:
    """Who a request comes from, as an identity provider vouches.

    Attributes:
        external_id: The person's stable id in the intranet (the Ambassador's identity key).
        provider: Name of the plugin that recognised them, for audit.
        name: Display name, used to provision a new ambassador.
        email: E-mail, used to provision a new ambassador.
        ambassador_id: Set by providers that already know the database id (API tokens).
        session_id: The server-side session the request rides on (a signed-in cookie or session
            token), so sign-out can end it and forms can be bound to it.
    """

    external_id: str
    provider: str
    name: str | None = None
    email: str | None = None
    ambassador_id: int | None = None
    session_id: str | None = None
