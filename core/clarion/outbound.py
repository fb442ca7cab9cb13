"""The one HTTP client for addresses a person gives: public destinations only, checked after DNS, connected pinned.

Every feature fetching an address an ambassador or admin names (Mastodon instance, Bluesky server,
OIDC issuer) uses :func:`outbound_client`. Its transport resolves the host itself, refuses every
address that is not public (also spelt as IPv6: mapped, 6to4, Teredo, NAT64) unless
``outbound_allow_networks`` lists it, and opens the socket to the very address it checked, so a
DNS answer that changes in between (rebinding) cannot steer it inside; TLS still checks the name.
A refused destination and one that does not answer raise the same :class:`DestinationRefused`:
nobody learns which internal ports are open.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterable, Sequence
from typing import Any

import httpcore
import httpx

from clarion.errors import DestinationRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: an IPv4 address in the last 32 bits
# Refused whole, whatever this Python's ``is_global`` says of some of their addresses (it varies).
SPECIAL_PURPOSE = tuple(
    ipaddress.ip_network(n) for n in ("192.0.0.0/24", "198.18.0.0/15", "2001::/23", "2001:db8::/32")
)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo client, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF) if address in NAT64 else None


def _inside(address: IPAddress, networks: Iterable[IPNetwork]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``["127.0.0.0/8", "::1"]`` → networks; ``ValueError`` names a value that is none."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not a network in CIDR notation (e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def is_allowed(address: IPAddress, allow: Sequence[IPNetwork] = ()) -> bool:
    """Public, or inside ``allow``. ``::ffff:a.b.c.d`` is judged as ``a.b.c.d``; 6to4, Teredo and
    NAT64 addresses must pass for the IPv4 address they embed too."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if _inside(address, allow):
        return True
    flags = ("is_private", "is_loopback", "is_link_local", "is_unspecified", "is_multicast", "is_reserved")
    if not address.is_global or any(getattr(address, flag) for flag in flags) or _inside(address, SPECIAL_PURPOSE):
        return False
    embedded = embedded_ipv4(address)
    return embedded is None or is_allowed(embedded, allow)


def allowed_addresses(host: str, port: int, allow: Sequence[IPNetwork] = ()) -> list[str]:
    """The addresses ``host`` resolves to that Clarion may connect to, in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    found: list[str] = []
    for *_rest, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # a zone index (fe80::1%eth0) names no other host
        if text not in found and is_allowed(ipaddress.ip_address(text), allow):
            found.append(text)
    return found


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to checked addresses: the pin against rebinding."""

    def __init__(self, allow: Sequence[IPNetwork]) -> None:
        self.allow = tuple(allow)

    def connect_tcp(self, host: str, port: int, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in allowed_addresses(host, port, self.allow):
            try:
                return super().connect_tcp(address, port, *args, **kwargs)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise DestinationRefused() from failure  # refused, unresolvable, closed or silent: one answer

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise DestinationRefused()


class OutboundTransport(httpx.HTTPTransport):
    """An ``httpx.HTTPTransport`` whose connections go through :class:`CheckedBackend`."""

    def __init__(self, allow: Sequence[IPNetwork] = (), *, verify: ssl.SSLContext | None = None) -> None:
        ssl_context = verify if verify is not None else httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        # httpx takes no network backend: its pool is rebuilt with ours (decision: safe outbound client).
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=CheckedBackend(allow))


def outbound_client(
    allow_networks: Iterable[str] = (),
    *,
    timeout: httpx.Timeout | float = 15.0,
    verify: ssl.SSLContext | None = None,
    **kwargs: Any,
) -> httpx.Client:
    """An ``httpx.Client`` reaching only public addresses or ``allow_networks`` (CIDR).

    Redirects are not followed and proxies from the environment are ignored, so the connection
    goes where it was checked. ``verify`` is the ``ssl.SSLContext`` (httpx's default when ``None``);
    ``kwargs`` go to ``httpx.Client``.
    """
    kwargs.setdefault("follow_redirects", False)
    transport = OutboundTransport(parse_networks(allow_networks), verify=verify)
    return httpx.Client(timeout=timeout, transport=transport, trust_env=False, **kwargs)
