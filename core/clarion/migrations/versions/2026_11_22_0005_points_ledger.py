"""The points ledger (one row per award or reversal) and points per ambassador, rule and day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 03:42:27.711681
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "daily_points",
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_daily_points_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ambassador_id", "day", "rule", name=op.f("pk_daily_points")),
    )
    with op.batch_alter_table("daily_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_daily_points_day_ambassador_id"), ["day", "ambassador_id"], unique=False)

    op.create_table(
        "points_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "status",
            sa.Enum("awarded", "held", "rejected", name="entry_status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("hold_reason", sa.String(length=500), nullable=True),
        sa.Column("reverses_entry_id", sa.Integer(), nullable=True),
        sa.Column("reversed_event_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(rule) > 0", name=op.f("ck_points_entry_rule_not_empty")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_points_entry_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_points_entry_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"],
            ["points_entry.id"],
            name=op.f("fk_points_entry_reverses_entry_id_points_entry"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_entry")),
        sa.UniqueConstraint(
            "rule",
            "event_id",
            "ambassador_id",
            "reversed_event_id",
            name=op.f("uq_points_entry_rule_event_id_ambassador_id_reversed_event_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_points_entry_ambassador_id_occurred_at"), ["ambassador_id", "occurred_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_points_entry_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_points_entry_reverses_entry_id"), ["reverses_entry_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_points_entry_status_id"), ["status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_points_entry_status_id"))
        batch_op.drop_index(batch_op.f("ix_points_entry_reverses_entry_id"))
        batch_op.drop_index(batch_op.f("ix_points_entry_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_points_entry_ambassador_id_occurred_at"))

    op.drop_table("points_entry")
    with op.batch_alter_table("daily_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_daily_points_day_ambassador_id"))

    op.drop_table("daily_points")
