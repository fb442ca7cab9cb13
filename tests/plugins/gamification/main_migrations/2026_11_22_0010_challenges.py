"""Challenges: time-boxed voluntary goals, who joined them, and their frozen results.

Revision ID: 0010_challenges
Revises: 0009
Create Date: 2026-11-22 06:47:39.273012
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0010_challenges"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_share_published_at_ambassador_id"), ["published_at", "ambassador_id"], unique=False
        )
    op.create_table(
        "challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("individual", "team", name="challenge_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column(
            "measure",
            sa.Enum(
                "shares",
                "verified_shares",
                "points",
                "clicks",
                "participation",
                name="challenge_measure",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("target", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=True),
        sa.Column("campaign_id", sa.Integer(), nullable=True),
        sa.Column("network", sa.String(length=40), nullable=True),
        sa.Column("starts_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("reward", sa.String(length=500), nullable=True),
        sa.Column("image_url", sa.String(length=2048), nullable=True),
        sa.Column("archived_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("results_frozen_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "measure <> 'participation' OR (kind = 'team' AND target <= 100)",
            name=op.f("ck_challenge_participation_team"),
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_challenge_window_order")),
        sa.CheckConstraint("target > 0", name=op.f("ck_challenge_target_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_challenge_campaign_id_campaign"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_challenge_ends_at_starts_at"), ["ends_at", "starts_at"], unique=False)

    op.create_table(
        "challenge_participant",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("joined_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_challenge_participant_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_challenge_participant_challenge_id_challenge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("challenge_id", "ambassador_id", name=op.f("pk_challenge_participant")),
    )
    with op.batch_alter_table("challenge_participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_participant_ambassador_id"), ["ambassador_id"], unique=False)

    op.create_table(
        "challenge_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=True),
        sa.Column("team", sa.String(length=120), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=True),
        sa.Column("qualified", sa.Boolean(), nullable=False),
        sa.Column("frozen_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("(ambassador_id IS NULL) <> (team IS NULL)", name=op.f("ck_challenge_result_one_subject")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_challenge_result_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenge.id"],
            name=op.f("fk_challenge_result_challenge_id_challenge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenge_result")),
        sa.UniqueConstraint(
            "challenge_id", "ambassador_id", name=op.f("uq_challenge_result_challenge_id_ambassador_id")
        ),
        sa.UniqueConstraint("challenge_id", "team", name=op.f("uq_challenge_result_challenge_id_team")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("challenge_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_result_ambassador_id"), ["ambassador_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("challenge_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_result_ambassador_id"))

    op.drop_table("challenge_result")
    with op.batch_alter_table("challenge_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_participant_ambassador_id"))

    op.drop_table("challenge_participant")
    with op.batch_alter_table("challenge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_ends_at_starts_at"))
        batch_op.drop_index(batch_op.f("ix_challenge_campaign_id"))

    op.drop_table("challenge")
    with op.batch_alter_table("share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_share_published_at_ambassador_id"))
