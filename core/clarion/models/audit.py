"""The audit log: who changed what, when and through which door. Append-only (database triggers)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, utc_column, utcnow


class AuditEntry(SQLModel, table=True):
    """One change by an editor, admin, API token, provisioning client or the command line."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        sa.Index("ix_audit_entry_subject", "subject_type", "subject_id"),
        sa.Index("ix_audit_entry_actor_id", "actor_id", "id"),
        sa.Index("ix_audit_entry_action", "action", "id"),
        sa.Index("ix_audit_entry_occurred_at", "occurred_at"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    actor_id: int | None = Field(default=None, description="The ambassador acting (an id, never a name).")
    via: str = Field(max_length=64, description="The door: admin, api:<identity provider>[:<credential>], cli, system.")
    action: str = Field(max_length=100, description="<thing>.<verb>, e.g. content.approved.")
    subject_type: str = Field(max_length=64)
    subject_id: str = Field(default="", max_length=200)
    before: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON(), nullable=True))


class AuditPurge(SQLModel, table=True):
    """A retention purge: entries older than ``purge_before`` may be deleted (the triggers check it)."""

    __tablename__ = "audit_purge"
    id: int | None = Field(default=None, primary_key=True)
    purge_before: datetime = Field(sa_column=utc_column(nullable=False))
    purged_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    purged_by: str = Field(max_length=200)
