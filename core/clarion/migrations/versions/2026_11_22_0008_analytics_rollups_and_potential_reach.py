"""Analytics: daily rollups with their watermarks, and the potential reach snapshot on shares.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 03:40:24.015406
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_watermark",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_analytics_watermark")),
    )
    op.create_table(
        "analytics_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("shares", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reach_reported", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("reach_estimated", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks_total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks_counted", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks_bot", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks_internal", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks_self", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks_duplicate", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("clicks_qr", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_analytics_daily_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_analytics_daily_campaign_id_campaign"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["content_id"], ["content.id"], name=op.f("fk_analytics_daily_content_id_content"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("day", "ambassador_id", "content_id", "network", name=op.f("pk_analytics_daily")),
    )
    with op.batch_alter_table("analytics_daily", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_daily_ambassador_id_day"), ["ambassador_id", "day"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_analytics_daily_campaign_id_day"), ["campaign_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_analytics_daily_content_id_day"), ["content_id", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_analytics_daily_network_day"), ["network", "day"], unique=False)
        batch_op.create_index(batch_op.f("ix_analytics_daily_team_day"), ["team", "day"], unique=False)

    op.create_table(
        "analytics_metric_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("content_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "measured",
                "reported",
                "estimated",
                name="rollup_metric_source",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("value", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_analytics_metric_daily_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_analytics_metric_daily_campaign_id_campaign"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["content_id"],
            ["content.id"],
            name=op.f("fk_analytics_metric_daily_content_id_content"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "day", "ambassador_id", "content_id", "network", "metric", "source", name=op.f("pk_analytics_metric_daily")
        ),
    )
    with op.batch_alter_table("analytics_metric_daily", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_metric_daily_ambassador_id_day"), ["ambassador_id", "day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_metric_daily_campaign_id_day"), ["campaign_id", "day"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_analytics_metric_daily_content_id_day"), ["content_id", "day"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_analytics_metric_daily_team_day"), ["team", "day"], unique=False)

    with op.batch_alter_table("share", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("potential_reach", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "potential_reach_source",
                sa.Enum(
                    "measured",
                    "reported",
                    "estimated",
                    name="potential_reach_source",
                    native_enum=False,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.create_check_constraint(
            "potential_reach_valid",
            "(potential_reach IS NULL) = (potential_reach_source IS NULL)"
            " AND (potential_reach IS NULL OR potential_reach >= 0)",
        )


def downgrade() -> None:
    with op.batch_alter_table("share", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_share_potential_reach_valid"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_share_potential_reach_source"), type_="check")
        batch_op.drop_column("potential_reach_source")
        batch_op.drop_column("potential_reach")

    with op.batch_alter_table("analytics_metric_daily", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_metric_daily_team_day"))
        batch_op.drop_index(batch_op.f("ix_analytics_metric_daily_content_id_day"))
        batch_op.drop_index(batch_op.f("ix_analytics_metric_daily_campaign_id_day"))
        batch_op.drop_index(batch_op.f("ix_analytics_metric_daily_ambassador_id_day"))

    op.drop_table("analytics_metric_daily")
    with op.batch_alter_table("analytics_daily", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_daily_team_day"))
        batch_op.drop_index(batch_op.f("ix_analytics_daily_network_day"))
        batch_op.drop_index(batch_op.f("ix_analytics_daily_content_id_day"))
        batch_op.drop_index(batch_op.f("ix_analytics_daily_campaign_id_day"))
        batch_op.drop_index(batch_op.f("ix_analytics_daily_ambassador_id_day"))

    op.drop_table("analytics_daily")
    op.drop_table("analytics_watermark")
