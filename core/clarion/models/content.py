"""Content ambassadors may share, its audience, topics and suggested texts per network."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, enum_type, utc_column, utcnow


class ContentOrigin(StrEnum):
    OFFICIAL = "official"  # written by the company
    CURATED = "curated"  # a third-party link an ambassador suggests, with their comment
    PRODUCED = "produced"  # an ambassador's own article, photo or video


class ContentStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    APPROVED = "approved"
    ARCHIVED = "archived"


class EditPolicy(StrEnum):
    """How far an ambassador may change a suggested text."""

    LOCKED = "locked"  # share a suggested text as it is
    SUGGESTED = "suggested"  # start from a suggested text and edit it
    FREE = "free"  # write your own words


class AudienceDimension(StrEnum):
    TEAM = "team"
    DEPARTMENT = "department"
    LOCALE = "locale"


class Content(SQLModel, table=True):
    __tablename__ = "content"
    __table_args__ = (
        sa.CheckConstraint("expires_at IS NULL OR publish_at IS NULL OR expires_at > publish_at", name="window_order"),
        sa.CheckConstraint("origin = 'official' OR author_id IS NOT NULL", name="author_for_own_content"),
        sa.CheckConstraint("length(title) > 0", name="title_not_empty"),
        # Counting a feed reads the window columns from the index alone.
        sa.Index(None, "status", "publish_at", "expires_at"),
        # The feed's order (featured first, newest next): the first page is read from the
        # index instead of sorting every eligible row. Expression indexes need explicit names.
        sa.Index(
            "ix_content_feed_order",
            "status",
            "featured",
            sa.func.coalesce(sa.column("publish_at"), sa.column("created_at")),
            "id",
        ),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    url: str = Field(max_length=2048, description="Canonical URL of what is shared.")
    summary: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    body: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    image_url: str | None = Field(default=None, max_length=2048)
    language: str = Field(default="en", max_length=16)
    translation_of_id: int | None = Field(
        default=None,
        description="The item this one translates: a feed lists one language version of an item.",
        sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    campaign_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("campaign.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    origin: ContentOrigin = Field(default=ContentOrigin.OFFICIAL, sa_type=enum_type(ContentOrigin, "content_origin"))
    author_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="RESTRICT"), nullable=True, index=True),
    )
    status: ContentStatus = Field(default=ContentStatus.DRAFT, sa_type=enum_type(ContentStatus, "content_status"))
    status_note: str | None = Field(default=None, max_length=2000)
    publish_at: datetime | None = Field(default=None, sa_column=utc_column())
    expires_at: datetime | None = Field(default=None, sa_column=utc_column())
    featured: bool = Field(default=False)
    edit_policy: EditPolicy = Field(
        default=EditPolicy.FREE,
        sa_column=sa.Column(enum_type(EditPolicy, "edit_policy"), nullable=False, server_default=sa.text("'free'")),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class ContentTopic(SQLModel, table=True):
    __tablename__ = "content_topic"

    content_id: int = Field(sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True))
    topic: str = Field(max_length=64, primary_key=True, index=True)


class ContentAudience(SQLModel, table=True):
    """One targeting value. No rows for a dimension means everyone on that dimension."""

    __tablename__ = "content_audience"
    __table_args__ = (sa.Index(None, "dimension", "value"),)

    content_id: int = Field(sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True))
    dimension: AudienceDimension = Field(sa_type=enum_type(AudienceDimension, "audience_dimension"), primary_key=True)
    value: str = Field(max_length=120, primary_key=True)


class ShareText(SQLModel, table=True):
    """A suggested text for one network; a content item may offer several per network."""

    __tablename__ = "share_text"
    __table_args__ = (sa.Index(None, "content_id", "network", "position"), SQLITE_NO_ID_REUSE)

    id: int | None = Field(default=None, primary_key=True)
    content_id: int = Field(sa_column=sa.Column(sa.ForeignKey("content.id", ondelete="CASCADE"), nullable=False))
    network: str = Field(max_length=40)
    text: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    position: int = Field(default=0)
