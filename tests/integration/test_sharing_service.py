"""create_share: every check that stands between an ambassador and a share, and what a share records."""

from __future__ import annotations

from datetime import timedelta
from itertools import product
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from sqlmodel import select

from clarion.actors import Actor
from clarion.bootstrap import build_engine
from clarion.content.content import ContentAction, create_content, transition_content
from clarion.engine import Engine
from clarion.errors import Conflict, NotFound, ValidationFailed
from clarion.models import Campaign, Event, Role, Share, ShareMethod, ShareStatus, utcnow
from clarion.shares.link_codes import is_link_code
from clarion.shares.sharing import SHARE_TRANSITIONS, cancel_share, create_share, move_share

NETWORKS = ("email", "facebook", "linkedin", "x")


def actor(person) -> Actor:
    return Actor(person.id, person.external_id, person.role)


@pytest.fixture
def editor(clarion_people) -> Actor:
    return actor(clarion_people("erin", Role.EDITOR))


@pytest.fixture
def amir(clarion_people) -> Actor:
    return actor(clarion_people("amir", team="red"))


@pytest.fixture
def publish(clarion_engine, editor):
    """``publish(**content) -> content id``: content created by an editor, submitted and approved."""

    def make(**data) -> int:
        data = {"title": "Our launch", "url": "https://example.com/launch", **data}
        with clarion_engine.transaction() as session:
            content_id = create_content(clarion_engine, session, editor, data).content.id
            for action in (ContentAction.SUBMIT, ContentAction.APPROVE):
                transition_content(session, editor, content_id, action)
        return content_id

    return make


def share(engine: Engine, who: Actor, content_id: int, network: str = "x", **options):
    with engine.transaction() as session:
        return create_share(engine, session, who, content_id=content_id, network=network, **options)


def counts(session) -> tuple[int, int]:
    shares = session.execute(sa.select(sa.func.count()).select_from(Share)).scalar_one()
    events = session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one()
    return shares, events


def refused(engine: Engine, who: Actor, content_id: int, network: str = "x", **options) -> Exception:
    """Run create_share expecting a refusal, and check it wrote nothing even before the rollback."""
    with engine.transaction() as session:
        before = counts(session)
        try:
            create_share(engine, session, who, content_id=content_id, network=network, **options)
        except (Conflict, NotFound, ValidationFailed) as exc:
            error = exc
        else:
            pytest.fail("create_share accepted a share it should refuse")
        assert counts(session) == before, "a refused share wrote rows"
    with engine.transaction() as session:
        assert counts(session) == before
    return error


# -- consent ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({"opted_in": False}, "invited"),
        ({"paused_at": utcnow()}, "paused"),
        ({"left_at": utcnow()}, "left"),
        ({"opted_in": False, "left_at": utcnow()}, "left"),
    ],
)
def test_no_share_without_consent(clarion_engine, clarion_people, publish, fields, state):
    content_id = publish()
    person = actor(clarion_people("quiet", **fields))
    error = refused(clarion_engine, person, content_id)
    assert isinstance(error, Conflict)
    assert state in error.detail
    assert "opt in" in error.detail


# -- network and text ---------------------------------------------------------------------------


def test_unknown_network_names_the_known_ones(clarion_engine, amir, publish):
    error = refused(clarion_engine, amir, publish(), network="myspace")
    assert isinstance(error, ValidationFailed)
    assert error.field == "network"
    assert "myspace" in error.detail
    for network in NETWORKS:
        assert network in error.detail


@pytest.mark.parametrize(
    ("network", "text"),
    [("x", "a" * 300), ("x", "日" * 140), ("linkedin", "a" * 3000), ("email", "日" * 400)],
)
def test_text_over_the_networks_limit_is_refused(clarion_engine, amir, publish, network, text):
    error = refused(clarion_engine, amir, publish(), network=network, text=text)
    assert isinstance(error, ValidationFailed)
    assert error.field == "text"


def test_text_at_the_limit_is_accepted(clarion_engine, amir, publish):
    created = share(clarion_engine, amir, publish(), "x", text="a" * (280 - 1 - 23))
    assert created.share.text == "a" * 256


@pytest.mark.parametrize("network", NETWORKS)
def test_api_publishing_is_refused_by_intent_only_connectors(clarion_engine, amir, publish, network):
    error = refused(clarion_engine, amir, publish(), network=network, method=ShareMethod.API)
    assert isinstance(error, ValidationFailed)
    assert error.field == "method"
    assert "intent" in error.detail


@pytest.mark.parametrize("when", [timedelta(hours=1), timedelta(hours=-1)])
def test_intent_shares_cannot_be_scheduled(clarion_engine, amir, publish, when):
    error = refused(clarion_engine, amir, publish(), scheduled_at=utcnow() + when)
    assert isinstance(error, ValidationFailed)
    assert error.field == "scheduled_at"


# -- the content ----------------------------------------------------------------------------------


def test_content_not_approved_is_refused(clarion_engine, amir, publish, editor):
    content_id = publish()
    with clarion_engine.transaction() as session:
        transition_content(session, editor, content_id, ContentAction.ARCHIVE)
    error = refused(clarion_engine, amir, content_id)
    assert isinstance(error, NotFound | Conflict)


def test_content_outside_its_window_is_refused(clarion_engine, amir, publish):
    now = utcnow()
    future = refused(clarion_engine, amir, publish(publish_at=now + timedelta(days=1)))
    expired = refused(
        clarion_engine, amir, publish(publish_at=now - timedelta(days=2), expires_at=now - timedelta(days=1))
    )
    assert isinstance(future, NotFound | Conflict)
    assert isinstance(expired, NotFound | Conflict)


def test_content_targeted_to_others_is_not_found(clarion_engine, amir, publish):
    error = refused(clarion_engine, amir, publish(audience={"teams": ["blue"]}))
    assert isinstance(error, NotFound)


def test_unknown_content_is_not_found(clarion_engine, amir):
    assert isinstance(refused(clarion_engine, amir, 424242), NotFound)


# -- guardrails -------------------------------------------------------------------------------------


def test_repeat_share_within_the_window_is_refused(clarion_engine, amir, publish):
    content_id = publish()
    share(clarion_engine, amir, content_id, "x")
    error = refused(clarion_engine, amir, content_id, "x", text="Different words")
    assert isinstance(error, ValidationFailed)
    assert error.field == "text"
    assert "already shared" in error.detail
    assert "72 hours" in error.detail
    share(clarion_engine, amir, content_id, "linkedin")  # another network is another audience


def test_repeat_share_is_allowed_after_cancelling(clarion_engine, amir, publish):
    content_id = publish()
    first = share(clarion_engine, amir, content_id, "x")
    with clarion_engine.transaction() as session:
        cancel_share(session, amir, first.share.id)
    share(clarion_engine, amir, content_id, "x")


def test_repeat_share_of_someone_else_is_fine(clarion_engine, clarion_people, amir, publish):
    content_id = publish()
    share(clarion_engine, amir, content_id, "x")
    share(clarion_engine, actor(clarion_people("bea")), content_id, "x")


def test_repeat_share_in_one_transaction_is_refused(clarion_engine, amir, publish):
    # The guardrail runs "inside the share-creation transaction" (hookspec): it must see this
    # transaction's own shares, not only committed ones.
    content_id = publish()

    def share_twice() -> None:
        with clarion_engine.transaction() as session:
            create_share(clarion_engine, session, amir, content_id=content_id, network="x")
            create_share(clarion_engine, session, amir, content_id=content_id, network="x")

    with pytest.raises(ValidationFailed, match="already shared"):
        share_twice()


def test_window_hours_zero_turns_the_guardrail_off(clarion_settings_factory, amir, publish):
    engine = build_engine(clarion_settings_factory(plugins={"guardrail-repeat-share": {"window_hours": 0}}))
    try:
        content_id = publish()
        share(engine, amir, content_id, "x")
        share(engine, amir, content_id, "x")
        with engine.transaction() as session:
            assert counts(session)[0] == 2
    finally:
        engine.close()


def test_a_short_window_is_named_in_the_message(clarion_settings_factory, amir, publish):
    engine = build_engine(clarion_settings_factory(plugins={"guardrail-repeat-share": {"window_hours": 5}}))
    try:
        content_id = publish()
        share(engine, amir, content_id, "x")
        assert "5 hours" in refused(engine, amir, content_id, "x").detail
    finally:
        engine.close()


# -- what a share is made of ---------------------------------------------------------------------------


def test_default_text_is_the_first_suggestion_for_the_network_else_the_title(clarion_engine, amir, publish):
    content_id = publish(
        title="Our launch",
        share_texts=[
            {"network": "linkedin", "text": "For LinkedIn"},
            {"network": "x", "text": "First for X"},
            {"network": "x", "text": "Second for X"},
        ],
    )
    assert share(clarion_engine, amir, content_id, "x").share.text == "First for X"
    assert share(clarion_engine, amir, content_id, "linkedin").share.text == "For LinkedIn"
    assert share(clarion_engine, amir, content_id, "facebook").share.text == "Our launch"


def test_own_text_wins_and_is_trimmed(clarion_engine, amir, publish):
    content_id = publish(share_texts=[{"network": "x", "text": "Suggested"}])
    assert share(clarion_engine, amir, content_id, "x", text="  Mine  ").share.text == "Mine"


def test_campaign_hashtags_reach_the_x_intent(clarion_engine, amir, publish):
    with clarion_engine.transaction() as session:
        campaign = Campaign(name="Launch", slug="launch", hashtags=["Launch2026", "Clarion"])
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    content_id = publish(campaign_id=campaign_id)
    created = share(clarion_engine, amir, content_id, "x", text="Go")
    query = parse_qs(urlsplit(created.share_intent_url).query)
    assert query["hashtags"] == ["Launch2026,Clarion"]
    assert query["url"] == [created.tracked_url]
    assert query["text"] == ["Go"]


def test_campaign_hashtags_count_towards_the_x_limit(clarion_engine, amir, publish):
    with clarion_engine.transaction() as session:
        campaign = Campaign(name="Launch", slug="launch", hashtags=["Launch"])
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    error = refused(clarion_engine, amir, publish(campaign_id=campaign_id), "x", text="a" * 256)
    assert isinstance(error, ValidationFailed)
    assert error.field == "text"


def test_a_share_records_its_row_tracked_link_and_event(clarion_engine, amir, publish):
    content_id = publish()
    created = share(clarion_engine, amir, content_id, "linkedin", text="Proud of this")
    stored = created.share
    assert stored.status is ShareStatus.PLANNED
    assert stored.method is ShareMethod.INTENT
    assert stored.scheduled_at is None
    assert stored.ambassador_id == amir.ambassador_id
    assert is_link_code(stored.link_code)
    assert created.tracked_url == f"http://clarion.test/r/{stored.link_code}"
    with clarion_engine.transaction() as session:
        [event] = session.exec(select(Event).where(Event.kind == "share.created")).all()
    assert event.share_id == stored.id
    assert event.content_id == content_id
    assert event.ambassador_id == amir.ambassador_id
    assert event.idempotency_key == f"share.created:{stored.id}"
    assert event.payload == {"network": "linkedin", "method": "intent"}


def test_every_share_gets_its_own_link_code(clarion_engine, clarion_people, publish):
    content_id = publish()
    people = [actor(clarion_people(f"p{n}")) for n in range(3)]
    codes = {
        share(clarion_engine, person, content_id, network).share.link_code for person in people for network in NETWORKS
    }
    assert len(codes) == 3 * len(NETWORKS)


# -- cancelling and the share lifecycle ----------------------------------------------------------------


def test_cancel_share_lifecycle(clarion_engine, amir, publish):
    created = share(clarion_engine, amir, publish())
    with clarion_engine.transaction() as session:
        cancelled = cancel_share(session, amir, created.share.id)
    assert cancelled.status is ShareStatus.CANCELLED
    with pytest.raises(Conflict, match="cancelled"), clarion_engine.transaction() as session:
        cancel_share(session, amir, created.share.id)
    with clarion_engine.transaction() as session:
        events = session.exec(select(Event).where(Event.kind == "share.cancelled")).all()
    assert [event.share_id for event in events] == [created.share.id]


def test_only_the_owner_cancels(clarion_engine, clarion_people, amir, publish):
    created = share(clarion_engine, amir, publish())
    for other in (actor(clarion_people("bea")), actor(clarion_people("root", Role.ADMIN))):
        with pytest.raises(NotFound), clarion_engine.transaction() as session:
            cancel_share(session, other, created.share.id)
    with pytest.raises(NotFound), clarion_engine.transaction() as session:
        cancel_share(session, amir, 999999)


S = ShareStatus
EXPECTED_MOVES = {
    S.PLANNED: {S.SCHEDULED, S.PUBLISHING, S.PUBLISHED, S.CANCELLED},
    S.SCHEDULED: {S.PUBLISHING, S.CANCELLED},
    S.PUBLISHING: {S.PUBLISHED, S.FAILED, S.SCHEDULED},
    S.FAILED: {S.SCHEDULED, S.CANCELLED},
    S.PUBLISHED: set(),
    S.CANCELLED: set(),
}


def test_share_transitions_are_the_documented_ones():
    assert {status: set(targets) for status, targets in SHARE_TRANSITIONS.items()} == EXPECTED_MOVES


@pytest.mark.parametrize(("source", "target"), list(product(ShareStatus, ShareStatus)))
def test_move_share_allows_exactly_the_listed_moves(source, target):
    before = utcnow() - timedelta(days=1)
    row = Share(content_id=1, ambassador_id=1, network="x", text="t", method=ShareMethod.API, link_code="c")
    row.status, row.updated_at = source, before
    if target in EXPECTED_MOVES[source]:
        move_share(row, target)
        assert row.status is target
        assert row.updated_at > before
    else:
        with pytest.raises(Conflict, match=f"{source.value} cannot become {target.value}"):
            move_share(row, target)
        assert row.status is source
        assert row.updated_at == before


def test_share_lifecycle_has_no_dead_ends():
    reachable, frontier = {S.PLANNED}, [S.PLANNED]
    while frontier:
        for target in SHARE_TRANSITIONS[frontier.pop()]:
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(ShareStatus)
    terminal = {status for status, targets in SHARE_TRANSITIONS.items() if not targets}
    assert terminal == {S.PUBLISHED, S.CANCELLED}
    for status in ShareStatus:
        assert status not in SHARE_TRANSITIONS[status], "no move to the same status"
