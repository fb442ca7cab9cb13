"""Campaign participation goal: the share of the campaign's audience that shares, in percent.

Revision ID: 0011_campaign_participation_goal
Revises: 0010_challenges
Create Date: 2026-11-22 07:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_campaign_participation_goal"
down_revision: str | None = "0010_challenges"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite rebuilds the table in batch mode: keep AUTOINCREMENT, so ids of deleted campaigns are never reused.
KEEP_NO_ID_REUSE = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("campaign", schema=None, table_kwargs=KEEP_NO_ID_REUSE) as batch_op:
        batch_op.add_column(sa.Column("goal_participation", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_campaign_goal_participation_percent"),
            "goal_participation IS NULL OR (goal_participation >= 0 AND goal_participation <= 100)",
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign", schema=None, table_kwargs=KEEP_NO_ID_REUSE) as batch_op:
        batch_op.drop_constraint(op.f("ck_campaign_goal_participation_percent"), type_="check")
        batch_op.drop_column("goal_participation")
