"""Calendar periods (week, month, quarter, year, all time) and the per-period totals leaderboards read."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from clarion.models import ALL_TIME_START, PeriodKind, PeriodPoints


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


def add_to_periods(session: Session, ambassador_id: int, day: date, points: int) -> None:
    """Add awarded ``points`` earned on ``day`` to the ambassador's total of every period holding it."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = PeriodPoints.__table__  # type: ignore[attr-defined]
    greatest = sa.func.greatest if dialect == "postgresql" else sa.func.max
    rows = [
        {"period": kind.value, "starts_on": period_start(kind, day), "ambassador_id": ambassador_id}
        | {"points": points, "last_day": day}
        for kind in PeriodKind
    ]
    statement: Any = insert(PeriodPoints).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["period", "starts_on", "ambassador_id"],
        set_={"points": table.c.points + points, "last_day": greatest(table.c.last_day, statement.excluded.last_day)},
    )
    session.execute(statement)
