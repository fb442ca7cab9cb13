"""Clicks on tracked links: one row per GET of ``/r/{code}``, flagged, never holding an IP address."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, utc_column, utcnow


class Click(SQLModel, table=True):
    """A request to a tracked link, as captured by the redirect and ingested later.

    ``counted`` is true only for a human, external, first-in-window click by someone other
    than the sharer; every other row stays for audit with the flag that excluded it.
    ``visitor_hash`` is a keyed hash of address and user agent under a key that rotates
    daily and is then destroyed: it groups one day's clicks by visitor and can never be
    turned back into an address.
    """

    __tablename__ = "click"
    __table_args__ = (
        sa.Index(None, "share_id", "occurred_at"),
        sa.Index(None, "occurred_at"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    capture_id: str = Field(max_length=64, unique=True, description="Id given at capture; makes ingestion idempotent.")
    share_id: int = Field(sa_column=sa.Column(sa.ForeignKey("share.id", ondelete="CASCADE"), nullable=False))
    occurred_at: datetime = Field(sa_column=utc_column(nullable=False))
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    visitor_hash: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=512)
    referrer_host: str | None = Field(default=None, max_length=255)
    bot_reason: str | None = Field(default=None, max_length=120, description="Why it is not a person; null if it is.")
    is_internal: bool = Field(default=False, description="From a configured office network.")
    is_self: bool = Field(default=False, description="The sharing ambassador's own click.")
    is_duplicate: bool = Field(default=False, description="Same visitor and share within the duplicate window.")
    via_qr: bool = Field(default=False, description="Arrived through the link's QR code.")
    counted: bool = Field(default=False, description="Counts as a click: none of the flags above apply.")
