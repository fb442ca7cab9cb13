"""Personal data: when a person was erased (their ambassador row is then a pseudonym).

Revision ID: 0014_personal_data
Revises: 0013_guidelines_versions
Create Date: 2026-12-05 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0014_personal_data"
down_revision: str | None = "0013_guidelines_versions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ambassador", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.add_column(sa.Column("erased_at", clarion.models.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ambassador", table_kwargs={"sqlite_autoincrement": True}) as batch:
        batch.drop_column("erased_at")
