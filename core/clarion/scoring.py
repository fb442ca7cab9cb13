"""What scoring rules return: awards, each with the reason a person will read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Award:
    """Points a rule grants for one event.

    Attributes:
        rule: Stable rule name; with the event it is the ledger's idempotency key.
        ambassador_id: Who receives the points.
        points: Whole points; negative only for reversals.
        reason: Why, in words the ambassador understands.
    """

    rule: str
    ambassador_id: int
    points: int
    reason: str
