"""Points and held entries as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from clarion.models import EntryStatus
from clarion.points.points import Balance, LedgerLine
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
