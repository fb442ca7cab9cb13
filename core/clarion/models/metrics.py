"""Cumulative metric samples per share, and the append-only event log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, enum_type, utc_column, utcnow


class MetricSource(StrEnum):
    """Where a number comes from; every figure Clarion shows carries one."""

    MEASURED = "measured"  # counted by Clarion itself (tracked-link redirect)
    REPORTED = "reported"  # reported by the network (API or imported export)
    ESTIMATED = "estimated"  # computed by a documented formula


class MetricSample(SQLModel, table=True):
    """A cumulative reading: the value of a metric for a share at a moment."""

    __tablename__ = "metric_sample"
    __table_args__ = (
        sa.UniqueConstraint("share_id", "metric", "source", "observed_at"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
        sa.CheckConstraint("length(metric) > 0", name="metric_not_empty"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(sa_column=sa.Column(sa.ForeignKey("share.id", ondelete="CASCADE"), nullable=False))
    metric: str = Field(max_length=40)
    value: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    source: MetricSource = Field(sa_type=enum_type(MetricSource, "metric_source"))
    observed_at: datetime = Field(sa_column=utc_column(nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    origin: str | None = Field(
        default=None,
        max_length=40,
        description="How the figure reached Clarion: 'api' (polled from the network), 'import' (a CSV an admin "
        "uploaded), or a plugin's own word; unset on readings recorded before origins existed.",
    )


class MetricOrigin:
    """The ``origin`` values the core writes; plugins may add their own words."""

    API = "api"
    IMPORT = "import"


class MetricSync(SQLModel, table=True):
    """When a share's figures were last read from its network, and when they are due again."""

    __tablename__ = "metric_sync"

    share_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("share.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    )
    next_sync_at: datetime = Field(sa_column=utc_column(nullable=False, index=True))
    last_synced_at: datetime | None = Field(default=None, sa_column=utc_column())
    last_error: str | None = Field(default=None, max_length=2000)


class Event(SQLModel, table=True):
    """Append-only: what happened, to whom, when. Recording the same key twice is a no-op."""

    __tablename__ = "event"
    __table_args__ = (
        sa.Index(None, "kind", "occurred_at"),
        sa.Index(None, "ambassador_id", "occurred_at"),
        sa.Index(None, "share_id"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=64)
    ambassador_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="SET NULL"), nullable=True),
    )
    content_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="SET NULL"), nullable=True),
    )
    share_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("share.id", ondelete="SET NULL"), nullable=True),
    )
    occurred_at: datetime = Field(sa_column=utc_column(nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    idempotency_key: str = Field(max_length=200, unique=True)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=sa.Column(sa.JSON(), nullable=False))
