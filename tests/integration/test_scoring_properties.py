"""For any sequence of events, the ledger built incrementally equals the ledger recomputed from the log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import col, select
from test_scoring import MONDAY, Programme, ledger_snapshot

from clarion.actors import Actor
from clarion.event_log import list_events
from clarion.events import EventKind
from clarion.models import EntryStatus, PointsEntry, Role
from clarion.pagination import PageRequest
from clarion.points import points as points_service

# Few distinct moments, so caps, bursts, streaks and day boundaries all come into play.
MINUTES = st.sampled_from([0, 1, 2, 3, 90, 24 * 60 - 1, 24 * 60 + 5, 7 * 24 * 60, 14 * 24 * 60 + 30])
PERSON = st.integers(0, 1)
INDEX = st.integers(0, 7)

OPERATIONS = st.one_of(
    st.tuples(st.just("share"), PERSON, st.sampled_from(["linkedin", "xing"]), st.booleans(), MINUTES),
    st.tuples(st.just("verify"), INDEX, MINUTES),
    st.tuples(st.just("undo"), INDEX, st.sampled_from([EventKind.SHARE_CANCELLED, EventKind.SHARE_FAILED])),
    st.tuples(st.just("click"), INDEX, st.integers(0, 2), MINUTES),
    st.tuples(st.just("discount"), INDEX),
    st.tuples(st.just("engage"), INDEX, st.integers(0, 15), MINUTES),
    st.tuples(
        st.just("onboard"),
        PERSON,
        st.sampled_from([EventKind.AMBASSADOR_OPTED_IN, EventKind.GUIDELINES_ACCEPTED, EventKind.ACCOUNT_CONNECTED]),
    ),
    st.tuples(st.just("decide"), INDEX, st.booleans()),
)

PLUGIN_SETTINGS = {
    "scoring-shares": {"daily_cap": 25, "per_network": {"xing": 15}},
    "scoring-clicks": {"max_clicks_per_share_per_day": 4, "burst_clicks": 3, "burst_minutes": 5, "daily_cap": 6},
    "scoring-engagement": {"max_per_share_per_day": 10, "daily_cap": 12},
}


def apply(world: Programme, operation: tuple, shares: list, clicks: list) -> None:
    name, *args = operation
    people = (world.amir, world.bea)
    if name == "share":
        person, network, verified, minute = args
        share_id = world.share(people[person], network=network)
        at = MONDAY + timedelta(minutes=minute)
        world.record(
            EventKind.SHARE_PUBLISHED, people[person], at=at, share_id=share_id, network=network, verified=verified
        )
        shares.append((people[person], share_id, network))
    elif name == "onboard":
        world.record(args[1], people[args[0]])
    elif name == "decide":
        admin = Actor(world.ada.id, "ada", Role.ADMIN)
        with world.engine.transaction() as session:
            held = points_service.held_entries(session, admin, PageRequest(100)).items
            if held:
                entry = held[args[0] % len(held)].entry
                points_service.decide_held(world.engine, session, admin, entry.id, release=args[1])
    elif name == "discount" and clicks:
        person, share_id, click_id = clicks[args[0] % len(clicks)]
        world.record(EventKind.CLICK_DISCOUNTED, person, share_id=share_id, click_id=click_id, reason="bot")
    elif shares:
        person, share_id, network = shares[args[0] % len(shares)]
        if name == "verify":
            at = MONDAY + timedelta(minutes=args[1])
            world.record(EventKind.SHARE_VERIFIED, person, at=at, share_id=share_id, network=network)
        elif name == "undo":
            world.record(args[1], person, share_id=share_id)
        elif name == "click":
            event = world.click(person, share_id, at=MONDAY + timedelta(minutes=args[2]), visitor=f"v{args[1]}")
            clicks.append((person, share_id, event.payload["click_id"]))
        elif name == "engage":
            at = MONDAY + timedelta(minutes=args[2])
            world.record(EventKind.ENGAGEMENT_REPORTED, person, at=at, share_id=share_id, engagements=args[1])


@pytest.mark.slow
def test_incremental_scoring_equals_recompute(clarion_engine_factory):
    engine = clarion_engine_factory(plugin_settings=PLUGIN_SETTINGS)
    world = Programme(engine)

    @settings(max_examples=25)
    @given(st.lists(OPERATIONS, min_size=1, max_size=14))
    def incremental_equals_recompute(operations):
        shares: list = []
        clicks: list = []
        for operation in operations:
            apply(world, operation, shares, clicks)
        incremental = ledger_snapshot(engine)
        points_service.recompute(engine)
        assert ledger_snapshot(engine) == incremental
        # Replaying every event once more adds nothing.
        with engine.transaction() as session:
            events = list_events(session, limit=100_000)
        for event in events:
            assert points_service.score_event(engine, event) == []
        assert ledger_snapshot(engine) == incremental
        with engine.transaction() as session:
            statuses = set(session.exec(select(col(PointsEntry.status))).all())
        assert statuses <= set(EntryStatus)

    incremental_equals_recompute()
