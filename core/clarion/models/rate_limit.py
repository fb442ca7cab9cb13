"""Call budgets the networks reported, per network and scope, shared by every worker through the database."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import utc_column, utcnow


class RateLimit(SQLModel, table=True):
    """What a network last said about one budget, and until when it is spent.

    ``scope`` is ``account:<network account id>`` for a person's budget or ``app`` for the
    budget all accounts share. ``remaining``, ``window_limit`` and ``reset_at`` are the latest report,
    for people to read; ``blocked_until`` is what workers obey: no call before it. It only ever
    moves later while it lies in the future, so a stale answer arriving late cannot lift it.
    """

    __tablename__ = "rate_limit"
    __table_args__ = (sa.UniqueConstraint("network", "scope"),)

    id: int | None = Field(default=None, primary_key=True)
    network: str = Field(max_length=40)
    scope: str = Field(max_length=80)
    remaining: int | None = Field(default=None)
    window_limit: int | None = Field(default=None, description="Calls allowed per window, if said.")
    reset_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    blocked_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
