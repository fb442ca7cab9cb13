"""The Bluesky connector against the AT Protocol reference servers (PDS, PLC, AppView) on loopback.

Run by ``nox -s peers``, which installs them from npm, starts them (``contrib/peers/atproto.mjs``)
and hands their addresses over in the environment; skipped everywhere else.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from clarion.connectors import ConnectorContext, Credential, SharePost
from clarion.errors import AuthExpired
from clarion.outbound import outbound_client
from clarion_plugins.connectors.bluesky import BlueskyConnector, Settings

PDS = os.environ.get("CLARION_PEERS_PDS")
APPVIEW = os.environ.get("CLARION_PEERS_APPVIEW")
pytestmark = pytest.mark.skipif(not (PDS and APPVIEW), reason="nox -s peers starts the reference servers")


@pytest.fixture(scope="module")
def connector() -> BlueskyConnector:
    assert PDS
    assert APPVIEW
    return BlueskyConnector(Settings(default_service=PDS, public_appview=APPVIEW))


@pytest.fixture(scope="module")
def context(connector: BlueskyConnector) -> Iterator[ConnectorContext]:
    # The reference servers listen on loopback: allowed by name, as the test fixtures do.
    with outbound_client(("127.0.0.0/8", "::1/128"), timeout=30) as http:
        yield ConnectorContext(http=http, settings=connector.settings)


@pytest.fixture(scope="module")
def credential(connector: BlueskyConnector, context: ConnectorContext) -> Credential:
    identifier = os.environ["CLARION_PEERS_HANDLE"]
    password = os.environ["CLARION_PEERS_APP_PASSWORD"]
    return connector.connect_with_password(context, identifier=identifier, password=password)


def eventually(read, *, seconds: float = 20.0):
    """The AppView indexes the firehose asynchronously: ask until it answers (real servers, real time)."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_publish_read_back_metrics_and_delete(connector, context, credential):
    post = SharePost(text="Proud of our launch", link="https://example.com/r/Ab3dEf?n=1", title="Launch", language="nl")
    published = connector.publish(context, credential, post, idempotency_key="peers-1")
    assert published.external_id.startswith(f"at://{credential.account_id}/app.bsky.feed.post/")
    found = eventually(lambda: connector.find_post(context, credential, post, idempotency_key="peers-1"))
    assert found is not None
    assert found.external_id == published.external_id
    signed_in = eventually(lambda: connector.fetch_metrics(context, credential, [published.external_id]))
    assert [snapshot.external_id for snapshot in signed_in] == [published.external_id]
    public = eventually(lambda: connector.fetch_metrics(context, None, [published.external_id]))
    assert [snapshot.external_id for snapshot in public] == [published.external_id]
    connector.delete_post(context, credential, published.external_id)
    assert eventually(lambda: not connector.fetch_metrics(context, None, [published.external_id]))


def test_refresh_and_revoke_like_the_reference_pds(connector, context, credential):
    refreshed = connector.refresh(context, credential)
    assert connector.refresh(context, credential).account_id == credential.account_id  # grace period
    connector.revoke(context, refreshed)
    assert connector.follower_count(context, refreshed) is not None  # access token outlives the session
    forged = Credential(access_token="not-a-token", account_id=credential.account_id, instance=PDS)
    with pytest.raises(AuthExpired):
        connector.follower_count(context, forged)
