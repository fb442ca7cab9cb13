"""Single-use token ids: identity tokens exchanged for widget sessions, kept until they expire.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 03:41:22.756867
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "used_token_id",
        sa.Column("jti", sa.String(length=128), nullable=False),
        sa.Column("expires_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_used_token_id")),
    )
    op.create_index(op.f("ix_used_token_id_expires_at"), "used_token_id", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_used_token_id_expires_at"), table_name="used_token_id")
    op.drop_table("used_token_id")
