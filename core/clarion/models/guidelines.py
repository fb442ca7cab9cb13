"""Published versions of the programme's social media guidelines: ambassadors accept the latest to take part."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, utc_column, utcnow


class GuidelinesVersion(SQLModel, table=True):
    """One published version; the newest (highest id) is the one ambassadors accept. Never edited, never deleted."""

    __tablename__ = "guidelines_version"
    __table_args__ = (
        sa.CheckConstraint("length(version) > 0", name="version_not_empty"),
        sa.CheckConstraint("length(body) > 0", name="body_not_empty"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=32, unique=True)
    body: str = Field(sa_column=sa.Column(sa.Text(), nullable=False), description="Markdown, as the admin wrote it.")
    published_by: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="SET NULL"), nullable=True)
    )
    published_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
