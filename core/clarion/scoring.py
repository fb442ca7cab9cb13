"""What scoring rules return: awards, each with the reason a person will read."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

_READER: ContextVar[Session | None] = ContextVar("clarion_rule_reader", default=None)


@contextmanager
def rules_read_through(session: Session) -> Iterator[None]:
    """Let rules read through ``session`` while the block runs, instead of opening a session per query.

    ``clarion scores recompute`` replays the log inside one transaction that sees the same events
    as a fresh session would; sharing it saves a connection and a transaction per rule query.
    """
    token = _READER.set(session)
    try:
        yield
    finally:
        _READER.reset(token)


def rule_reader() -> Session | None:
    """The session rules should read through, if a replay lent one (see :func:`rules_read_through`)."""
    return _READER.get()


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


@dataclass(frozen=True)
class PointsMoved:
    """Awarded points of one person that moved on one UTC day, as the ledger wrote them.

    Attributes:
        ambassador_id: Whose balance moved.
        day: The UTC day of the event behind the entry (not the day it was written).
        points: How many; negative when points were taken back or rejected.
    """

    ambassador_id: int
    day: date
    points: int
