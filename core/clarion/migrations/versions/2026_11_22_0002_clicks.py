"""Clicks on tracked links: one row per captured request, flagged, with no IP address.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:30:06.983316
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "click",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("capture_id", sa.String(length=64), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("recorded_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("visitor_hash", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("referrer_host", sa.String(length=255), nullable=True),
        sa.Column("bot_reason", sa.String(length=120), nullable=True),
        sa.Column("is_internal", sa.Boolean(), nullable=False),
        sa.Column("is_self", sa.Boolean(), nullable=False),
        sa.Column("is_duplicate", sa.Boolean(), nullable=False),
        sa.Column("via_qr", sa.Boolean(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"], name=op.f("fk_click_share_id_share"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_click")),
        sa.UniqueConstraint("capture_id", name=op.f("uq_click_capture_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("click", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_click_occurred_at"), ["occurred_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_click_share_id_occurred_at"), ["share_id", "occurred_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("click", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_click_share_id_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_click_occurred_at"))

    op.drop_table("click")
