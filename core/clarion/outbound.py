"""The one HTTP client for URLs a person gives: public destinations only, checked after DNS, connected pinned.

Every feature that fetches an address an ambassador or an admin names (a Mastodon instance, a
Bluesky server, an identity provider's discovery document) uses :func:`outbound_client`. Its
transport resolves the host itself, refuses every address that is not public (private, loopback,
link-local, unspecified, multicast, reserved, shared, and IPv6 forms embedding one of those)
unless ``outbound_allow_networks`` lists it, and opens the TCP connection to the very address it
checked, so a DNS answer that changes between check and connect (rebinding) cannot steer it
inside. TLS still verifies the certificate against the host name.

A refused destination and a destination that does not answer raise the same
:class:`DestinationRefused`, with the same sentence: the caller learns nothing about which
internal ports are open.
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

# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Special-purpose blocks refused whole, whatever this Python's ``is_global`` says of a few of their
# addresses (its tables differ between versions: 192.0.0.9, 2001:1::1 …).
SPECIAL_PURPOSE = tuple(
    ipaddress.ip_network(cidr) for cidr in ("192.0.0.0/24", "198.18.0.0/15", "2001::/23", "2001:db8::/32")
)


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, Teredo client, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _not_public(address: IPAddress) -> bool:
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or address.is_reserved
        or any(address.version == network.version and address in network for network in SPECIAL_PURPOSE)
    )


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``["127.0.0.0/8", "::1"]`` → networks; raises ``ValueError`` naming a value that is none."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise ValueError(f"{value!r} is not a network in CIDR notation (e.g. 10.0.0.0/8)") from None
    return tuple(networks)


def is_allowed(address: IPAddress, allow: Sequence[IPNetwork] = ()) -> bool:
    """Whether Clarion may connect to ``address``: a public address, or one inside ``allow``.

    An IPv4-mapped IPv6 address (``::ffff:127.0.0.1``) is judged as the IPv4 address it is; an
    address embedding another IPv4 address (6to4, Teredo, NAT64) must pass for both.
    """
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address.version == network.version and address in network for network in allow):
        return True
    if _not_public(address):
        return False
    embedded = embedded_ipv4(address)
    return embedded is None or is_allowed(embedded, allow)


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order; empty when it resolves to none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]  # a zone index (fe80::1%eth0) names no other host
        if text not in addresses:
            addresses.append(text)
    return addresses


def allowed_addresses(host: str, port: int, allow: Sequence[IPNetwork] = ()) -> list[str]:
    """The addresses of ``host`` Clarion may connect to, in the resolver's order."""
    allowed = []
    for text in resolve(host, port):
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            continue
        if is_allowed(address, allow):
            allowed.append(text)
    return allowed


class CheckedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to checked addresses: the pin against rebinding."""

    def __init__(self, allow: Sequence[IPNetwork]) -> None:
        self.allow = tuple(allow)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in allowed_addresses(host, port, self.allow):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        # Refused, unresolvable, closed or silent: one answer, so no port's state leaks.
        raise DestinationRefused() from failure

    def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.NetworkStream:
        raise DestinationRefused()


class OutboundTransport(httpx.HTTPTransport):
    """An ``httpx.HTTPTransport`` whose connections go through :class:`CheckedBackend`."""

    def __init__(self, allow: Sequence[IPNetwork] = (), *, verify: ssl.SSLContext | None = None) -> None:
        ssl_context = verify if verify is not None else httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        # httpx builds its pool without a way to pass a network backend; the pool is rebuilt
        # with the same SSL context and the checked backend (decision record: safe outbound client).
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=CheckedBackend(allow))


def outbound_client(
    allow_networks: Iterable[str] = (),
    *,
    timeout: httpx.Timeout | float = 15.0,
    verify: ssl.SSLContext | None = None,
    **kwargs: Any,
) -> httpx.Client:
    """An ``httpx.Client`` that connects only to public addresses or ``allow_networks``.

    Redirects are not followed (each hop would need its own check; httpx checks every hop's
    connection anyway, as they go through the same transport) and proxies from the environment
    are ignored, so the connection really goes where it was checked.

    Args:
        allow_networks: CIDR networks allowed although not public (``Settings.outbound_allow_networks``).
        timeout: httpx timeout.
        verify: The ``ssl.SSLContext`` checking certificates; httpx's default when ``None``.
        **kwargs: Passed to ``httpx.Client`` (headers, …).
    """
    kwargs.setdefault("follow_redirects", False)
    transport = OutboundTransport(parse_networks(allow_networks), verify=verify)
    return httpx.Client(timeout=timeout, transport=transport, trust_env=False, **kwargs)
