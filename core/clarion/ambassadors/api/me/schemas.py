"""The current ambassador's own view: profile, consent, accounts, feed and events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from clarion.ambassadors.api.ambassadors.schemas import LOCALE, AccountOut, AmbassadorOut
from clarion.content.api.content.schemas import ContentOut
from clarion.events import RecordedEvent
from clarion.web.common import Count, PageMeta


class MeOut(BaseModel):
    profile: AmbassadorOut
    accounts: list[AccountOut]
    current_guidelines_version: str = Field(
        description="The guidelines version to accept when opting in.", examples=["1"]
    )


class MeUpdate(BaseModel):
    """What people change themselves; the rest comes from the intranet or an admin."""

    model_config = ConfigDict(extra="forbid")

    locale: str | None = Field(default=None, pattern=LOCALE, examples=["nl"])
    time_zone: str | None = Field(default=None, max_length=64, examples=["Europe/Amsterdam"])
    leaderboard_visible: bool | None = Field(default=None, examples=[False])
    quiet_hours_start: int | None = Field(
        default=None,
        ge=0,
        le=1439,
        description="Minutes after local midnight; null with the end clears them.",
        examples=[1320],
    )
    quiet_hours_end: int | None = Field(default=None, ge=0, le=1439, examples=[420])


class ConsentChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["opt_in", "pause", "resume", "leave"] = Field(examples=["opt_in"])
    guidelines_version: str | None = Field(
        default=None, max_length=32, description="Required to opt in: the version you accept.", examples=["1"]
    )


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirm: Literal["erase"] = Field(description="Must be `erase`: erasing cannot be undone.", examples=["erase"])


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network: str = Field(min_length=1, max_length=40, examples=["linkedin"])
    handle: str = Field(min_length=1, max_length=200, examples=["jan-de-vries"])
    follower_count: Count | None = Field(default=None, examples=[640])


class FeedPage(PageMeta):
    items: list[ContentOut]


class EventOut(BaseModel):
    id: int = Field(examples=[1201])
    kind: str = Field(examples=["share.created"])
    occurred_at: datetime = Field(examples=["2026-11-21T10:00:00Z"])
    content_id: int | None = Field(examples=[42])
    share_id: int | None = Field(examples=[77])
    payload: dict[str, Any] = Field(examples=[{"network": "linkedin", "method": "intent"}])

    @classmethod
    def of(cls, event: RecordedEvent) -> EventOut:
        return cls(
            id=event.id,
            kind=event.kind,
            occurred_at=event.occurred_at,
            content_id=event.content_id,
            share_id=event.share_id,
            payload=event.payload,
        )


class ConnectRequest(BaseModel):
    """Connect an account for API publishing.

    OAuth networks (Mastodon): send ``{}`` or an ``instance``; the answer is the consent page to
    open. App-password networks (Bluesky): send ``identifier`` and ``password``; the answer is
    the account. The password opens a session and is never stored.
    """

    model_config = ConfigDict(extra="forbid")

    instance: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="Mastodon instance or Bluesky PDS; the connector's default when absent.",
        examples=["https://mastodon.social"],
    )
    identifier: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="Handle or e-mail (app passwords).",
        examples=["jan.bsky.social"],
    )
    password: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="An app password, never the account password.",
        examples=["abcd-efgh-ijkl-mnop"],
    )
    return_to: str | None = Field(
        default=None,
        max_length=500,
        description="A path on this site to send the browser to after an OAuth connection; JSON when absent.",
        examples=["/me"],
    )


class ConnectOut(BaseModel):
    """The answer to a connect request: a consent page to open (OAuth) or the connected account."""

    authorize_url: str | None = Field(
        description="OAuth: open this page in the ambassador's browser; the network sends them back to the callback.",
        examples=["https://mastodon.social/oauth/authorize?response_type=code&client_id=abc&state=xyz"],
    )
    account: AccountOut | None = Field(description="App passwords: the account, connected.")
