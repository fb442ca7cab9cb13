"""Engines with the kudos plugin, built with Clarion's own fixtures (``clarion.testing``).

``clarion_engine`` is overridden so that ``clarion_client`` and ``clarion_people`` run on an engine
with this plugin, on SQLite and (with ``CLARION_TEST_POSTGRES_URL``) PostgreSQL. ``shared(person)``
stands for an ambassador having shared a post: an approved piece of content and their published share.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

import pytest
from clarion.models import Content, ContentStatus, Share, ShareMethod, ShareStatus
from clarion.models.types import utcnow

from clarion_kudos import plugin
from clarion_kudos.settings import PLUGIN_NAME


@pytest.fixture
def kudos_settings() -> dict:
    """The test's ``[plugins.kudos]`` section; empty means the plugin's defaults."""
    return {}


@pytest.fixture
def clarion_engine(clarion_engine_factory, kudos_settings):
    return clarion_engine_factory(plugins={PLUGIN_NAME: plugin}, plugin_settings={PLUGIN_NAME: kudos_settings})


@pytest.fixture
def shared(clarion_engine) -> Callable[..., int]:
    """``shared(person, title="…", network="linkedin", at=None) -> share id``: a published share of theirs."""

    def share(person, title: str = "We are hiring", network: str = "linkedin", at: datetime | None = None) -> int:
        moment = at or utcnow()
        with clarion_engine.transaction() as session:
            content = Content(title=title, url="https://example.com/news", status=ContentStatus.APPROVED)
            session.add(content)
            session.flush()
            row = Share(
                content_id=content.id,
                ambassador_id=person.id,
                network=network,
                text="Have a look",
                method=ShareMethod.INTENT,
                status=ShareStatus.PUBLISHED,
                published_at=moment,
                link_code=secrets.token_hex(6),
            )
            row.created_at = moment
            session.add(row)
            session.flush()
            assert row.id is not None
            return row.id

    return share
