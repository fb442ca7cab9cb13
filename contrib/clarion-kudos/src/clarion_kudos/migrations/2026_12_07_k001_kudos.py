"""The kudos and kudos_week tables.

Revision ID: k001_kudos
Revises:
Create Date: 2026-12-07 12:00:00.000000
"""

from collections.abc import Sequence

import clarion.models.types
import sqlalchemy as sa
from alembic import op

revision: str = "k001_kudos"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("share_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("receiver_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=280), nullable=True),
        sa.Column("message_hidden_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("giver_id <> receiver_id", name=op.f("ck_kudos_not_to_oneself")),
        sa.ForeignKeyConstraint(
            ["giver_id"], ["ambassador.id"], name=op.f("fk_kudos_giver_id_ambassador"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"], ["ambassador.id"], name=op.f("fk_kudos_receiver_id_ambassador"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["share_id"], ["share.id"], name=op.f("fk_kudos_share_id_share"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos")),
        sa.UniqueConstraint("share_id", "giver_id", name=op.f("uq_kudos_share_id_giver_id")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_kudos_giver_id_created_at"), "kudos", ["giver_id", "created_at"], unique=False)
    op.create_index(op.f("ix_kudos_receiver_id_created_at"), "kudos", ["receiver_id", "created_at"], unique=False)
    op.create_table(
        "kudos_week",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("week_start", sa.Date(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("recorded_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("received > 0", name=op.f("ck_kudos_week_received_positive")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_kudos_week_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos_week")),
        sa.UniqueConstraint("ambassador_id", "week_start", name=op.f("uq_kudos_week_ambassador_id_week_start")),
    )
    op.create_index(op.f("ix_kudos_week_week_start"), "kudos_week", ["week_start"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_kudos_week_week_start"), table_name="kudos_week")
    op.drop_table("kudos_week")
    op.drop_index(op.f("ix_kudos_receiver_id_created_at"), table_name="kudos")
    op.drop_index(op.f("ix_kudos_giver_id_created_at"), table_name="kudos")
    op.drop_table("kudos")
