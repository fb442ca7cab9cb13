"""The notes table.

Revision ID: n001_notes
Revises:
Create Date: 2026-12-04 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "n001_notes"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notes_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("tidied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["ambassador_id"], ["ambassador.id"], name=op.f("fk_notes_note_ambassador_id_ambassador")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes_note")),
    )
    op.create_index(op.f("ix_notes_note_ambassador_id"), "notes_note", ["ambassador_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_notes_note_ambassador_id"), table_name="notes_note")
    op.drop_table("notes_note")
