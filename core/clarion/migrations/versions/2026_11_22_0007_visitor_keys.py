"""Daily visitor keys (destroyed after the duplicate window) and ambassadors' own visitor hashes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 03:40:29.900664
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "visitor_key",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_visitor_key")),
    )
    op.create_table(
        "ambassador_visitor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_ambassador_visitor_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ambassador_visitor")),
        sa.UniqueConstraint(
            "ambassador_id", "day", "visitor_hash", name=op.f("uq_ambassador_visitor_ambassador_id_day_visitor_hash")
        ),
    )
    with op.batch_alter_table("ambassador_visitor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ambassador_visitor_day"), ["day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ambassador_visitor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ambassador_visitor_day"))

    op.drop_table("ambassador_visitor")
    op.drop_table("visitor_key")
