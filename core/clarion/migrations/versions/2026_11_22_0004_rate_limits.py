"""Rate-limit store: the call budgets networks reported, per network and scope, shared by every worker.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 03:40:35.819614
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("remaining", sa.Integer(), nullable=True),
        sa.Column("window_limit", sa.Integer(), nullable=True),
        sa.Column("reset_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("blocked_until", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit")),
        sa.UniqueConstraint("network", "scope", name=op.f("uq_rate_limit_network_scope")),
    )


def downgrade() -> None:
    op.drop_table("rate_limit")
