"""Leaderboards at scale: kept totals for rolling and campaign windows, and the days an awarded total moved.

Revision ID: 0012_leaderboard_scale
Revises: 0011_campaign_participation_goal
Create Date: 2026-11-22 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_leaderboard_scale"
down_revision: str | None = "0011_campaign_participation_goal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # window_totals belongs to the gamification plugin since it left the core: its own history creates
    # it, or adopts it where this revision created it before. The ledger's column stays.
    with op.batch_alter_table("daily_points", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awarded_changed", sa.Boolean(), server_default=sa.false(), nullable=False))
    # Rows with awarded points moved them; a day whose entries cancelled out is only known after a recompute.
    daily = sa.table("daily_points", sa.column("points"), sa.column("awarded_changed", sa.Boolean()))
    op.execute(daily.update().where(daily.c.points != 0).values(awarded_changed=True))


def downgrade() -> None:
    with op.batch_alter_table("daily_points", schema=None) as batch_op:
        batch_op.drop_column("awarded_changed")
