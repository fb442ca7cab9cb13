"""What identity plugins receive (a request, framework-free) and return (who it is)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestInfo:
    """The parts of an HTTP request an identity provider may look at.

    Header names are lower-case; ``repeated`` names the headers sent more than once (``headers``
    holds their last value), so a provider can refuse an ambiguous identity. ``client_host`` is
    the address of the direct peer (the reverse proxy, when there is one), never a forwarded value.
    """

    method: str
    path: str
    headers: Mapping[str, str]
    client_host: str | None
    cookies: Mapping[str, str] = field(default_factory=dict)
    repeated: frozenset[str] = frozenset()

    def bearer_token(self) -> str | None:
        """The token of an ``Authorization: Bearer …`` header, if any."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return token.strip()
        return None


def client_address(peer: str | None, forwarded_for: Iterable[str], trusted_proxies: Sequence[str]) -> str | None:
    """The client's address: the direct peer, unless it is a trusted proxy that forwarded the request.

    Then ``X-Forwarded-For`` (every header sent, in order) is read from the right, skipping the
    trusted proxies, and the first other address is the client; whatever an untrusted sender
    writes there is never read, and an unreadable hop ends the walk at the last trusted one.
    """
    networks = [ipaddress.ip_network(entry, strict=False) for entry in trusted_proxies]

    def trusted(address: str | None) -> bool:
        try:
            parsed = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(parsed in network for network in networks)

    if not trusted(peer):
        return peer
    client = peer
    hops = [hop.strip() for value in forwarded_for for hop in value.split(",")]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break
        client = hop
        if not trusted(hop):
            break
    return client


@dataclass(frozen=True)
class Identity:
    """Who a request comes from, as an identity provider vouches.

    Attributes:
        external_id: The person's stable id in the intranet (the Ambassador's identity key).
        provider: Name of the plugin that recognised them, for audit.
        name: Display name, used to provision a new ambassador.
        email: E-mail, used to provision a new ambassador.
        ambassador_id: Set by providers that already know the database id (API tokens).
        credential: Which credential vouched, when there are several (an API token's prefix), for audit.
        session_id: The server-side session the request rides on (a signed-in cookie or session
            token), so sign-out can end it and forms can be bound to it.
    """

    external_id: str
    provider: str
    name: str | None = None
    email: str | None = None
    ambassador_id: int | None = None
    credential: str | None = None
    session_id: str | None = None
