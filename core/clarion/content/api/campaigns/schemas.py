"""Campaigns as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from clarion.models import Campaign
from clarion.web.common import Count, PageMeta, UtcDatetime

Percent = Annotated[int, Field(ge=0, le=100)]
PARTICIPATION = (
    "Percentage (0-100) of the campaign's audience, the opted-in ambassadors its content is targeted to, "
    "who share at least once during the campaign. A goal for the campaign, never for one person."
)


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Graduate hiring 2027"])
    slug: str = Field(min_length=1, max_length=80, examples=["graduates-2027"])
    description: str = Field(default="", max_length=5000, examples=["Help us reach next year's graduates."])
    goal_shares: Count | None = Field(default=None, examples=[500])
    goal_clicks: Count | None = Field(default=None, examples=[5000])
    goal_reach: Count | None = Field(default=None, examples=[100000])
    goal_participation: Percent | None = Field(default=None, description=PARTICIPATION, examples=[40])
    starts_at: UtcDatetime | None = Field(default=None, examples=["2027-01-10T00:00:00Z"])
    ends_at: UtcDatetime | None = Field(default=None, examples=["2027-03-31T00:00:00Z"])
    hashtags: list[str] = Field(default_factory=list, max_length=10, examples=[["WeAreHiring", "GradJobs"]])


class CampaignUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200, examples=["Graduate hiring"])
    slug: str | None = Field(default=None, min_length=1, max_length=80, examples=["graduates"])
    description: str | None = Field(default=None, max_length=5000, examples=["New description"])
    goal_shares: Count | None = Field(default=None, examples=[600])
    goal_clicks: Count | None = Field(default=None, examples=[None])
    goal_reach: Count | None = Field(default=None, examples=[None])
    goal_participation: Percent | None = Field(default=None, description=PARTICIPATION, examples=[50])
    starts_at: UtcDatetime | None = Field(default=None, examples=["2027-01-10T00:00:00Z"])
    ends_at: UtcDatetime | None = Field(default=None, examples=["2027-04-30T00:00:00Z"])
    hashtags: list[str] | None = Field(default=None, max_length=10, examples=[["WeAreHiring"]])


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[3])
    name: str = Field(examples=["Graduate hiring 2027"])
    slug: str = Field(examples=["graduates-2027"])
    description: str = Field(examples=["Help us reach next year's graduates."])
    goal_shares: int | None = Field(examples=[500])
    goal_clicks: int | None = Field(examples=[5000])
    goal_reach: int | None = Field(examples=[100000])
    goal_participation: int | None = Field(description=PARTICIPATION, examples=[40])
    starts_at: datetime | None = Field(examples=["2027-01-10T00:00:00Z"])
    ends_at: datetime | None = Field(examples=["2027-03-31T00:00:00Z"])
    hashtags: list[str] = Field(examples=[["WeAreHiring", "GradJobs"]])
    created_at: datetime = Field(examples=["2026-11-20T09:30:00Z"])
    updated_at: datetime = Field(examples=["2026-11-20T09:30:00Z"])

    @classmethod
    def of(cls, campaign: Campaign) -> CampaignOut:
        return cls.model_validate(campaign)


class CampaignPage(PageMeta):
    items: list[CampaignOut]
