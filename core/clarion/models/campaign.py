"""Campaigns group content under a goal and a time window."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, utc_column, utcnow


class Campaign(SQLModel, table=True):
    __tablename__ = "campaign"
    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at", name="window_order"),
        sa.CheckConstraint(
            "(goal_shares IS NULL OR goal_shares >= 0) AND (goal_clicks IS NULL OR goal_clicks >= 0)"
            " AND (goal_reach IS NULL OR goal_reach >= 0)",
            name="goals_not_negative",
        ),
        sa.CheckConstraint(
            "goal_participation IS NULL OR (goal_participation >= 0 AND goal_participation <= 100)",
            name="goal_participation_percent",
        ),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True)
    description: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    goal_shares: int | None = None
    goal_clicks: int | None = None
    goal_reach: int | None = None
    # A percentage of the campaign's audience (opted-in ambassadors its content is targeted to)
    # sharing at least once: the campaign's rate, never a target for any one person.
    goal_participation: int | None = None
    starts_at: datetime | None = Field(default=None, sa_column=utc_column())
    ends_at: datetime | None = Field(default=None, sa_column=utc_column())
    hashtags: list[str] = Field(default_factory=list, sa_column=sa.Column(sa.JSON(), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
