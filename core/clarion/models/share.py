"""Shares: one ambassador sharing one content item on one network."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.metrics import MetricSource
from clarion.models.types import SQLITE_NO_ID_REUSE, enum_type, utc_column, utcnow


class ShareMethod(StrEnum):
    INTENT = "intent"  # the network's composer opened in the ambassador's browser
    API = "api"  # published by Clarion through the network's API


class ShareStatus(StrEnum):
    PLANNED = "planned"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Share(SQLModel, table=True):
    __tablename__ = "share"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint(
            "(potential_reach IS NULL) = (potential_reach_source IS NULL)"
            " AND (potential_reach IS NULL OR potential_reach >= 0)",
            name="potential_reach_valid",
        ),
        sa.UniqueConstraint("network", "external_post_id"),
        sa.Index(None, "ambassador_id", "created_at"),
        sa.Index(None, "status", "scheduled_at"),
        sa.Index(None, "published_at", "ambassador_id"),  # challenges: shares published in a window
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    content_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="RESTRICT"), nullable=False, index=True)
    )
    ambassador_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    network: str = Field(max_length=40)
    text: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    method: ShareMethod = Field(sa_type=enum_type(ShareMethod, "share_method"))
    status: ShareStatus = Field(default=ShareStatus.PLANNED, sa_type=enum_type(ShareStatus, "share_status"))
    scheduled_at: datetime | None = Field(default=None, sa_column=utc_column())
    published_at: datetime | None = Field(default=None, sa_column=utc_column())
    opened_at: datetime | None = Field(
        default=None, sa_column=utc_column(), description="When the ambassador opened the share intent."
    )
    verified_at: datetime | None = Field(
        default=None, sa_column=utc_column(), description="When the post was confirmed to exist on the network."
    )
    publish_started_at: datetime | None = Field(
        default=None,
        sa_column=utc_column(),
        description="When the current API publish attempt began; recorded before calling the network.",
    )
    external_post_id: str | None = Field(default=None, max_length=300)
    external_post_url: str | None = Field(default=None, max_length=2048)
    link_code: str = Field(max_length=16, unique=True, description="Tracked-link code; random.")
    attempts: int = Field(default=0)
    potential_reach: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.BigInteger(), nullable=True),
        description="The sharer's audience on the network when the share went out (snapshot).",
    )
    potential_reach_source: MetricSource | None = Field(
        default=None,
        sa_column=sa.Column(enum_type(MetricSource, "potential_reach_source"), nullable=True),
        description="reported (the account's follower count) or estimated (the network's default).",
    )
    last_error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
