"""Challenges (now the gamification plugin's tables) and the index on shares their totals read.

Revision ID: 0010_challenges
Revises: 0009
Create Date: 2026-11-22 06:47:39.273012
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_challenges"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_published_at_ambassador_id"), ["published_at", "ambassador_id"], unique=False
        )
    # The challenge tables belong to the gamification plugin since it left the core: its own history
    # creates them, or adopts them where this revision created them before. The share index stays.


def downgrade() -> None:
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_published_at_ambassador_id"))
