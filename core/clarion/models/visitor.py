"""Daily visitor keys and the visitor hashes of ambassadors: cookieless uniques, no IP address kept."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import utc_column, utcnow


class VisitorKey(SQLModel, table=True):
    """The secret of one UTC day's visitor hashes, deleted once the duplicate window has passed.

    With the key gone, nobody (Clarion included) can recompute that day's hashes from an
    address and a user agent, so a stored ``visitor_hash`` cannot be tied back to anyone.
    """

    __tablename__ = "visitor_key"

    day: date = Field(sa_column=sa.Column(sa.Date(), primary_key=True))
    secret: str = Field(max_length=64, description="Hex of 32 random bytes.")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class AmbassadorVisitor(SQLModel, table=True):
    """A visitor hash an ambassador was seen with on a day, used to set clicks on their own links apart."""

    __tablename__ = "ambassador_visitor"
    __table_args__ = (
        sa.UniqueConstraint("ambassador_id", "day", "visitor_hash"),
        sa.Index(None, "day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ambassador_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    day: date = Field(sa_column=sa.Column(sa.Date(), nullable=False))
    visitor_hash: str = Field(max_length=64)
