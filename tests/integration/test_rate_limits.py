"""The rate-limit store end to end: a real connector, a fake network sending its headers, two workers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from clarion.actors import Actor
from clarion.ambassadors.credentials import store_credential
from clarion.bootstrap import build_engine
from clarion.connectors import Credential
from clarion.content.content import ContentAction, create_content, transition_content
from clarion.engine import Engine
from clarion.models import NetworkAccount, RateLimit, Role, Share, ShareMethod, ShareStatus, utcnow
from clarion.plugins import DEFAULT_PLUGINS
from clarion.shares import publishing, rate_limits
from clarion.shares.sharing import create_share
from clarion.testing import make_person
from clarion.testing.fakes.mastodon import FakeMastodon

GUARDRAILS = tuple(name for name in DEFAULT_PLUGINS if name.startswith("guardrail-"))


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon.running() as server:
        yield server


@pytest.fixture
def engine(clarion_engine_factory, mastodon) -> Engine:
    return clarion_engine_factory(
        plugin_settings={"connector-mastodon": {"default_instance": mastodon.url}},
        disabled_plugins=GUARDRAILS,
    )


def connected_ambassador(engine: Engine, mastodon: FakeMastodon, name: str, account: str) -> tuple[Actor, int]:
    person = make_person(engine, name)
    with engine.transaction() as session:
        row = NetworkAccount(ambassador_id=person.id, network="mastodon", handle=name, instance=mastodon.url)
        session.add(row)
        session.flush()
        credential = Credential(access_token=mastodon.issue_token(account), account_id=account, instance=mastodon.url)
        store_credential(engine, session, row, credential)
        assert row.id is not None
        return Actor(person.id, name, Role.AMBASSADOR), row.id


def api_share(engine: Engine, actor: Actor) -> int:
    editor = make_person(engine, f"editor-{uuid.uuid4().hex[:6]}", Role.EDITOR)
    editor_actor = Actor(editor.id, editor.external_id, Role.EDITOR)
    with engine.transaction() as session:
        data = {"title": "Our launch", "url": f"https://example.com/{uuid.uuid4().hex[:8]}"}
        content_id = create_content(engine, session, editor_actor, data).content.id
        assert content_id is not None
        for action in (ContentAction.SUBMIT, ContentAction.APPROVE):
            transition_content(session, editor_actor, content_id, action)
        created = create_share(
            engine, session, actor, content_id=content_id, network="mastodon", text="Proud", method=ShareMethod.API
        )
        assert created.share.id is not None
        return created.share.id


def share_row(engine: Engine, share_id: int) -> Share:
    with engine.transaction() as session:
        share = session.get(Share, share_id)
        assert share is not None
        return share


def test_two_workers_obey_the_budget_mastodon_said_was_spent(engine, mastodon):
    jan, jan_account = connected_ambassador(engine, mastodon, "jan", "1")
    eva, _ = connected_ambassador(engine, mastodon, "eva", "2")
    first, second, evas = api_share(engine, jan), api_share(engine, jan), api_share(engine, eva)
    mastodon.rate_limit_next("/api/v1/statuses", seconds=120)
    other = build_engine(engine.settings)  # a second worker machine: same database, nothing else shared
    try:
        publishing.publish_share(engine, first)  # 429 with X-RateLimit-Remaining 0 and an ISO reset
        publishing.publish_share(other, second)
        publishing.publish_share(other, evas)  # Eva's budget is her own
    finally:
        other.close()
    with engine.transaction() as session:
        until = rate_limits.blocked_until(session, "mastodon", jan_account)
        stored = session.exec(select(RateLimit).where(RateLimit.network == "mastodon")).one()
    assert until is not None
    assert timedelta(seconds=110) < until - utcnow() <= timedelta(seconds=120)
    assert (stored.scope, stored.remaining, stored.window_limit) == (f"account:{jan_account}", 0, 300)
    assert (share_row(engine, first).status, share_row(engine, first).attempts) == (ShareStatus.SCHEDULED, 1)
    waiting = share_row(engine, second)
    assert (waiting.status, waiting.attempts, waiting.scheduled_at) == (ShareStatus.SCHEDULED, 0, until)
    assert waiting.last_error == f"waiting for the Mastodon rate limit until {until.isoformat(timespec='seconds')}"
    assert share_row(engine, evas).status is ShareStatus.PUBLISHED
    assert mastodon.count("/api/v1/statuses") == 2  # Jan's first (refused) and Eva's; never Jan's second
