"""The plugin's two tables: one row per thank-you, and one per person and week once the week is summed up."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from clarion.models.types import SQLITE_NO_ID_REUSE, utc_column, utcnow
from sqlmodel import Field, SQLModel

MESSAGE_MAX_LENGTH = 280


class Kudos(SQLModel, table=True):
    """A colleague's thanks for a share: one per giver and share, never to oneself.

    Both people are named (``giver_id``, ``receiver_id``): the rows go when either person's
    ambassador row is deleted (``ON DELETE CASCADE``).
    """

    __tablename__ = "kudos"
    __table_args__ = (
        sa.UniqueConstraint("share_id", "giver_id"),
        sa.CheckConstraint("giver_id <> receiver_id", name="not_to_oneself"),
        sa.Index(None, "receiver_id", "created_at"),
        sa.Index(None, "giver_id", "created_at"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(sa_column=sa.Column(sa.ForeignKey("share.id", ondelete="CASCADE"), nullable=False))
    giver_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    # The share's author, copied so "kudos I received" needs no join.
    receiver_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    message: str | None = Field(default=None, max_length=MESSAGE_MAX_LENGTH)
    message_hidden_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class KudosWeek(SQLModel, table=True):
    """How many kudos a person received in one ISO week, written once by the weekly job."""

    __tablename__ = "kudos_week"
    __table_args__ = (
        sa.UniqueConstraint("ambassador_id", "week_start"),
        sa.CheckConstraint("received > 0", name="received_positive"),
        sa.Index(None, "week_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ambassador_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    week_start: date = Field(description="The Monday the week begins (UTC).")
    received: int
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


TABLES = (Kudos.__table__, KudosWeek.__table__)
