"""The points ledger and the built-in rules: awards, caps, corrections, held points and recompute."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from clarion.actors import Actor
from clarion.errors import Conflict, PermissionDenied
from clarion.event_log import list_events, record_event
from clarion.events import EventKind
from clarion.models import (
    Ambassador,
    Click,
    Content,
    ContentStatus,
    DailyPoints,
    EntryStatus,
    PointsEntry,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
)
from clarion.pagination import PageRequest
from clarion.points import points as points_service
from clarion.testing import make_person
from plugins import broken_rule

MONDAY = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
KEYS = count()


class Programme:
    """A small world: people, one approved content item, shares, and events recorded at chosen times."""

    def __init__(self, engine):
        self.engine = engine
        self.amir = make_person(engine, "amir")
        self.bea = make_person(engine, "bea")
        self.ada = make_person(engine, "ada", Role.ADMIN)
        self.published: set[int] = set()
        with engine.transaction() as session:
            content = Content(title="Launch", url="https://example.com/launch", status=ContentStatus.APPROVED)
            session.add(content)
            session.flush()
            self.content_id = content.id

    def share(self, person, network="linkedin", method=ShareMethod.INTENT) -> int:
        with self.engine.transaction() as session:
            share = Share(
                content_id=self.content_id,
                ambassador_id=person.id,
                network=network,
                text="Look",
                method=method,
                status=ShareStatus.PUBLISHED,
                link_code=f"code{next(KEYS)}",
            )
            session.add(share)
            session.flush()
            return share.id

    def record(self, kind, person=None, *, at=MONDAY, share_id=None, content_id=None, **payload):
        if kind is EventKind.SHARE_PUBLISHED:
            self.published.add(share_id)
        with self.engine.transaction() as session:
            event, _ = record_event(
                session,
                kind,
                idempotency_key=f"test:{next(KEYS)}",
                ambassador_id=person.id if person else None,
                share_id=share_id,
                content_id=content_id,
                occurred_at=at,
                payload=payload,
            )
        return event

    def click(self, person, share_id, *, at=MONDAY, visitor="v1", published=True):
        if published and share_id not in self.published:
            # Clicks score only after their share was published; nobody's, so no share points.
            self.record(EventKind.SHARE_PUBLISHED, None, at=at, share_id=share_id, network="linkedin")
        with self.engine.transaction() as session:
            row = Click(
                capture_id=f"c{next(KEYS)}", share_id=share_id, occurred_at=at, visitor_hash=visitor, counted=True
            )
            session.add(row)
            session.flush()
            click_id = row.id
        return self.record(
            EventKind.CLICK_COUNTED,
            person,
            at=at,
            share_id=share_id,
            click_id=click_id,
            network="linkedin",
            via_qr=False,
        )

    def entries(self, person=None):
        with self.engine.transaction() as session:
            query = select(PointsEntry).order_by(col(PointsEntry.id))
            if person is not None:
                query = query.where(PointsEntry.ambassador_id == person.id)
            return [
                (entry.rule, entry.points, entry.status.value, entry.reversed_event_id != 0)
                for entry in session.exec(query).all()
            ]

    def balance(self, person):
        with self.engine.transaction() as session:
            return points_service.balance(session, person.id)


@pytest.fixture
def world(clarion_engine):
    return Programme(clarion_engine)


def ledger_snapshot(engine):
    """The ledger without ids and creation times: what must be equal after a recompute."""
    with engine.transaction() as session:
        entries = sorted(
            (
                e.rule,
                e.event_id,
                e.ambassador_id,
                e.points,
                e.reason,
                e.status.value,
                e.reversed_event_id,
                e.occurred_at,
            )
            for e in session.exec(select(PointsEntry)).all()
        )
        daily = sorted(
            (d.ambassador_id, d.day, d.rule, d.points, d.held)
            for d in session.exec(select(DailyPoints)).all()
            if d.points or d.held
        )
    return entries, daily


# -- shares ----------------------------------------------------------------------------------------


def test_an_unverified_intent_share_earns_less_and_is_topped_up_once_verified(world):
    share_id = world.share(world.amir)
    world.record(EventKind.SHARE_PUBLISHED, world.amir, share_id=share_id, network="linkedin", verified=False)
    assert world.entries(world.amir) == [("share", 3, "awarded", False)]
    world.record(EventKind.SHARE_VERIFIED, world.amir, share_id=share_id, network="linkedin")
    assert world.entries(world.amir)[-1] == ("share-verified", 7, "awarded", False)
    assert world.balance(world.amir) == points_service.Balance(awarded=10, held=0)


def test_a_verified_share_earns_full_points_once(world):
    share_id = world.share(world.amir, network="x", method=ShareMethod.API)
    published = world.record(EventKind.SHARE_PUBLISHED, world.amir, share_id=share_id, network="x", verified=True)
    world.record(EventKind.SHARE_VERIFIED, world.amir, share_id=share_id, network="x")
    assert world.entries(world.amir) == [("share", 10, "awarded", False)]
    # Replaying the event adds nothing: (rule, event, ambassador) is the ledger's key.
    assert points_service.score_event(world.engine, published) == []
    assert world.balance(world.amir).awarded == 10


def test_points_per_network_and_zero_for_unverified_are_settings(clarion_engine_factory):
    engine = clarion_engine_factory(
        plugin_settings={"scoring-shares": {"per_network": {"xing": 25}, "unverified_points": 0}}
    )
    world = Programme(engine)
    share_id = world.share(world.amir, network="xing")
    world.record(EventKind.SHARE_PUBLISHED, world.amir, share_id=share_id, network="xing", verified=False)
    assert world.entries(world.amir) == []
    world.record(EventKind.SHARE_VERIFIED, world.amir, share_id=share_id, network="xing")
    assert world.entries(world.amir) == [("share-verified", 25, "awarded", False)]


def test_a_cancelled_or_failed_share_gives_its_points_back(world):
    share_id = world.share(world.amir)
    world.record(EventKind.SHARE_PUBLISHED, world.amir, share_id=share_id, network="linkedin", verified=True)
    failed = world.record(EventKind.SHARE_FAILED, world.amir, share_id=share_id)
    assert world.entries(world.amir) == [("share", 10, "awarded", False), ("share", -10, "awarded", True)]
    assert points_service.score_event(world.engine, failed) == []
    assert world.balance(world.amir).awarded == 0


def test_the_daily_cap_cuts_an_award_and_says_so(clarion_engine_factory):
    engine = clarion_engine_factory(plugin_settings={"scoring-shares": {"daily_cap": 25}})
    world = Programme(engine)
    for minute in range(3):
        share_id = world.share(world.amir)
        at = MONDAY + timedelta(minutes=minute)
        world.record(EventKind.SHARE_PUBLISHED, world.amir, at=at, share_id=share_id, network="linkedin", verified=True)
    assert [points for _rule, points, *_ in world.entries(world.amir)] == [10, 10, 5]
    with engine.transaction() as session:
        reasons = session.exec(select(PointsEntry.reason).order_by(col(PointsEntry.id))).all()
    assert reasons[-1].endswith("(capped: at most 25 points a day from this)")
    # The next day the cap starts again.
    share_id = world.share(world.amir)
    world.record(
        EventKind.SHARE_PUBLISHED,
        world.amir,
        at=MONDAY + timedelta(days=1),
        share_id=share_id,
        network="linkedin",
        verified=True,
    )
    assert world.entries(world.amir)[-1][1] == 10


# -- clicks ----------------------------------------------------------------------------------------


def test_counted_clicks_score_up_to_a_cap_per_share_per_day(clarion_engine_factory):
    engine = clarion_engine_factory(plugin_settings={"scoring-clicks": {"max_clicks_per_share_per_day": 3}})
    world = Programme(engine)
    share_id = world.share(world.amir)
    for number in range(5):
        world.click(world.amir, share_id, at=MONDAY + timedelta(hours=number), visitor=f"v{number}")
    assert world.entries(world.amir) == [("click", 2, "awarded", False)] * 3
    world.click(world.amir, share_id, at=MONDAY + timedelta(days=1))
    assert world.balance(world.amir).awarded == 8


def test_a_click_on_the_link_of_a_share_never_published_earns_nothing(world):
    share_id = world.share(world.amir)
    world.click(world.amir, share_id, published=False)
    assert world.entries(world.amir) == []
    world.record(EventKind.SHARE_PUBLISHED, None, share_id=share_id, network="linkedin")
    world.click(world.amir, share_id, visitor="v2", published=False)
    assert world.entries(world.amir) == [("click", 2, "awarded", False)]


def test_a_click_after_the_sharer_left_redirects_but_scores_nothing(world):
    share_id = world.share(world.amir)
    world.click(world.amir, share_id, at=MONDAY, visitor="v1")
    with world.engine.transaction() as session:
        session.get(Ambassador, world.amir.id).left_at = MONDAY + timedelta(hours=1)
    world.click(world.amir, share_id, at=MONDAY + timedelta(hours=2), visitor="v2")
    assert world.entries(world.amir) == [("click", 2, "awarded", False)]  # the probe: not +2 after leaving


def test_only_counted_clicks_score(world):
    """Self, bot, internal and duplicate clicks are stored but never become click.counted: nothing scores them."""
    share_id = world.share(world.amir)
    with world.engine.transaction() as session:
        for flags in ({"is_self": True}, {"bot_reason": "crawler"}, {"is_internal": True}, {"is_duplicate": True}):
            session.add(Click(capture_id=f"c{next(KEYS)}", share_id=share_id, occurred_at=MONDAY, **flags))
    for kind in EventKind:
        if kind is EventKind.CLICK_COUNTED:
            continue
        event = world.record(kind, world.amir, share_id=share_id, click_id=1)
        assert all(award.rule != "click" for award in world.engine.awards(event)), kind
    assert all(rule != "click" for rule, *_ in world.entries())


def test_a_discounted_click_is_taken_back(world):
    share_id = world.share(world.amir)
    counted = world.click(world.amir, share_id)
    world.record(
        EventKind.CLICK_DISCOUNTED, world.amir, share_id=share_id, click_id=counted.payload["click_id"], reason="bot"
    )
    assert world.entries(world.amir) == [("click", 2, "awarded", False), ("click", -2, "awarded", True)]
    with world.engine.transaction() as session:
        reversal = session.exec(select(PointsEntry).where(PointsEntry.points < 0)).one()
    assert reversal.reason == "Taken back, the click was discounted: bot: Someone opened the link you shared"


def test_a_burst_from_few_visitors_is_held_for_review(clarion_engine_factory):
    engine = clarion_engine_factory(plugin_settings={"scoring-clicks": {"burst_clicks": 3, "burst_minutes": 5}})
    world = Programme(engine)
    share_id = world.share(world.amir)
    for second in range(4):
        world.click(world.amir, share_id, at=MONDAY + timedelta(seconds=second), visitor="same")
    assert [status for _r, _p, status, _rev in world.entries(world.amir)] == ["awarded", "awarded", "held", "held"]
    assert world.balance(world.amir) == points_service.Balance(awarded=4, held=4)
    admin = Actor(world.ada.id, "ada", Role.ADMIN)
    with engine.transaction() as session:
        held = points_service.held_entries(session, admin, PageRequest(10))
        assert held.total == 2
        assert held.items[0].entry.hold_reason == "4 clicks on this share within 5 minutes from 1 visitor"
        first, second = (line.entry.id for line in held.items)
        released = points_service.decide_held(engine, session, admin, first, release=True)
        assert released.entry.status is EntryStatus.AWARDED
        points_service.decide_held(engine, session, admin, second, release=False)
    assert world.balance(world.amir) == points_service.Balance(awarded=6, held=0)
    with engine.transaction() as session, pytest.raises(Conflict, match="not held"):
        points_service.decide_held(engine, session, admin, first, release=True)
    with engine.transaction() as session, pytest.raises(PermissionDenied):
        points_service.decide_held(engine, session, Actor(world.amir.id, "amir", Role.AMBASSADOR), first, release=True)
    # The decisions are events, so a recompute keeps them.
    before = ledger_snapshot(engine)
    points_service.recompute(engine)
    assert ledger_snapshot(engine) == before


def test_clicks_spread_over_many_visitors_are_not_held(clarion_engine_factory):
    engine = clarion_engine_factory(plugin_settings={"scoring-clicks": {"burst_clicks": 3, "burst_max_visitors": 2}})
    world = Programme(engine)
    share_id = world.share(world.amir)
    for second in range(4):
        world.click(world.amir, share_id, at=MONDAY + timedelta(seconds=second), visitor=f"v{second}")
    assert {status for _r, _p, status, _rev in world.entries(world.amir)} == {"awarded"}


# -- content, onboarding, engagement, streaks --------------------------------------------------------


def test_approved_curated_and_produced_content_earns_its_author_points_once(world):
    for origin in ("curated", "produced", "official"):
        with world.engine.transaction() as session:
            content = Content(title=origin, url="https://example.com/x", origin=origin, author_id=world.bea.id)
            session.add(content)
            session.flush()
            content_id = content.id
        world.record(EventKind.CONTENT_CREATED, world.bea, content_id=content_id, origin=origin, title=origin)
        world.record(EventKind.CONTENT_APPROVED, world.bea, content_id=content_id, title=origin)
        world.record(EventKind.CONTENT_APPROVED, world.bea, content_id=content_id, title=origin)
    assert world.entries(world.bea) == [
        ("content-curated", 15, "awarded", False),
        ("content-produced", 30, "awarded", False),
    ]


def test_onboarding_steps_score_the_first_time_only(world):
    for kind in (EventKind.AMBASSADOR_OPTED_IN, EventKind.GUIDELINES_ACCEPTED, EventKind.ACCOUNT_CONNECTED) * 2:
        world.record(kind, world.bea)
    assert world.entries(world.bea) == [
        ("onboarding-opted-in", 5, "awarded", False),
        ("onboarding-guidelines", 5, "awarded", False),
        ("onboarding-account", 10, "awarded", False),
    ]


def test_reported_engagement_scores_up_to_a_cap_per_share_per_day(world):
    share_id = world.share(world.amir)
    world.record(EventKind.ENGAGEMENT_REPORTED, world.amir, share_id=share_id, network="linkedin", engagements=12)
    world.record(EventKind.ENGAGEMENT_REPORTED, world.amir, share_id=share_id, network="linkedin", engagements=12)
    world.record(EventKind.ENGAGEMENT_REPORTED, world.amir, share_id=share_id, network="linkedin", engagements="many")
    assert world.entries(world.amir) == [("engagement", 12, "awarded", False), ("engagement", 8, "awarded", False)]


def test_weekly_streaks_earn_a_bonus_from_the_second_week(world):
    for week in (0, 0, 1, 2, 4):
        share_id = world.share(world.amir)
        at = MONDAY + timedelta(weeks=week, hours=len(world.entries()))
        world.record(EventKind.SHARE_PUBLISHED, world.amir, at=at, share_id=share_id, network="x", verified=True)
    streaks = [points for rule, points, *_ in world.entries(world.amir) if rule == "streak"]
    assert streaks == [5, 5]
    with world.engine.transaction() as session:
        reasons = session.exec(select(PointsEntry.reason).where(PointsEntry.rule == "streak")).all()
    assert reasons == ["2 weeks in a row with a share", "3 weeks in a row with a share"]


# -- the ledger as a whole ---------------------------------------------------------------------------


def test_scoring_never_fails_the_action(clarion_engine_factory, caplog):
    engine = clarion_engine_factory(plugins={"broken-rule": broken_rule})
    world = Programme(engine)
    event = world.record(EventKind.AMBASSADOR_OPTED_IN, world.amir)
    with engine.transaction() as session:
        assert [stored.id for stored in list_events(session, kind=EventKind.AMBASSADOR_OPTED_IN)] == [event.id]
    assert "pipeline 'clarion.points.points.score_event' failed" in caplog.text
    assert world.entries() == []  # nothing half-written: the whole event is scored by recompute later


def test_daily_points_follow_the_ledger(world):
    share_id = world.share(world.amir)
    world.record(EventKind.SHARE_PUBLISHED, world.amir, share_id=share_id, network="linkedin", verified=True)
    world.record(EventKind.SHARE_CANCELLED, world.amir, share_id=share_id)
    world.record(EventKind.AMBASSADOR_OPTED_IN, world.amir, at=MONDAY + timedelta(days=1))
    with world.engine.transaction() as session:
        rows = session.execute(
            sa.select(DailyPoints.day, DailyPoints.rule, DailyPoints.points).order_by(DailyPoints.day, DailyPoints.rule)
        ).all()
    assert [tuple(row) for row in rows] == [
        (MONDAY.date(), "share", 0),
        ((MONDAY + timedelta(days=1)).date(), "onboarding-opted-in", 5),
    ]


def test_recompute_rebuilds_the_ledger_with_the_current_rules(clarion_engine_factory, tmp_path):
    engine = clarion_engine_factory()
    world = Programme(engine)
    share_id = world.share(world.amir)
    world.record(EventKind.SHARE_PUBLISHED, world.amir, share_id=share_id, network="linkedin", verified=True)
    world.click(world.amir, share_id)
    assert world.balance(world.amir).awarded == 12
    before = ledger_snapshot(engine)
    result = points_service.recompute(engine)
    # Three events: published, clicked, and the "first-share" badge.awarded.
    assert (result.events, result.entries) == (3, 2)
    assert ledger_snapshot(engine) == before
    # New values apply to the past once recomputed.
    (tmp_path / "clarion.toml").write_text("[plugins.scoring-shares]\npoints = 50\n")
    changed = clarion_engine_factory()
    points_service.recompute(changed)
    assert world.balance(world.amir).awarded == 52


@pytest.mark.parametrize(
    ("setting", "value", "fragment"),
    [
        ("submit_requires_level", {"official": "curation"}, "submit_requires_level.official"),
        ("submit_requires_level", {"curated": "expert"}, "submit_requires_level.curated"),
    ],
)
def test_level_settings_are_checked(tmp_path, setting, value, fragment):
    from clarion.config import load_settings
    from clarion.errors import ConfigError

    with pytest.raises(ConfigError, match=rf"^invalid setting {re.escape(fragment)}"):
        load_settings({}, cwd=tmp_path, secret_key="k" * 32, **{setting: value})


def test_a_malformed_decision_decides_nothing_and_recompute_still_runs(world):
    world.record(EventKind.AMBASSADOR_OPTED_IN, world.amir)
    world.record(EventKind.POINTS_REJECTED, world.amir, rule="onboarding-opted-in", event_id="one")
    world.record(EventKind.POINTS_RELEASED, world.amir)
    points_service.recompute(world.engine)
    assert world.entries(world.amir) == [("onboarding-opted-in", 5, "awarded", False)]


def test_recompute_stops_cleanly_when_a_rule_fails(clarion_engine_factory):
    from clarion.errors import PluginError

    world = Programme(clarion_engine_factory())
    world.record(EventKind.AMBASSADOR_OPTED_IN, world.amir)
    before = ledger_snapshot(world.engine)
    broken = clarion_engine_factory(plugins={"broken-rule": broken_rule})
    with pytest.raises(PluginError, match=r"a scoring rule failed on event \d+ \(ambassador.opted_in\).*unchanged"):
        points_service.recompute(broken)
    assert ledger_snapshot(world.engine) == before
