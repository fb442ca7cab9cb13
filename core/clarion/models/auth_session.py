"""Server-side sessions: every session token Clarion hands out has a row, so it can be ended."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import utc_column, utcnow


class SessionKind(enum.StrEnum):
    ADMIN = "admin"
    WIDGET = "widget"


class AuthSession(SQLModel, table=True):
    """One signed-in session (the ``sid`` of a ``cws.`` token); a token whose row is ended or gone is refused.

    ``csrf_secret`` is random per session, so the CSRF token of one session says nothing about
    another's and dies with it.
    """

    __tablename__ = "auth_session"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('admin', 'widget')", name="known_kind"),
        sa.Index(None, "ambassador_id", "ended_at"),
        sa.Index(None, "expires_at"),
    )

    id: str = Field(primary_key=True, max_length=64)
    ambassador_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    kind: str = Field(max_length=16, description="A SessionKind: where the person signed in.")
    csrf_secret: str = Field(max_length=64)
    user_agent: str = Field(default="", max_length=120, description="A summary such as 'Firefox on Windows'.")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
