"""The audit log (append-only: triggers refuse UPDATE and DELETE) and its retention purges.

Revision ID: 0015_audit_log
Revises: 0014_personal_data
Create Date: 2026-12-05 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import clarion.models.types

revision: str = "0015_audit_log"
down_revision: str | None = "0014_personal_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSE_UPDATE = "audit_entry is append-only: entries are never changed"
REFUSE_DELETE = "audit_entry is append-only: only a retention purge (audit_purge) deletes entries"
# A row may be deleted only when a recorded purge covers it (clarion_plugins.audit_log.service.purge).
PURGED = "OLD.occurred_at < (SELECT max(purge_before) FROM audit_purge)"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSE_UPDATE}'); END",
    f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    f"WHEN NOT coalesce({PURGED}, 0) BEGIN SELECT RAISE(ABORT, '{REFUSE_DELETE}'); END",
]
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND coalesce({PURGED}, false) THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION '{REFUSE_UPDATE}' USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RAISE EXCEPTION '{REFUSE_DELETE}' USING ERRCODE = 'integrity_constraint_violation';
    END $$""",
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()",
]


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("via", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=200), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_entry_action", "audit_entry", ["action", "id"], unique=False)
    op.create_index("ix_audit_entry_actor_id", "audit_entry", ["actor_id", "id"], unique=False)
    op.create_index("ix_audit_entry_occurred_at", "audit_entry", ["occurred_at"], unique=False)
    op.create_index("ix_audit_entry_subject", "audit_entry", ["subject_type", "subject_id"], unique=False)
    op.create_table(
        "audit_purge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purge_before", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("purged_at", clarion.models.types.UTCDateTime(), nullable=False),
        sa.Column("purged_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_purge")),
    )
    for statement in POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION audit_entry_append_only()")
    op.drop_table("audit_purge")
    op.drop_index("ix_audit_entry_subject", table_name="audit_entry")
    op.drop_index("ix_audit_entry_occurred_at", table_name="audit_entry")
    op.drop_index("ix_audit_entry_actor_id", table_name="audit_entry")
    op.drop_index("ix_audit_entry_action", table_name="audit_entry")
    op.drop_table("audit_entry")
