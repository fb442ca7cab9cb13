"""Points per ambassador and calendar period (leaderboards) and earned badges.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 04:39:16.378557
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "badge_award",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("badge", sa.String(length=100), nullable=False),
        sa.Column("earned_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(badge) > 0", name=op.f("ck_badge_award_badge_not_empty")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_badge_award_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_badge_award")),
        sa.UniqueConstraint("ambassador_id", "badge", name=op.f("uq_badge_award_ambassador_id_badge")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "period_points",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_period_points_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period", "starts_on", "ambassador_id", name=op.f("pk_period_points")),
    )
    with op.batch_alter_table("period_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_period_points_ambassador_id"), ["ambassador_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_period_points_period_starts_on_points_last_day_ambassador_id"),
            ["period", "starts_on", "points", "last_day", "ambassador_id"],
            unique=False,
        )

    _backfill_period_points()


def downgrade() -> None:
    with op.batch_alter_table("period_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_period_points_period_starts_on_points_last_day_ambassador_id"))
        batch_op.drop_index(batch_op.f("ix_period_points_ambassador_id"))

    op.drop_table("period_points")
    op.drop_table("badge_award")


def _period_starts(day: date) -> dict[str, date]:
    return {
        "week": day - timedelta(days=day.weekday()),
        "month": day.replace(day=1),
        "quarter": day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1),
        "year": day.replace(month=1, day=1),
        "all": date(1970, 1, 1),
    }


def _backfill_period_points() -> None:
    """Sum the awarded points already in daily_points into their calendar periods."""
    bind = op.get_bind()
    daily = sa.table("daily_points", sa.column("ambassador_id"), sa.column("day", sa.Date()), sa.column("points"))
    rows = bind.execute(
        sa.select(daily.c.ambassador_id, daily.c.day, sa.func.sum(daily.c.points))
        .group_by(daily.c.ambassador_id, daily.c.day)
        .order_by(daily.c.ambassador_id, daily.c.day)
    ).all()
    totals: dict[tuple[str, date, int], list] = {}
    for ambassador_id, day, points in rows:
        if not points:
            continue
        for period, starts_on in _period_starts(day).items():
            total = totals.setdefault((period, starts_on, ambassador_id), [0, day])
            total[0] += int(points)
            total[1] = max(total[1], day)
    if totals:
        period_points = sa.table(
            "period_points",
            sa.column("period"),
            sa.column("starts_on", sa.Date()),
            sa.column("ambassador_id"),
            sa.column("points"),
            sa.column("last_day", sa.Date()),
        )
        op.bulk_insert(
            period_points,
            [
                {"period": period, "starts_on": starts_on, "ambassador_id": who, "points": points, "last_day": last}
                for (period, starts_on, who), (points, last) in totals.items()
            ],
        )
