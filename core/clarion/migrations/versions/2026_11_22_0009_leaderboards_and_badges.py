"""Points per ambassador and calendar period (leaderboards) and earned badges: now the gamification plugin's.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 04:39:16.378557
"""

from collections.abc import Sequence

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # badge_award and period_points belong to the gamification plugin since it left the core: its own
    # history (clarion_plugins/gamification/migrations) creates them, or adopts them where this revision
    # created them before. Kept, empty, so databases stamped with it stay consistent.
    pass


def downgrade() -> None:
    pass
