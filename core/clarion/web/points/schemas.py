"""Points, held entries and level progress as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from clarion.models import AdvocacyLevel, ContentOrigin, EntryStatus
from clarion.services.levels import LevelProgress
from clarion.services.points import Balance, LedgerLine
from clarion.web.common import PageMeta


class PointsEntryOut(BaseModel):
    """One ledger entry; only ``awarded`` entries count in the balance."""

    id: int = Field(examples=[981])
    ambassador_id: int = Field(examples=[12])
    rule: str = Field(description="The rule that gave (or took back) the points.", examples=["share"])
    points: int = Field(description="Negative for a correction.", examples=[10])
    reason: str = Field(examples=["You shared on LinkedIn"])
    status: EntryStatus = Field(examples=["awarded"])
    hold_reason: str | None = Field(
        description="Why the points wait for review, when held.",
        examples=["24 clicks on this share within 10 minutes from 2 visitors"],
    )
    event_id: int = Field(examples=[5120])
    event_kind: str = Field(description="What happened.", examples=["share.published"])
    occurred_at: datetime = Field(description="When it happened (UTC).", examples=["2026-11-21T10:00:00Z"])
    reverses_entry_id: int | None = Field(description="The entry a correction takes back.", examples=[None])

    @classmethod
    def of(cls, line: LedgerLine) -> PointsEntryOut:
        entry = line.entry
        assert entry.id is not None
        return cls(
            id=entry.id,
            ambassador_id=entry.ambassador_id,
            rule=entry.rule,
            points=entry.points,
            reason=entry.reason,
            status=entry.status,
            hold_reason=entry.hold_reason,
            event_id=entry.event_id,
            event_kind=line.event_kind,
            occurred_at=entry.occurred_at,
            reverses_entry_id=entry.reverses_entry_id,
        )


class PointsPage(PageMeta):
    balance: int = Field(description="Awarded points, corrections included.", examples=[245])
    held: int = Field(description="Points waiting for an admin's review.", examples=[8])
    items: list[PointsEntryOut] = Field(description="Entries, newest first.")

    @classmethod
    def of(cls, balance: Balance, items: list[PointsEntryOut], meta: dict[str, int]) -> PointsPage:
        return cls(balance=balance.awarded, held=balance.held, items=items, **meta)


class HeldPage(PageMeta):
    items: list[PointsEntryOut]


class CriterionOut(BaseModel):
    name: str = Field(examples=["verified_shares"])
    label: str = Field(examples=["verified shares"])
    required: int = Field(examples=[5])
    current: int = Field(examples=[3])
    met: bool = Field(examples=[False])


class UnlockOut(BaseModel):
    """Suggesting content of ``origin`` opens at ``level``."""

    origin: ContentOrigin = Field(examples=["produced"])
    level: AdvocacyLevel = Field(examples=["production"])
    unlocked: bool = Field(examples=[False])


class LevelChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: AdvocacyLevel = Field(examples=["curation"])


class LevelOut(BaseModel):
    level: AdvocacyLevel = Field(examples=["engagement"])
    next_level: AdvocacyLevel | None = Field(description="None at the last level.", examples=["curation"])
    promotion_only: bool = Field(
        description="The next level is given by an admin, not unlocked by criteria.", examples=[False]
    )
    criteria: list[CriterionOut] = Field(description="What the next level needs; all must be met.")
    unlocks: list[UnlockOut] = Field(description="What levels open in this programme.")

    @classmethod
    def of(cls, progress: LevelProgress) -> LevelOut:
        order = list(AdvocacyLevel)
        return cls(
            level=progress.level,
            next_level=progress.next_level,
            promotion_only=progress.promotion_only,
            criteria=[
                CriterionOut(name=c.name, label=c.label, required=c.required, current=c.current, met=c.met)
                for c in progress.criteria
            ],
            unlocks=[
                UnlockOut(origin=origin, level=level, unlocked=order.index(progress.level) >= order.index(level))
                for origin, level in sorted(progress.unlocks.items())
            ],
        )
