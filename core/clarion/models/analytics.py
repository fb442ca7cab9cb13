"""Analytics rollups: daily facts at the finest grain, and the watermarks that keep them incremental."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.metrics import MetricSource
from clarion.models.types import enum_type, utc_column, utcnow


class AnalyticsDaily(SQLModel, table=True):
    """What one ambassador's shares of one content item on one network did on one UTC day.

    Campaign and team are copied onto the row (as they were when the row was last rebuilt) so
    dashboards filter and group without joining. Every column is a sum over raw rows.
    """

    __tablename__ = "analytics_daily"
    __table_args__ = (
        sa.Index(None, "campaign_id", "day"),
        sa.Index(None, "team", "day"),
        sa.Index(None, "ambassador_id", "day"),
        sa.Index(None, "content_id", "day"),
        sa.Index(None, "network", "day"),
    )

    day: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), primary_key=True)
    )
    content_id: int = Field(sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True))
    network: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    campaign_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True)
    )
    team: str | None = Field(default=None, max_length=120)
    shares: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    reach_reported: int = Field(
        default=0,
        sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"),
        description="Potential reach of the day's shares read from the network (follower counts).",
    )
    reach_estimated: int = Field(
        default=0,
        sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"),
        description="Potential reach of the day's shares from the configured per-network default.",
    )
    clicks_total: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    clicks_counted: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    clicks_bot: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    clicks_internal: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    clicks_self: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    clicks_duplicate: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    clicks_qr: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))


class AnalyticsMetricDaily(SQLModel, table=True):
    """The increase of one cumulative metric (per source) on one UTC day, at the same grain.

    A reading lower than the one before (an unlike) is a negative increase, so the sum over
    all days always equals the latest reading.
    """

    __tablename__ = "analytics_metric_daily"
    __table_args__ = (
        sa.Index(None, "campaign_id", "day"),
        sa.Index(None, "team", "day"),
        sa.Index(None, "ambassador_id", "day"),
        sa.Index(None, "content_id", "day"),
    )

    day: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), primary_key=True)
    )
    content_id: int = Field(sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True))
    network: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    metric: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    source: MetricSource = Field(sa_column=sa.Column(enum_type(MetricSource, "rollup_metric_source"), primary_key=True))
    campaign_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True)
    )
    team: str | None = Field(default=None, max_length=120)
    value: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))


class AnalyticsWatermark(SQLModel, table=True):
    """The last raw row of a source already folded into the rollups."""

    __tablename__ = "analytics_watermark"

    source: str = Field(sa_column=sa.Column(sa.String(40), primary_key=True))
    last_id: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False, server_default="0"))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
