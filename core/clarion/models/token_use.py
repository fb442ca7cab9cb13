"""Single-use token ids: every identity token exchanged for a widget session leaves its ``jti`` here."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import utc_column


class UsedTokenId(SQLModel, table=True):
    """A token id already exchanged; kept until the token would have expired, then swept.

    The primary key is the whole guarantee: a second exchange of the same token fails on
    insert, in every process sharing the database.
    """

    __tablename__ = "used_token_id"
    __table_args__ = (sa.Index(None, "expires_at"),)

    jti: str = Field(primary_key=True, max_length=128)
    expires_at: datetime = Field(sa_column=utc_column(nullable=False))
