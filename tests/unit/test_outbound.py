"""The safe outbound client: which addresses it refuses, that it connects where it checked, one error for all."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clarion import outbound
from clarion.errors import DestinationRefused
from clarion.outbound import embedded_ipv4, is_allowed, outbound_client, parse_networks

NOT_PUBLIC = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
]
NOT_PUBLIC_V6 = ["::1/128", "::/128", "fe80::/10", "fc00::/7", "ff00::/8", "2001:db8::/32"]


def addresses_in(cidr: str) -> st.SearchStrategy[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    network = ipaddress.ip_network(cidr)
    first = int(network.network_address)
    return st.integers(first, first + network.num_addresses - 1).map(
        lambda number: ipaddress.ip_address(number) if network.version == 4 else ipaddress.IPv6Address(number)
    )


not_public_v4 = st.sampled_from(NOT_PUBLIC).flatmap(addresses_in)
not_public_v6 = st.sampled_from(NOT_PUBLIC_V6).flatmap(addresses_in)
public_v4 = (
    st.integers(0, 2**32 - 1)
    .map(ipaddress.IPv4Address)
    .filter(lambda address: address.is_global and not address.is_multicast and not address.is_reserved)
)


def mapped(address: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(f"::ffff:{address}")


def sixtofour(address: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80) | 1)


def nat64(address: ipaddress.IPv4Address) -> ipaddress.IPv6Address:
    return ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(address))


@given(not_public_v4)
def test_no_address_that_is_not_public_is_allowed_in_any_form(address):
    assert not is_allowed(address)
    assert not is_allowed(mapped(address))
    assert not is_allowed(sixtofour(address))
    assert not is_allowed(nat64(address))


@given(not_public_v6)
def test_ipv6_addresses_that_are_not_public_are_refused(address):
    assert not is_allowed(address)


@given(public_v4)
def test_public_addresses_are_allowed_in_every_form(address):
    assert is_allowed(address)
    assert is_allowed(mapped(address))
    assert embedded_ipv4(mapped(address)) == address
    assert embedded_ipv4(sixtofour(address)) == address
    assert embedded_ipv4(nat64(address)) == address


@given(st.sampled_from(NOT_PUBLIC + NOT_PUBLIC_V6).flatmap(lambda cidr: st.tuples(st.just(cidr), addresses_in(cidr))))
def test_an_allow_listed_network_is_allowed(pair):
    cidr, address = pair
    allow = parse_networks([cidr])
    assert is_allowed(address, allow)
    if address.version == 4:
        assert is_allowed(mapped(address), allow)  # ::ffff:127.0.0.1 is 127.0.0.1


@given(not_public_v4)
def test_allowing_one_network_allows_no_other(address):
    allow = parse_networks(["203.0.113.0/24"])
    assert not is_allowed(address, allow)


def test_a_value_that_is_not_a_network_is_named():
    with pytest.raises(ValueError, match="'intranet'"):
        parse_networks(["intranet"])


@pytest.fixture
def loopback_server() -> Iterator[str]:
    class Hello(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"hello {self.headers['host']}".encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refusal(url: str, allow: tuple[str, ...] = ()) -> str:
    with outbound_client(allow, timeout=2) as client, pytest.raises(DestinationRefused) as caught:
        client.get(url)
    return caught.value.detail


def test_probes_of_internal_addresses_all_get_the_same_sentence(loopback_server):
    port = loopback_server
    probes = [
        f"http://127.0.0.1:{port}/",  # open
        f"http://127.0.0.1:{closed_port()}/",  # closed
        "https://127.0.0.1:5432",
        "https://localhost",
        f"http://localhost:{port}/",
        "https://[::ffff:127.0.0.1]",
        f"http://[::ffff:127.0.0.1]:{port}/",
        "https://[::1]",
        "https://0.0.0.0",
        "http://169.254.169.254/latest/meta-data/",
        "https://name.invalid",  # does not resolve
    ]
    assert {refusal(url) for url in probes} == {DestinationRefused.MESSAGE}


def test_an_allow_listed_loopback_server_is_reached_and_a_closed_port_there_says_the_same(loopback_server):
    allow = ("127.0.0.0/8",)
    with outbound_client(allow, timeout=2) as client:
        assert client.get(f"http://127.0.0.1:{loopback_server}/").status_code == 200
        assert client.get(f"http://[::ffff:127.0.0.1]:{loopback_server}/").status_code == 200
    assert refusal(f"http://127.0.0.1:{closed_port()}/", allow) == DestinationRefused.MESSAGE


def test_the_connection_goes_to_the_address_that_was_checked(loopback_server, monkeypatch):
    """A name is resolved once, by Clarion; the socket opens to that answer, the Host header keeps the name."""
    resolved: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def resolver(host, port, *args, **kwargs):
        if host == "127.0.0.1":  # the socket connecting to the checked address
            return real_getaddrinfo(host, port, *args, **kwargs)
        resolved.append(host)
        answer = "127.0.0.1" if host == "pinned.example" else "10.1.2.3"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", resolver)
    with outbound_client(("127.0.0.0/8",), timeout=2) as client:
        answer = client.get(f"http://pinned.example:{loopback_server}/")
    assert answer.text == f"hello pinned.example:{loopback_server}"
    assert resolved == ["pinned.example"]
    # A name that resolves to a private address (DNS rebinding's second answer) is refused.
    assert refusal(f"http://rebound.example:{loopback_server}/", ("127.0.0.0/8",)) == DestinationRefused.MESSAGE


def test_proxies_from_the_environment_are_ignored(loopback_server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    with outbound_client(("127.0.0.0/8",), timeout=2) as client:
        assert client.get(f"http://127.0.0.1:{loopback_server}/").status_code == 200
