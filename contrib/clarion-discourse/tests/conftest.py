"""A fake Discourse forum per test, the connector pointed at it, and engines with this plugin.

``clarion_engine`` is overridden so that ``clarion_client`` and ``clarion_people`` (Clarion's own
fixtures, from ``clarion.testing``) run on an engine with this plugin talking to the fake forum;
a test adds settings by parametrizing ``discourse_settings``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from clarion.connectors import ConnectorContext, Credential

from clarion_discourse import plugin
from clarion_discourse.connector import DiscourseConnector
from clarion_discourse.settings import PLUGIN_NAME, DiscourseSettings

# The fake lives next to the tests; the tests folder is no package.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fake_discourse import FakeDiscourse


@pytest.fixture
def forum() -> Iterator[FakeDiscourse]:
    with FakeDiscourse.running() as fake:
        fake.add_user("amir")
        fake.add_user("bea")
        yield fake


@pytest.fixture
def discourse_settings() -> dict[str, Any]:
    """Settings of the test besides ``forum``; empty means the plugin's defaults."""
    return {"category_id": 5, "category_slug": "news"}


@pytest.fixture
def settings(forum: FakeDiscourse, discourse_settings: dict[str, Any]) -> DiscourseSettings:
    return DiscourseSettings(forum=forum.url, **discourse_settings)


@pytest.fixture
def context(settings: DiscourseSettings) -> Iterator[ConnectorContext]:
    # A short timeout, as Clarion's own client has one; no redirects followed, as Clarion's.
    with httpx.Client(timeout=httpx.Timeout(2.0, connect=1.0), follow_redirects=False) as http:
        yield ConnectorContext(http=http, settings=settings)


@pytest.fixture
def connector(settings: DiscourseSettings) -> DiscourseConnector:
    return DiscourseConnector(settings)


@pytest.fixture
def credential(connector: DiscourseConnector, context: ConnectorContext) -> Credential:
    return connector.connect_with_password(context, identifier="amir", password="key-amir")


@pytest.fixture
def clarion_engine(clarion_engine_factory, forum: FakeDiscourse, discourse_settings: dict[str, Any]):
    return clarion_engine_factory(
        plugins={PLUGIN_NAME: plugin},
        plugin_settings={PLUGIN_NAME: {"forum": forum.url, **discourse_settings}},
    )
