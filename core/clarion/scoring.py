"""What scoring rules return: awards, each with the reason a person will read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Award:
    """Points a rule grants for one event.

    Attributes:
        rule: Stable rule name; with the event and the ambassador it is the ledger's
            idempotency key, so a rule gives one person at most one award per event.
        ambassador_id: Who receives the points.
        points: Whole points; negative only for reversals.
        reason: Why, in words the ambassador understands.
        hold_reason: Set when the award looks like gaming (a burst of clicks): the points are
            held for an admin to release or reject, and this sentence says why.
        daily_cap: The most points this rule gives one person per UTC day; an award that would
            pass it is cut down (to zero if need be) and its reason says so. ``None``: no cap.
    """

    rule: str
    ambassador_id: int
    points: int
    reason: str
    hold_reason: str | None = None
    daily_cap: int | None = None
