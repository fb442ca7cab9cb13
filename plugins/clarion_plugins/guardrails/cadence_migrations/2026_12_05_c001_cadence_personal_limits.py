"""Personal daily caps per network, set by each ambassador in the profile widget.

Revision ID: c001_cadence_personal_limits
Revises:
Create Date: 2026-12-05 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c001_cadence_personal_limits"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cadence_personal_limit",
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("network", sa.String(length=40), nullable=False),
        sa.Column("daily_limit", sa.Integer(), nullable=False),
        sa.CheckConstraint("daily_limit >= 1", name=op.f("ck_cadence_personal_limit_daily_limit_positive")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_cadence_personal_limit_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ambassador_id", "network", name=op.f("pk_cadence_personal_limit")),
    )


def downgrade() -> None:
    op.drop_table("cadence_personal_limit")
