"""Published versions of the social media guidelines.

Revision ID: 0013_guidelines_versions
Revises: 0012_leaderboard_scale
Create Date: 2026-11-22 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0013_guidelines_versions"
down_revision: str | None = "0012_leaderboard_scale"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guidelines_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=True),
        sa.Column("published_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(version) > 0", name=op.f("ck_guidelines_version_version_not_empty")),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_guidelines_version_body_not_empty")),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["ambassador.id"],
            name=op.f("fk_guidelines_version_published_by_ambassador"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guidelines_version")),
        sa.UniqueConstraint("version", name=op.f("uq_guidelines_version_version")),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("guidelines_version")
