"""Awarded points per ambassador and calendar period, so leaderboards read one row per person."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import utc_column, utcnow


class PeriodKind(StrEnum):
    WEEK = "week"  # ISO week, starting on Monday (UTC)
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = "all"  # one period, starting on ALL_TIME_START


ALL_TIME_START = date(1970, 1, 1)


class WindowTotals(SQLModel, table=True):
    """A window of days whose per-person totals are kept in ``period_points`` like a calendar period.

    ``period`` is ``days:<n>`` (the ``n`` days from ``starts_on``) or ``since`` (from ``starts_on`` on).
    Built from ``daily_points`` the first time a board asks for it; from then on every ledger write
    adds to it, so a rolling-30-day or campaign board reads one row per person.
    """

    __tablename__ = "window_totals"

    period: str = Field(max_length=16, primary_key=True)
    starts_on: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    ends_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date(), nullable=True))
    built_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class PeriodPoints(SQLModel, table=True):
    """Awarded points of one ambassador in one calendar period, kept in step with the ledger.

    ``last_day`` is the latest UTC day on which the total changed: among equal totals, whoever got there
    first ranks higher.
    """

    __tablename__ = "period_points"
    __table_args__ = (
        sa.Index(None, "period", "starts_on", "points", "last_day", "ambassador_id"),
        sa.Index(None, "ambassador_id"),
    )

    period: str = Field(max_length=16, primary_key=True)
    starts_on: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), primary_key=True)
    )
    points: int = Field(default=0)
    last_day: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
