"""Shares as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from clarion.models import Share, ShareMethod, ShareStatus
from clarion.web.common import Id, PageMeta, UtcDatetime


class ShareCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_id: Id = Field(examples=[42])
    network: str = Field(min_length=1, max_length=40, examples=["linkedin"])
    text: str | None = Field(
        default=None,
        max_length=5000,
        description="My own words; defaults to the first suggested text for this network.",
        examples=["Our data team is hiring, come work with me!"],
    )
    method: ShareMethod = Field(default=ShareMethod.INTENT, examples=["intent"])
    scheduled_at: UtcDatetime | None = Field(
        default=None, description="API shares only, up to 31 days ahead.", examples=[None]
    )


class ShareOut(BaseModel):
    id: int = Field(examples=[77])
    content_id: int = Field(examples=[42])
    ambassador_id: int = Field(examples=[7])
    network: str = Field(examples=["linkedin"])
    text: str = Field(examples=["Our data team is hiring, come work with me!"])
    method: ShareMethod = Field(examples=["intent"])
    status: ShareStatus = Field(examples=["planned"])
    scheduled_at: datetime | None = Field(examples=[None])
    published_at: datetime | None = Field(examples=[None])
    opened_at: datetime | None = Field(
        description="When I opened the network's composer (intent shares).", examples=[None]
    )
    verified_at: datetime | None = Field(
        description="When the post was confirmed to exist on the network.", examples=[None]
    )
    external_post_url: str | None = Field(examples=[None])
    tracked_url: str = Field(
        description="My tracked link for this share.", examples=["https://advocacy.example.com/r/k7Hq2mXa9c"]
    )
    attempts: int = Field(examples=[0])
    last_error: str | None = Field(examples=[None])
    created_at: datetime = Field(examples=["2026-11-21T10:00:00Z"])

    @classmethod
    def of(cls, share: Share, tracked_url: str) -> ShareOut:
        assert share.id is not None
        return cls(
            id=share.id,
            content_id=share.content_id,
            ambassador_id=share.ambassador_id,
            network=share.network,
            text=share.text,
            method=share.method,
            status=share.status,
            scheduled_at=share.scheduled_at,
            published_at=share.published_at,
            opened_at=share.opened_at,
            verified_at=share.verified_at,
            external_post_url=share.external_post_url,
            tracked_url=tracked_url,
            attempts=share.attempts,
            last_error=share.last_error,
            created_at=share.created_at,
        )


class ShareReschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheduled_at: UtcDatetime = Field(description="The new moment, in the future.", examples=["2026-11-24T09:00:00Z"])


class ShareVerify(BaseModel):
    model_config = ConfigDict(extra="forbid")

    post_url: str = Field(
        min_length=1,
        max_length=2048,
        description="The https link to my post on the network.",
        examples=["https://www.linkedin.com/feed/update/urn:li:activity:7123456789/"],
    )


class GuardrailWarning(BaseModel):
    guardrail: str = Field(examples=["near-duplicate"])
    message: str = Field(examples=["Twelve colleagues already posted this exact text; your own words travel further."])


class ShareCreated(ShareOut):
    share_intent_url: str | None = Field(
        description="Open this to post on the network (intent shares).",
        examples=["https://www.linkedin.com/feed/?shareActive=true&text=..."],
    )
    warnings: list[GuardrailWarning] = Field(
        default_factory=list, description="Guardrail findings that did not block the share."
    )


class SharePage(PageMeta):
    items: list[ShareOut]
