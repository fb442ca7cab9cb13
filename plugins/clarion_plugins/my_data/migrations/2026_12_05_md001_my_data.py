"""The my-data plugin's table: a person's data exports, each downloadable once.

Revision ID: md001_my_data
Revises:
Create Date: 2026-12-05 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "md001_my_data"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "personal_data_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "ready",
                "downloaded",
                "expired",
                name="personal_data_export_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("ready_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("downloaded_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("archive", sa.LargeBinary(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_personal_data_export_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_personal_data_export")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("personal_data_export", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_personal_data_export_ambassador_id_requested_at"),
            ["ambassador_id", "requested_at"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("personal_data_export")
