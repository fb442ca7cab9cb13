"""The tags table.

Revision ID: t001_tags
Revises:
Create Date: 2026-12-05 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t001_tags"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tags_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags_tag")),
    )
    op.create_index(op.f("ix_tags_tag_name"), "tags_tag", ["name"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_tags_tag_name"), table_name="tags_tag")
    op.drop_table("tags_tag")
