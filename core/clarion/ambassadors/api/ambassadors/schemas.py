"""Ambassadors and their network accounts as the API shows them (never credentials)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from clarion.models import AdvocacyLevel, Ambassador, ConsentState, NetworkAccount, Role
from clarion.web.common import PageMeta

LOCALE = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"


class AmbassadorCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: str = Field(min_length=1, max_length=200, examples=["jdevries"])
    name: str = Field(min_length=1, max_length=200, examples=["Jan de Vries"])
    email: str | None = Field(default=None, max_length=320, examples=["jan.devries@example.com"])
    department: str | None = Field(default=None, max_length=120, examples=["Engineering"])
    team: str | None = Field(default=None, max_length=120, examples=["Platform"])
    locale: str = Field(default="en", pattern=LOCALE, examples=["nl"])
    time_zone: str = Field(default="UTC", max_length=64, examples=["Europe/Amsterdam"])
    role: Role = Field(default=Role.AMBASSADOR, examples=["ambassador"])
    advocacy_level: AdvocacyLevel = Field(default=AdvocacyLevel.ENGAGEMENT, examples=["engagement"])


class AmbassadorUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200, examples=["Jan de Vries"])
    email: str | None = Field(default=None, max_length=320, examples=["jan@example.com"])
    department: str | None = Field(default=None, max_length=120, examples=["Sales"])
    team: str | None = Field(default=None, max_length=120, examples=["Benelux"])
    locale: str | None = Field(default=None, pattern=LOCALE, examples=["en"])
    time_zone: str | None = Field(default=None, max_length=64, examples=["Europe/Brussels"])
    role: Role | None = Field(default=None, examples=["editor"])
    advocacy_level: AdvocacyLevel | None = Field(default=None, examples=["curation"])
    leaderboard_visible: bool | None = Field(default=None, examples=[False])


class AmbassadorOut(BaseModel):
    id: int = Field(examples=[7])
    external_id: str = Field(examples=["jdevries"])
    name: str = Field(examples=["Jan de Vries"])
    email: str | None = Field(examples=["jan.devries@example.com"])
    department: str | None = Field(examples=["Engineering"])
    team: str | None = Field(examples=["Platform"])
    locale: str = Field(examples=["nl"])
    time_zone: str = Field(examples=["Europe/Amsterdam"])
    role: Role = Field(examples=["ambassador"])
    consent: ConsentState = Field(examples=["opted_in"])
    opted_in_at: datetime | None = Field(examples=["2026-10-01T08:00:00Z"])
    paused_at: datetime | None = Field(examples=[None])
    left_at: datetime | None = Field(examples=[None])
    guidelines_version: str | None = Field(examples=["1"])
    advocacy_level: AdvocacyLevel = Field(examples=["engagement"])
    leaderboard_visible: bool = Field(examples=[True])
    quiet_hours_start: int | None = Field(default=None, description="Minutes after local midnight.", examples=[1320])
    quiet_hours_end: int | None = Field(default=None, examples=[420])
    created_at: datetime = Field(examples=["2026-09-30T12:00:00Z"])

    @classmethod
    def of(cls, ambassador: Ambassador) -> AmbassadorOut:
        assert ambassador.id is not None
        return cls(
            id=ambassador.id,
            external_id=ambassador.external_id,
            name=ambassador.name,
            email=ambassador.email,
            department=ambassador.department,
            team=ambassador.team,
            locale=ambassador.locale,
            time_zone=ambassador.time_zone,
            role=ambassador.role,
            consent=ambassador.consent,
            opted_in_at=ambassador.opted_in_at,
            paused_at=ambassador.paused_at,
            left_at=ambassador.left_at,
            guidelines_version=ambassador.guidelines_version,
            advocacy_level=ambassador.advocacy_level,
            leaderboard_visible=ambassador.leaderboard_visible,
            quiet_hours_start=ambassador.quiet_hours_start,
            quiet_hours_end=ambassador.quiet_hours_end,
            created_at=ambassador.created_at,
        )


class AmbassadorPage(PageMeta):
    items: list[AmbassadorOut]


class AccountOut(BaseModel):
    id: int = Field(examples=[12])
    network: str = Field(examples=["linkedin"])
    handle: str = Field(examples=["jan-de-vries"])
    follower_count: int | None = Field(examples=[640])
    followers_read_at: datetime | None = Field(examples=["2026-11-01T10:00:00Z"])
    api_connected: bool = Field(description="Credentials for API publishing are stored.", examples=[False])
    status: Literal["active", "reconnect_needed"] = Field(
        description="`reconnect_needed`: the network refused the stored credentials; connect again.",
        examples=["active"],
    )
    created_at: datetime = Field(examples=["2026-10-01T08:05:00Z"])

    @classmethod
    def of(cls, account: NetworkAccount) -> AccountOut:
        assert account.id is not None
        return cls(
            id=account.id,
            network=account.network,
            handle=account.handle,
            follower_count=account.follower_count,
            followers_read_at=account.followers_read_at,
            api_connected=account.credentials_encrypted is not None,
            status=account.status.value,
            created_at=account.created_at,
        )
