"""The points ledger: one row per award a rule made for an event, and daily totals per person."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, enum_type, utc_column, utcnow


class EntryStatus(StrEnum):
    AWARDED = "awarded"  # counts in the balance
    HELD = "held"  # flagged as an anomaly; waits for an admin to release or reject it
    REJECTED = "rejected"  # an admin refused held points; they never count


class PointsEntry(SQLModel, table=True):
    """Append-only: points a rule gave (or took back) for one event.

    ``(rule, event_id, ambassador_id, reversed_event_id)`` is unique, so scoring an event again adds nothing. A
    correction is a new entry with the opposite points and ``reverses_entry_id`` set; only the
    status of held entries (and of entries reversing them) ever changes.
    """

    __tablename__ = "points_entry"
    __table_args__ = (
        sa.UniqueConstraint("rule", "event_id", "ambassador_id", "reversed_event_id"),
        sa.CheckConstraint("length(rule) > 0", name="rule_not_empty"),
        sa.Index(None, "ambassador_id", "occurred_at"),
        sa.Index(None, "occurred_at"),
        sa.Index(None, "status", "id"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(max_length=100)
    event_id: int = Field(sa_column=sa.Column(sa.ForeignKey("event.id", ondelete="CASCADE"), nullable=False))
    ambassador_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    points: int
    reason: str = Field(max_length=500)
    status: EntryStatus = Field(default=EntryStatus.AWARDED, sa_type=enum_type(EntryStatus, "entry_status"))
    hold_reason: str | None = Field(default=None, max_length=500)
    reverses_entry_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("points_entry.id", ondelete="CASCADE"), nullable=True, index=True),
    )
    reversed_event_id: int = Field(
        default=0, description="For a reversal, the event of the entry it reverses; 0 for an award."
    )
    occurred_at: datetime = Field(sa_column=utc_column(nullable=False), description="When the event happened.")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class DailyPoints(SQLModel, table=True):
    """Awarded points per ambassador, rule and UTC day, kept in step with the ledger.

    Leaderboards over any period sum a few rows per person instead of the whole ledger, and
    daily caps read one row.
    """

    __tablename__ = "daily_points"
    __table_args__ = (sa.Index(None, "day", "ambassador_id"),)

    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), primary_key=True)
    )
    day: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    rule: str = Field(max_length=100, primary_key=True)
    points: int = Field(default=0)
    held: int = Field(default=0)
    awarded_changed: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean(), nullable=False, server_default=sa.false()),
        description="Some entry changed the awarded points of this row (even if they sum to 0): the day counts "
        "as a day the total changed, for the leaderboards' tie-breaker.",
    )
