"""Language versions of content: a translation points at the item it translates.

Revision ID: 0017_content_language_versions
Revises: 0016_auth_sessions
Create Date: 2026-12-05 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_content_language_versions"
down_revision: str | None = "0016_auth_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite rebuilds the table in batch mode: keep AUTOINCREMENT, so ids of deleted content are never reused.
KEEP_NO_ID_REUSE = {"sqlite_autoincrement": True}


# The rebuild would lose the feed's expression index: drop it first and create it again after.
def _drop_feed_order_index() -> None:
    op.drop_index("ix_content_feed_order", table_name="content")


def _create_feed_order_index() -> None:
    op.create_index(
        "ix_content_feed_order",
        "content",
        ["status", "featured", sa.text("coalesce(publish_at, created_at)"), "id"],
        unique=False,
    )


def upgrade() -> None:
    _drop_feed_order_index()
    with op.batch_alter_table("content", schema=None, table_kwargs=KEEP_NO_ID_REUSE) as batch_op:
        batch_op.add_column(sa.Column("translation_of_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_content_translation_of_id"), ["translation_of_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_content_translation_of_id_content"),
            "content",
            ["translation_of_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _create_feed_order_index()


def downgrade() -> None:
    _drop_feed_order_index()
    with op.batch_alter_table("content", schema=None, table_kwargs=KEEP_NO_ID_REUSE) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_content_translation_of_id_content"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_content_translation_of_id"))
        batch_op.drop_column("translation_of_id")
    _create_feed_order_index()
