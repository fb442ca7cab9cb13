"""Calendar periods (week, month, quarter, year, all time), windows of days, and the totals leaderboards read.

Every change to a person's awarded points adds to their row of each calendar period holding the
day and of each kept window holding it (``window_totals``), so any board reads one row per person.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from clarion.models import DailyPoints
from clarion.models.types import utcnow
from clarion_plugins.gamification.models import ALL_TIME_START, PeriodKind, PeriodPoints, WindowTotals

SINCE = "since"


def period_start(kind: PeriodKind, day: date) -> date:
    """The first day of the ``kind`` period holding ``day``; weeks start on Monday."""
    if kind is PeriodKind.WEEK:
        return day - timedelta(days=day.weekday())
    if kind is PeriodKind.MONTH:
        return day.replace(day=1)
    if kind is PeriodKind.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if kind is PeriodKind.YEAR:
        return day.replace(month=1, day=1)
    return ALL_TIME_START


def period_end(kind: PeriodKind, starts_on: date) -> date | None:
    """The first day after the period starting on ``starts_on``; None for all time."""
    if kind is PeriodKind.WEEK:
        return starts_on + timedelta(days=7)
    if kind is PeriodKind.ALL:
        return None
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    month_index = starts_on.year * 12 + starts_on.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def window_key(starts_on: date | None, ends_on: date | None) -> tuple[str, date]:
    """How ``period_points`` names the window of days ``[starts_on, ends_on)``: ``days:<n>`` or ``since``."""
    start = starts_on or ALL_TIME_START
    return (SINCE, start) if ends_on is None else (f"days:{max(0, (ends_on - start).days)}", start)


def kept_windows(session: Session, day: date) -> list[tuple[str, date]]:
    """The kept windows holding ``day``."""
    rows = session.execute(
        sa.select(col(WindowTotals.period), col(WindowTotals.starts_on)).where(
            col(WindowTotals.starts_on) <= day,
            sa.or_(col(WindowTotals.ends_on).is_(None), col(WindowTotals.ends_on) > day),
        )
    ).all()
    return [(period, starts_on) for period, starts_on in rows]


def add_to_periods(session: Session, ambassador_id: int, day: date, points: int) -> None:
    """Add awarded ``points`` earned on ``day`` to the ambassador's total of every period and kept window holding it.

    The caller has changed ``daily_points`` already: reading the kept windows after that write is what
    keeps a window being built concurrently exact (see :func:`keep_window`).
    """
    keys = [(kind.value, period_start(kind, day)) for kind in PeriodKind] + kept_windows(session, day)
    rows = [
        {"period": period, "starts_on": starts_on, "ambassador_id": ambassador_id, "points": points, "last_day": day}
        for period, starts_on in keys
    ]
    session.execute(_period_upsert(session.get_bind().dialect.name), rows)


_UPSERTS: dict[str, Any] = {}


def _period_upsert(dialect: str) -> Any:
    """``INSERT … ON CONFLICT`` adding to a period's total, built once per dialect so it compiles once."""
    statement = _UPSERTS.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = PeriodPoints.__table__  # type: ignore[attr-defined]
        greatest = sa.func.greatest if dialect == "postgresql" else sa.func.max
        statement = insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=["period", "starts_on", "ambassador_id"],
            set_={
                "points": table.c.points + statement.excluded.points,
                "last_day": greatest(table.c.last_day, statement.excluded.last_day),
            },
        )
        _UPSERTS[dialect] = statement
    return statement


def keep_window(bind: sa.Engine | sa.Connection, starts_on: date | None, ends_on: date | None, today: date) -> None:
    """Make sure the totals of the window ``[starts_on, ends_on)`` are kept in ``period_points``.

    The first time a window is asked for, its totals are summed from ``daily_points`` in one
    statement and the window is recorded in ``window_totals``; from then on every ledger write
    adds to it. The build must not miss a write that commits while it runs: it records the window
    first, then (PostgreSQL) takes a SHARE lock on ``daily_points``, which waits for every
    transaction that wrote there and holds new writers until the build commits. A writer reads
    the kept windows after its own ``daily_points`` write, so it either committed before the
    build read the table or sees the window and adds to it. On SQLite the window's row takes the
    database's write lock, with the same effect.

    Windows that ended before yesterday are dropped when another is built; asking for one again
    builds it again.
    """
    period, start = window_key(starts_on, ends_on)
    key = (col(WindowTotals.period) == period, col(WindowTotals.starts_on) == start)
    with Session(bind) as session:
        if session.execute(sa.select(sa.literal(1)).where(*key)).first() is not None:
            return
    # A new transaction that writes first: on SQLite its reads then see what it locked.
    with Session(bind) as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        marker: Any = insert(WindowTotals).values(period=period, starts_on=start, ends_on=ends_on, built_at=utcnow())
        if session.execute(marker.on_conflict_do_nothing().returning(col(WindowTotals.period))).first() is None:
            session.rollback()
            return  # built by someone else meanwhile
        if dialect == "postgresql":
            session.execute(sa.text("LOCK TABLE daily_points IN SHARE MODE"))
        daily = sa.select(
            sa.literal(period, sa.String()),
            sa.literal(start, sa.Date()),
            col(DailyPoints.ambassador_id),
            sa.func.sum(DailyPoints.points),
            sa.func.max(DailyPoints.day),
        ).where(col(DailyPoints.awarded_changed).is_(True), col(DailyPoints.day) >= start)
        if ends_on is not None:
            daily = daily.where(col(DailyPoints.day) < ends_on)
        daily = daily.group_by(col(DailyPoints.ambassador_id))
        columns = ["period", "starts_on", "ambassador_id", "points", "last_day"]
        session.execute(sa.insert(PeriodPoints).from_select(columns, daily))
        ended = (
            sa.select(col(WindowTotals.period), col(WindowTotals.starts_on))
            .where(col(WindowTotals.ends_on) < today - timedelta(days=1))
            .where(sa.not_(sa.and_(*key)))
        )
        stale = session.execute(ended).all()
        if stale:
            pairs = [tuple(row) for row in stale]
            session.execute(
                sa.delete(PeriodPoints).where(
                    sa.tuple_(col(PeriodPoints.period), col(PeriodPoints.starts_on)).in_(pairs)
                )
            )
            session.execute(
                sa.delete(WindowTotals).where(
                    sa.tuple_(col(WindowTotals.period), col(WindowTotals.starts_on)).in_(pairs)
                )
            )
        session.commit()
    if dialect == "postgresql":
        # Fresh statistics for the new rows: without them the planner takes the new window for a few
        # rows and ranks tens of thousands of them with nested loops.
        with Session(bind) as session:
            session.execute(sa.text("ANALYZE period_points"))
            session.commit()


def rebuild_periods(session: Session) -> int:
    """Rebuild every calendar period's totals from ``daily_points`` and drop the kept windows; rows written.

    Called by ``clarion scores recompute`` once the ledger is rebuilt, in its transaction. A period
    gets a row for a person when some entry moved their awarded points on a day inside it (even if
    those moves sum to 0), exactly as the incremental path writes it; windows are rebuilt the next
    time a board asks for them.
    """
    session.execute(sa.delete(PeriodPoints))
    session.execute(sa.delete(WindowTotals))
    rows = session.execute(
        sa.select(col(DailyPoints.ambassador_id), col(DailyPoints.day), sa.func.sum(DailyPoints.points))
        .where(col(DailyPoints.awarded_changed).is_(True))
        .group_by(col(DailyPoints.ambassador_id), col(DailyPoints.day))
    ).all()
    totals: dict[tuple[str, date, int], list[Any]] = {}
    for ambassador_id, day, points in rows:
        for kind in PeriodKind:
            total = totals.setdefault((kind.value, period_start(kind, day), ambassador_id), [0, day])
            total[0] += int(points or 0)
            total[1] = max(total[1], day)
    values = [
        {"period": period, "starts_on": starts_on, "ambassador_id": who, "points": points, "last_day": last}
        for (period, starts_on, who), (points, last) in totals.items()
    ]
    table = PeriodPoints.__table__  # type: ignore[attr-defined]
    for start in range(0, len(values), 5000):
        session.execute(sa.insert(table), values[start : start + 5000])
    return len(values)
