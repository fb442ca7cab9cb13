"""Adopt the gamification tables: create those a database lacks, keep every row of those it has.

Before gamification was a plugin, the core's migrations 0009, 0010 and 0012 created these tables; a
database made then has them with their rows, and this revision only records them as the plugin's.
A database made since (or one where the plugin was blocked) gets them here; ``period_points`` is
then filled from ``daily_points``, so the leaderboards are right at once. Badge awards are
re-derived by ``clarion scores recompute``.

Revision ID: g001_gamification
Revises:
Create Date: 2026-12-05 07:00:00.000000
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "g001_gamification"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("badge_award", "period_points", "window_totals", "challenge", "challenge_participant", "challenge_result")


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "badge_award" not in existing:
        _badge_award()
    if "period_points" not in existing:
        _period_points()
        _backfill_period_points()
    if "window_totals" not in existing:
        _window_totals()
    if "challenge" not in existing:
        _challenge()
    if "challenge_participant" not in existing:
        _challenge_participant()
    if "challenge_result" not in existing:
        _challenge_result()


def downgrade() -> None:
    # Taking the plugin's history to base removes its tables and their data (``clarion db downgrade base``).
    for table in reversed(TABLES):
        op.drop_table(table)


def _badge_award() -> None:
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


def _period_points() -> None:
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


def _window_totals() -> None:
    op.create_table(
        "window_totals",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("built_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("period", "starts_on", name=op.f("pk_window_totals")),
    )


def _challenge() -> None:
    op.create_table(
        "challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("individual", "team", name="challenge_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "measure",
            sa.Enum(
                "shares",
                "verified_shares",
                "points",
                "clicks",
                "participation",
                name="challenge_measure",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("network", sa.String(length=40), nullable=True),
        sa.Column("starts_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("reward", sa.String(length=500), nullable=True),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("archived_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("results_frozen_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "measure <> 'participation' OR (kind = 'team' AND target <= 100)",
            name=op.f("ck_challenge_participation_team"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_challenge_window_order")),
        sa.CheckConstraint("target > 0", name=op.f("ck_challenge_target_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_challenge_campaign_id_campaign"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_challenge_ends_at_starts_at"), ["ends_at", "starts_at"], unique=False)


def _challenge_participant() -> None:
    op.create_table(
        "challenge_participant",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_challenge_participant_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_challenge_participant_challenge_id_challenge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("challenge_id", "ambassador_id", name=op.f("pk_challenge_participant")),
    )
    with op.batch_alter_table("challenge_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_participant_ambassador_id"), ["ambassador_id"], unique=False)


def _challenge_result() -> None:
    op.create_table(
        "challenge_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=True),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("frozen_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("(ambassador_id IS NULL) <> (team IS NULL)", name=op.f("ck_challenge_result_one_subject")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_challenge_result_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_challenge_result_challenge_id_challenge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_result")),
        sa.UniqueConstraint(
            "challenge_id", "ambassador_id", name=op.f("uq_challenge_result_challenge_id_ambassador_id")
        ),
        sa.UniqueConstraint("challenge_id", "team", name=op.f("uq_challenge_result_challenge_id_team")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("challenge_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_result_ambassador_id"), ["ambassador_id"], unique=False)


def _period_starts(day: date) -> dict[str, date]:
    return {
        "week": day - timedelta(days=day.weekday()),
        "month": day.replace(day=1),
        "quarter": day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1),
        "year": day.replace(month=1, day=1),
        "all": date(1970, 1, 1),
    }


def _backfill_period_points() -> None:
    """Sum the awarded points already in daily_points into their calendar periods, as the ledger keeps them.

    A period has a row for a person when some entry moved their awarded points on a day inside it.
    """
    bind = op.get_bind()
    daily = sa.table(
        "daily_points",
        sa.column("ambassador_id"),
        sa.column("day", sa.Date()),
        sa.column("points"),
        sa.column("awarded_changed", sa.Boolean()),
    )
    rows = bind.execute(
        sa.select(daily.c.ambassador_id, daily.c.day, sa.func.sum(daily.c.points))
        .where(daily.c.awarded_changed.is_(True))
        .group_by(daily.c.ambassador_id, daily.c.day)
        .order_by(daily.c.ambassador_id, daily.c.day)
    ).all()
    totals: dict[tuple[str, date, int], list] = {}
    for ambassador_id, day, points in rows:
        for period, starts_on in _period_starts(day).items():
            total = totals.setdefault((period, starts_on, ambassador_id), [0, day])
            total[0] += int(points or 0)
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
