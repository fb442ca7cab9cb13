"""Badges an ambassador has earned: each at most once."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, utc_column, utcnow


class BadgeAward(SQLModel, table=True):
    """One badge earned by one ambassador; ``(ambassador_id, badge)`` is unique, so a badge is awarded once."""

    __tablename__ = "badge_award"
    __table_args__ = (
        sa.UniqueConstraint("ambassador_id", "badge"),
        sa.CheckConstraint("length(badge) > 0", name="badge_not_empty"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    ambassador_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    badge: str = Field(max_length=100)
    earned_at: datetime = Field(sa_column=utc_column(nullable=False), description="When the criterion was met.")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
