"""Every board equals a naive ranking computed straight from the ledger, for arbitrary ledgers.

The ledger is written through the engine's own incremental path (entries, released and rejected
held points, reversals); the kept totals of rolling and campaign windows are built half-way, so
both the build and the incremental upkeep that follows are compared.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from clarion.events import EventKind
from clarion.models import Ambassador, Campaign, DailyPoints, EntryStatus, Event, PointsEntry
from clarion.points import points as points_service
from clarion.testing import make_person
from clarion_plugins.gamification.models import PeriodPoints, WindowTotals
from clarion_plugins.gamification.services.leaderboards import leaderboard, parse_window

TODAY = date(2026, 11, 21)
PEOPLE = 5  # the fourth hides from leaderboards, the fifth has left
CAMPAIGN_DAYS = (TODAY - timedelta(days=40), TODAY - timedelta(days=3))
PERIODS = ("week", "month", "quarter", "year", "all", "rolling30", "campaign")

ENTRY = st.tuples(
    st.integers(0, PEOPLE - 1),  # who
    st.integers(-100, 2),  # day, relative to TODAY: a quarter back and into the days after
    st.sampled_from([-7, -3, 0, 1, 2, 3, 5, 8, 13]),  # points
    st.sampled_from(["awarded", "awarded", "held"]),
    st.sampled_from([None, None, "release", "reject", "reverse"]),  # what happens to it later
)


def naive(engine, period: str, viewer_id: int | None, ids: list[int], campaign_id: int):
    """Top and the viewer's rank from the ledger alone: sums of awarded entries in the window, same ties."""
    with Session(engine.db.engine) as session:
        window = parse_window(session, period.replace("campaign", f"campaign:{campaign_id}"), TODAY)
        entries = session.exec(select(PointsEntry).where(col(PointsEntry.status) == EntryStatus.AWARDED)).all()
    totals: dict[int, list] = {}
    for entry in entries:
        day = entry.occurred_at.astimezone(UTC).date()
        if (window.starts_on and day < window.starts_on) or (window.ends_on and day >= window.ends_on):
            continue
        line = totals.setdefault(entry.ambassador_id, [0, None])
        line[0] += entry.points
        if entry.points:
            line[1] = max(line[1] or day, day)
    hidden, gone = ids[3], ids[4]
    board = sorted(
        (
            (-points, last_day, who)
            for who, (points, last_day) in totals.items()
            if points > 0 and who != gone and (who != hidden or who == viewer_id)
        ),
    )
    order = [who for _points, _day, who in board]
    return order, (order.index(viewer_id) + 1 if viewer_id in order else None)


def write(engine, entries, events: list[int], ids: list[int], batch: str) -> None:
    """Score the entries through the engine's incremental path, then apply what happens to them later."""
    written = []
    moved: list = []  # the awarded points that moved, told to the plugins as the ledger does
    with engine.transaction() as session:
        for number, (who, day, points, status, later) in enumerate(entries):
            moment = datetime.combine(TODAY + timedelta(days=day), time(12), tzinfo=UTC)
            entry = PointsEntry(
                rule=f"{batch}-{number}",
                event_id=events[0],
                ambassador_id=ids[who],
                points=points,
                reason="test",
                status=EntryStatus(status),
                occurred_at=moment,
            )
            inserted = points_service._insert_entry(session, entry, moved=moved)
            assert inserted is not None
            written.append((inserted, later, moment))
        for entry, later, moment in written:
            if later == "reverse":
                reversal = PointsEntry(
                    rule=entry.rule,
                    event_id=events[1],
                    ambassador_id=entry.ambassador_id,
                    points=-entry.points,
                    reason="taken back",
                    status=entry.status,
                    reverses_entry_id=entry.id,
                    reversed_event_id=entry.event_id,
                    occurred_at=moment + timedelta(days=1),
                )
                points_service._insert_entry(session, reversal, moved=moved)
            elif later in ("release", "reject") and entry.status is EntryStatus.HELD:
                target = EntryStatus.AWARDED if later == "release" else EntryStatus.REJECTED
                points_service._set_status(session, session.get_one(PointsEntry, entry.id), target, moved=moved)
        engine.points_changed(session, moved)


@pytest.mark.slow
def test_every_board_equals_the_naive_ranking(clarion_engine_factory):
    engine = clarion_engine_factory()
    ids = []
    for number in range(PEOPLE):
        person = make_person(engine, f"exact-{number}", team="blue" if number % 2 else "green")
        ids.append(person.id)
    with engine.transaction() as session:
        session.get(Ambassador, ids[3]).leaderboard_visible = False
        session.get(Ambassador, ids[4]).left_at = datetime.combine(TODAY, time(), tzinfo=UTC)
        events = []
        for number in range(2):
            event = Event(
                kind=EventKind.SHARE_PUBLISHED,
                occurred_at=datetime.combine(TODAY, time(), tzinfo=UTC),
                recorded_at=datetime.combine(TODAY, time(), tzinfo=UTC),
                idempotency_key=f"exact-{number}",
            )
            session.add(event)
            session.flush()
            events.append(event.id)
        campaign = Campaign(
            name="Exact",
            slug="exact",
            starts_at=datetime.combine(CAMPAIGN_DAYS[0], time(8), tzinfo=UTC),
            ends_at=datetime.combine(CAMPAIGN_DAYS[1], time(18), tzinfo=UTC),
        )
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id

    def boards(viewers) -> dict:
        answers = {}
        with Session(engine.db.engine) as session:
            for period in PERIODS:
                asked = f"campaign:{campaign_id}" if period == "campaign" else period
                for viewer in viewers:
                    board = leaderboard(session, period=asked, viewer_id=viewer, today=TODAY, limit=3)
                    answers[period, viewer] = (
                        [line.ambassador_id for line in board.top],
                        board.me.rank if board.me else None,
                        board.ranked,
                    )
        return answers

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(ENTRY, max_size=12), st.lists(ENTRY, max_size=12))
    def boards_equal_naive(before, after):
        with engine.transaction() as session:
            session.execute(sa.update(PointsEntry).values(reverses_entry_id=None))
            for model in (PointsEntry, DailyPoints, PeriodPoints, WindowTotals):
                session.execute(sa.delete(model))
        write(engine, before, events, ids, "before")
        boards([None])  # builds the kept windows from daily_points
        write(engine, after, events, ids, "after")
        viewers = [None, *ids]
        answers = boards(viewers)
        for period in PERIODS:
            for viewer in viewers:
                order, rank = naive(engine, period, viewer, ids, campaign_id)
                top, my_rank, ranked = answers[period, viewer]
                assert top == order[:3], (period, viewer)
                assert my_rank == rank, (period, viewer)
                assert ranked == len(order), (period, viewer)

    boards_equal_naive()
