"""Content as the API reads and writes it (separate from the table)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from clarion.content.content import ContentDetails
from clarion.content.content_lifecycle import ContentAction
from clarion.models import ContentOrigin, ContentStatus, EditPolicy
from clarion.web.common import AudienceValue, Id, PageMeta, UtcDatetime

LANGUAGE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


class Audience(BaseModel):
    """Who the content is for; an empty list means everyone on that dimension."""

    model_config = ConfigDict(extra="forbid")

    teams: list[AudienceValue] = Field(default_factory=list, max_length=200, examples=[["Platform", "Data"]])
    departments: list[AudienceValue] = Field(default_factory=list, max_length=200, examples=[["Engineering"]])
    locales: list[AudienceValue] = Field(default_factory=list, max_length=50, examples=[["en", "nl"]])


class ShareTextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network: str = Field(min_length=1, max_length=40, examples=["linkedin"])
    text: str = Field(min_length=1, max_length=5000, examples=["Proud of what our team shipped this week"])


class ShareTextOut(BaseModel):
    network: str = Field(examples=["linkedin"])
    text: str = Field(examples=["Proud of what our team shipped this week"])
    position: int = Field(description="Order among this network's suggestions.", examples=[0])


class ContentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300, examples=["We are hiring data engineers in Utrecht"])
    url: str = Field(min_length=1, max_length=2048, examples=["https://example.com/jobs/data-engineer"])
    summary: str = Field(default="", max_length=5000, examples=["Join the team behind our analytics platform."])
    body: str = Field(default="", max_length=100_000, examples=[""])
    image_url: str | None = Field(default=None, max_length=2048, examples=["https://example.com/img/jobs.png"])
    language: str = Field(default="en", pattern=LANGUAGE, examples=["en"])
    translation_of_id: Id | None = Field(
        default=None, description="The item this one translates; a feed lists one language version.", examples=[None]
    )
    topics: list[str] = Field(default_factory=list, max_length=20, examples=[["jobs", "data"]])
    campaign_id: Id | None = Field(default=None, examples=[3])
    origin: ContentOrigin = Field(default=ContentOrigin.OFFICIAL, examples=["official"])
    author_id: Id | None = Field(default=None, description="For curated and produced content.", examples=[None])
    publish_at: UtcDatetime | None = Field(default=None, examples=["2026-12-01T08:00:00Z"])
    expires_at: UtcDatetime | None = Field(default=None, examples=["2027-01-31T23:00:00Z"])
    featured: bool = Field(default=False, examples=[False])
    # locked: share a suggested text as is; suggested: edit one; free: own words.
    edit_policy: EditPolicy = Field(default=EditPolicy.FREE, examples=["suggested"])
    audience: Audience = Field(default_factory=Audience)
    share_texts: list[ShareTextIn] = Field(default_factory=list, max_length=100)
    submit_for_review: bool = Field(
        default=False,
        description="Submit the new content for review in the same request (status `submitted`), as one change.",
        examples=[False],
    )


class ContentUpdate(BaseModel):
    """Only the fields sent are changed; lists replace what was there."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=300, examples=["We are hiring in Utrecht"])
    url: str | None = Field(default=None, max_length=2048, examples=["https://example.com/jobs"])
    summary: str | None = Field(default=None, max_length=5000, examples=["Updated summary"])
    body: str | None = Field(default=None, max_length=100_000, examples=[""])
    image_url: str | None = Field(default=None, max_length=2048, examples=[None])
    language: str | None = Field(default=None, pattern=LANGUAGE, examples=["nl"])
    translation_of_id: Id | None = Field(default=None, description="The item this one translates.", examples=[41])
    topics: list[str] | None = Field(default=None, max_length=20, examples=[["jobs"]])
    campaign_id: Id | None = Field(default=None, examples=[3])
    publish_at: UtcDatetime | None = Field(default=None, examples=["2026-12-01T08:00:00Z"])
    expires_at: UtcDatetime | None = Field(default=None, examples=[None])
    featured: bool | None = Field(default=None, examples=[True])
    edit_policy: EditPolicy | None = Field(default=None, examples=["locked"])
    audience: Audience | None = None
    share_texts: list[ShareTextIn] | None = Field(default=None, max_length=100)


class ContentTransition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: ContentAction = Field(examples=["approve"])
    note: str | None = Field(
        default=None, max_length=2000, description="Required to reject or request changes.", examples=["Looks good"]
    )


class ContentOut(BaseModel):
    id: int = Field(examples=[42])
    title: str = Field(examples=["We are hiring data engineers in Utrecht"])
    url: str = Field(examples=["https://example.com/jobs/data-engineer"])
    summary: str = Field(examples=["Join the team behind our analytics platform."])
    body: str = Field(examples=[""])
    image_url: str | None = Field(examples=["https://example.com/img/jobs.png"])
    language: str = Field(examples=["en"])
    translation_of_id: int | None = Field(default=None, examples=[None])
    topics: list[str] = Field(examples=[["data", "jobs"]])
    campaign_id: int | None = Field(examples=[3])
    origin: ContentOrigin = Field(examples=["official"])
    author_id: int | None = Field(examples=[None])
    status: ContentStatus = Field(examples=["approved"])
    status_note: str | None = Field(examples=[None])
    publish_at: datetime | None = Field(examples=["2026-12-01T08:00:00Z"])
    expires_at: datetime | None = Field(examples=["2027-01-31T23:00:00Z"])
    featured: bool = Field(examples=[True])
    edit_policy: EditPolicy = Field(examples=["free"])
    audience: Audience
    share_texts: list[ShareTextOut]
    allowed_actions: list[ContentAction] = Field(
        description="Lifecycle actions the caller may take now.", examples=[["archive"]]
    )
    created_at: datetime = Field(examples=["2026-11-20T09:30:00Z"])
    updated_at: datetime = Field(examples=["2026-11-21T14:05:00Z"])

    @classmethod
    def of(cls, details: ContentDetails) -> ContentOut:
        content = details.content
        assert content.id is not None
        return cls(
            id=content.id,
            title=content.title,
            url=content.url,
            summary=content.summary,
            body=content.body,
            image_url=content.image_url,
            language=content.language,
            translation_of_id=content.translation_of_id,
            topics=details.topics,
            campaign_id=content.campaign_id,
            origin=content.origin,
            author_id=content.author_id,
            status=content.status,
            status_note=content.status_note,
            publish_at=content.publish_at,
            expires_at=content.expires_at,
            featured=content.featured,
            edit_policy=content.edit_policy,
            audience=Audience(**details.audience),
            share_texts=[
                ShareTextOut(network=t.network, text=t.text, position=t.position) for t in details.share_texts
            ],
            allowed_actions=[ContentAction(action) for action in details.actions],
            created_at=content.created_at,
            updated_at=content.updated_at,
        )


class ContentPage(PageMeta):
    items: list[ContentOut]
