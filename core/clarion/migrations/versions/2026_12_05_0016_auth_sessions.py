"""Server-side sessions: one row per session token, so sign-out and admins can end it.

Revision ID: 0016_auth_sessions
Revises: 0015_audit_log
Create Date: 2026-12-05 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0016_auth_sessions"
down_revision: str | None = "0015_audit_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("ambassador_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=120), nullable=False),
        sa.Column("created_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("ended_at", clarion.models.types.UTCDateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('admin', 'widget')", name=op.f("ck_auth_session_known_kind")),
        sa.ForeignKeyConstraint(
            ["ambassador_id"],
            ["ambassador.id"],
            name=op.f("fk_auth_session_ambassador_id_ambassador"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_session")),
    )
    op.create_index(
        op.f("ix_auth_session_ambassador_id_ended_at"), "auth_session", ["ambassador_id", "ended_at"], unique=False
    )
    op.create_index(op.f("ix_auth_session_expires_at"), "auth_session", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_session_expires_at"), table_name="auth_session")
    op.drop_index(op.f("ix_auth_session_ambassador_id_ended_at"), table_name="auth_session")
    op.drop_table("auth_session")
