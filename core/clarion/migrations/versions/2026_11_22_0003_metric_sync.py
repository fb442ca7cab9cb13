"""Metric sync: when each share's figures were last read and are due again; where a sample came from.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 03:40:12.675544
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metric_sync",
        sa.Column("share_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_sync_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("last_synced_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=2000), nullable=True),
        sa.ForeignKeyConstraint(
            ["share_id"], ["share.id"], name=op.f("fk_metric_sync_share_id_share"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("share_id", name=op.f("pk_metric_sync")),
    )
    with op.batch_alter_table("metric_sync", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_metric_sync_next_sync_at"), ["next_sync_at"], unique=False)

    with op.batch_alter_table("metric_sample", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=40), nullable=True))


def downgrade() -> None:
    # SQLite drops a column by rebuilding the table: keep its AUTOINCREMENT (ids never reused).
    with op.batch_alter_table("metric_sample", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("origin")

    with op.batch_alter_table("metric_sync", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_metric_sync_next_sync_at"))

    op.drop_table("metric_sync")
