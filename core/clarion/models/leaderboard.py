"""Awarded points per ambassador and calendar period, so leaderboards read one row per person."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class PeriodKind(StrEnum):
    WEEK = "week"  # ISO week, starting on Monday (UTC)
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = "all"  # one period, starting on ALL_TIME_START


ALL_TIME_START = date(1970, 1, 1)


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
