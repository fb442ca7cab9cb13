"""An ambassador cannot make Clarion connect inside its network, nor learn which internal ports are open."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from clarion.errors import DestinationRefused
from clarion.testing.fakes import FakeBluesky, FakeMastodon

CONNECT = "/api/v1/me/accounts/connect"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def fakes() -> Iterator[tuple[FakeMastodon, FakeBluesky]]:
    with FakeMastodon.running() as mastodon, FakeBluesky.running() as bluesky:
        yield mastodon, bluesky


@pytest.fixture
def clarion_engine(clarion_engine_factory, fakes):
    # Nothing allowed beyond public addresses: what a production install does by default.
    mastodon, bluesky = fakes
    return clarion_engine_factory(
        outbound_allow_networks=(),
        plugin_settings={
            "connector-mastodon": {"default_instance": mastodon.url},
            "connector-bluesky": {"default_service": bluesky.url},
        },
    )


def probes(fakes: tuple[FakeMastodon, FakeBluesky]) -> list[str]:
    mastodon, _ = fakes
    port = mastodon.url.rsplit(":", 1)[1]
    return [
        "https://127.0.0.1:5432",  # PostgreSQL listens there in the test set-up
        f"https://127.0.0.1:{closed_port()}",
        f"https://127.0.0.1:{port}",  # an open port serving HTTP
        "https://localhost",
        "https://[::ffff:127.0.0.1]",
        "https://[::1]:6379",
        "https://169.254.169.254",
        "https://10.0.0.1:1",
    ]


def test_mastodon_instances_inside_the_network_all_get_the_same_422(clarion_client, clarion_people, fakes):
    jan = clarion_people("jan")
    answers = [
        clarion_client.post(f"{CONNECT}/mastodon", json={"instance": url}, headers=jan.headers) for url in probes(fakes)
    ]
    assert {answer.status_code for answer in answers} == {422}
    assert {answer.json()["detail"] for answer in answers} == {DestinationRefused.MESSAGE}
    assert {answer.text for answer in answers} == {answers[0].text}
    assert fakes[0].requests == []


def test_bluesky_servers_inside_the_network_all_get_the_same_422(clarion_client, clarion_people, fakes):
    jan = clarion_people("jan")
    body = {"identifier": "jan.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
    answers = [
        clarion_client.post(f"{CONNECT}/bluesky", json={**body, "instance": url}, headers=jan.headers)
        for url in probes(fakes)
    ]
    assert {answer.status_code for answer in answers} == {422}
    assert {answer.text for answer in answers} == {answers[0].text}
    assert answers[0].json()["detail"] == DestinationRefused.MESSAGE


def test_the_configured_server_on_loopback_is_refused_too_unless_allowed(clarion_client, clarion_people):
    jan = clarion_people("jan")
    answer = clarion_client.post(f"{CONNECT}/mastodon", json={}, headers=jan.headers)
    assert answer.status_code == 422
    assert answer.json()["detail"] == DestinationRefused.MESSAGE


def test_a_loopback_server_allowed_by_the_setting_connects(clarion_engine_factory, clarion_people, fakes):
    from litestar.testing import TestClient

    from clarion.web.app import create_app

    mastodon, bluesky = fakes
    engine = clarion_engine_factory(
        outbound_allow_networks=("127.0.0.0/8",),
        plugin_settings={
            "connector-mastodon": {"default_instance": mastodon.url},
            "connector-bluesky": {"default_service": bluesky.url},
        },
    )
    jan = clarion_people("jan")
    with TestClient(create_app(engine=engine)) as client:
        started = client.post(f"{CONNECT}/mastodon", json={}, headers=jan.headers)
        assert started.status_code == 200, started.text
        assert started.json()["authorize_url"].startswith(mastodon.url)
        body = {"identifier": "jan.bsky.social", "password": "abcd-efgh-ijkl-mnop"}
        connected = client.post(f"{CONNECT}/bluesky", json=body, headers=jan.headers)
        assert connected.status_code == 200, connected.text
