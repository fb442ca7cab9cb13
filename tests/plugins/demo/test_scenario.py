"""The demo scenario end to end, as ``clarion serve --demo`` sets it up, through the HTTP API.

In the demo, an ambassador connects a (fake) Mastodon and Bluesky account, shares now and
later, sees an X/LinkedIn/WhatsApp intent open with the tracked link in the text, a forced 429
is retried and lands once, and a forced auth failure surfaces as "reconnect needed".
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from litestar.testing import TestClient
from sqlmodel import select

from clarion.bootstrap import build_engine
from clarion.engine import Engine
from clarion.jobs import job_queue
from clarion.models import Ambassador, Share, utcnow
from clarion.testing import TEST_SECRET
from clarion.tokens import mint_token
from clarion.web.app import create_app
from clarion_plugins.demo import DEMO_AMBASSADOR
from clarion_plugins.demo.networks import (
    FORCE_AUTH_FAILURE,
    FORCE_RATE_LIMIT,
    DemoNetworks,
    DemoReady,
    connect_demo_accounts,
    running_demo_networks,
    set_up_demo,
)

RETRY_AFTER = 1  # seconds the forced 429 asks for; the demo itself says 5


@dataclass
class Demo:
    engine: Engine
    networks: DemoNetworks
    ready: DemoReady
    client: Any
    headers: dict[str, str]
    contents: list[int]

    def share(self, network: str, text: str, *, method: str = "api", **extra: Any) -> dict[str, Any]:
        body = {"content_id": self.contents.pop(0), "network": network, "text": text, "method": method, **extra}
        response = self.client.post("/api/v1/shares", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, share_id: int) -> dict[str, Any]:
        response = self.client.get(f"/api/v1/shares/{share_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def accounts(self) -> dict[str, dict[str, Any]]:
        response = self.client.get("/api/v1/me/accounts", headers=self.headers)
        assert response.status_code == 200, response.text
        return {account["network"]: account for account in response.json()}


def wait_for(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail("timed out waiting")


def fresh_free_contents(demo_engine: Engine, client: Any, headers: dict[str, str]) -> list[int]:
    """Feed items the demo ambassador may word freely and has never shared (no guardrail in the way)."""
    response = client.get("/api/v1/me/feed", params={"limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    with demo_engine.transaction() as session:
        ambassador = session.exec(select(Ambassador).where(Ambassador.external_id == DEMO_AMBASSADOR)).one()
        shared = set(session.exec(select(Share.content_id).where(Share.ambassador_id == ambassador.id)).all())
    return [
        item["id"] for item in response.json()["items"] if item["edit_policy"] == "free" and item["id"] not in shared
    ]


@pytest.fixture
def demo(clarion_settings_factory) -> Iterator[Demo]:
    with running_demo_networks(retry_after=RETRY_AFTER) as networks:
        # As `clarion serve --demo` builds it: the connectors pointed at the fakes, then set_up_demo.
        engine = build_engine(networks.apply(clarion_settings_factory(demo=True)))
        consumer = None
        try:
            ready = set_up_demo(engine)
            headers = {"Authorization": f"Bearer {mint_token(engine.settings.secret_key, DEMO_AMBASSADOR)}"}
            consumer = job_queue(engine).start_in_background(workers=2, periodic=False)
            with TestClient(create_app(engine=engine)) as client:
                contents = fresh_free_contents(engine, client, headers)
                assert len(contents) >= 10
                yield Demo(engine, networks, ready, client, headers, contents)
        finally:
            if consumer is not None:
                consumer.stop()
            engine.close()


def published(demo: Demo, share_id: int) -> dict[str, Any]:
    wait_for(lambda: demo.get(share_id)["status"] in ("published", "failed"))
    share = demo.get(share_id)
    assert share["status"] == "published", share["last_error"]
    return share


def mastodon_posts(demo: Demo, text: str) -> list[str]:
    with demo.networks.mastodon.lock:
        return [status.text for status in demo.networks.mastodon.statuses.values() if text in status.text]


def bluesky_posts(demo: Demo, text: str) -> list[dict[str, Any]]:
    with demo.networks.bluesky.lock:
        return [record.value for record in demo.networks.bluesky.records.values() if text in record.value["text"]]


@pytest.mark.slow
def test_the_demo_scenario(demo):
    # Connected through the real flows: OAuth with PKCE on Mastodon, an app password on Bluesky.
    accounts = demo.accounts()
    for network in ("mastodon", "bluesky"):
        assert accounts[network]["api_connected"] is True
        assert accounts[network]["status"] == "active"
    assert accounts["mastodon"]["handle"] == f"@noor@{demo.networks.mastodon.url.removeprefix('http://')}"
    assert accounts["bluesky"]["handle"] == "noor.kestrel.example"
    assert demo.networks.mastodon.count("/oauth/token") == 1
    assert demo.networks.bluesky.count("/xrpc/com.atproto.server.createSession") == 1

    # The guardrails stay on, as in the demo: at most 3 shares a network a day, so each network
    # gets three: Mastodon now, Bluesky later, then a forced 429 and a forced auth failure on each.

    # Share now: the post carries the share's tracked link.
    now = demo.share("mastodon", "Shared now on Mastodon")
    share = published(demo, now["id"])
    [status] = mastodon_posts(demo, "Shared now on Mastodon")
    assert status.startswith(f"Shared now on Mastodon {now['tracked_url']}")  # then the campaign's hashtags
    assert share["external_post_url"].startswith(demo.networks.mastodon.url)

    # Share later: scheduled, published at its time, the tracked link in the post's link facet.
    when = utcnow() + timedelta(seconds=3)
    later = demo.share("bluesky", "Scheduled on Bluesky", scheduled_at=when.isoformat())
    assert later["status"] == "scheduled"
    assert not bluesky_posts(demo, "Scheduled on Bluesky")
    share = published(demo, later["id"])
    assert share["published_at"] >= when.isoformat().replace("+00:00", "Z")[:19]
    [record] = bluesky_posts(demo, "Scheduled on Bluesky")
    assert record["facets"][0]["features"][0]["uri"] == later["tracked_url"]

    # Intent networks: the composer opens with the tracked link (/r/<code>) in the text.
    for network in ("x", "linkedin", "whatsapp"):
        intent = demo.share(network, f"Worth reading ({network})", method="intent")
        code = intent["tracked_url"].rsplit("/r/", 1)[1]
        assert intent["share_intent_url"].startswith("https://")
        assert f"/r/{code}" in unquote(intent["share_intent_url"]), intent["share_intent_url"]

    # A forced 429 is retried after Retry-After, and the post lands once.
    for network, posts in (("mastodon", mastodon_posts), ("bluesky", bluesky_posts)):
        started = time.monotonic()
        limited = demo.share(network, f"Busy network {FORCE_RATE_LIMIT} ({network})")
        share = published(demo, limited["id"])
        assert share["attempts"] == 2
        assert time.monotonic() - started >= RETRY_AFTER
        assert len(posts(demo, f"{FORCE_RATE_LIMIT} ({network})")) == 1

    # A forced auth failure: the share fails saying why, the account needs reconnecting.
    for network, label in (("mastodon", "Mastodon"), ("bluesky", "Bluesky")):
        refused = demo.share(network, f"Signed out {FORCE_AUTH_FAILURE} ({network})")
        wait_for(lambda refused=refused: demo.get(refused["id"])["status"] in ("published", "failed"))
        share = demo.get(refused["id"])
        assert share["status"] == "failed"
        assert share["last_error"].startswith(f"reconnect your {label} account")
        assert demo.accounts()[network]["status"] == "reconnect_needed"
    assert not mastodon_posts(demo, FORCE_AUTH_FAILURE)
    assert not bluesky_posts(demo, FORCE_AUTH_FAILURE)

    # Connecting again (what the ambassador does next) makes both accounts usable again.
    connect_demo_accounts(demo.engine)
    accounts = demo.accounts()
    assert (accounts["mastodon"]["status"], accounts["bluesky"]["status"]) == ("active", "active")


# -- the real command ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def refuses_connections(url: str) -> bool:
    try:
        httpx.get(url, timeout=1.0)
    except httpx.TransportError:
        return True
    return False


@pytest.mark.slow
def test_clarion_serve_demo_publishes_through_its_fake_networks(tmp_path):
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLARION_")}
    env.update(
        CLARION_DISABLE_PLUGIN_AUTOLOAD="1",
        CLARION_SECRET_KEY=TEST_SECRET,
        CLARION_DATABASE_URL=f"sqlite:///{tmp_path / 'clarion.db'}",
    )
    command = [sys.executable, "-c", "from clarion.cli import main; main()", "serve", "--demo", "--port", str(port)]
    with (tmp_path / "out.txt").open("w") as out, (tmp_path / "err.txt").open("w") as err:
        server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=out, stderr=err)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: server.poll() is not None or not refuses_connections(f"{base}/healthz"), timeout=180)
        assert server.poll() is None, (tmp_path / "err.txt").read_text()[-3000:]
        banner = (tmp_path / "out.txt").read_text()
        mastodon_url = re.search(r"Mastodon (http://127\.0\.0\.1:\d+): demo-ambassador is connected as @noor@", banner)
        assert mastodon_url, banner
        assert re.search(
            r"Bluesky +http://127\.0\.0\.1:\d+: demo-ambassador is connected as noor\.kestrel\.example", banner
        )
        assert FORCE_RATE_LIMIT in banner
        assert FORCE_AUTH_FAILURE in banner
        headers = {"Authorization": f"Bearer {mint_token(TEST_SECRET, DEMO_AMBASSADOR)}"}
        with httpx.Client(base_url=base, headers=headers, timeout=10.0) as client:
            feed = client.get("/api/v1/me/feed", params={"limit": 100}).json()["items"]
            content_id = next(item["id"] for item in feed if item["edit_policy"] == "free")
            body = {"content_id": content_id, "network": "mastodon", "method": "api", "text": "From the served demo"}
            created = client.post("/api/v1/shares", json=body)
            assert created.status_code == 201, created.text
            share_url = f"/api/v1/shares/{created.json()['id']}"
            wait_for(lambda: client.get(share_url).json()["status"] in ("published", "failed"))
            share = client.get(share_url).json()
        assert share["status"] == "published", share["last_error"]
        assert share["external_post_url"].startswith(mastodon_url[1])
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    # The fake networks stop with the server.
    assert refuses_connections(mastodon_url[1] + "/api/v2/instance")
