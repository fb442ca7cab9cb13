"""What scoring rules may read: the event log before an event, never "now", so scores can be replayed."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from clarion.engine import Engine
from clarion.events import RecordedEvent
from clarion.models import Event
from clarion.scoring import rule_reader


def utc_day(moment: datetime) -> tuple[datetime, datetime]:
    """The UTC day ``moment`` falls in, as [start, end)."""
    start = datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def earlier(event: RecordedEvent, kind: str, *conditions: Any) -> sa.Select[Any]:
    """Events of ``kind`` logged before ``event`` and matching ``conditions``: select their id and payload."""
    return sa.select(col(Event.id), col(Event.occurred_at), col(Event.payload)).where(
        col(Event.kind) == kind, col(Event.id) < event.id, *conditions
    )


def rows(engine: Engine, query: sa.Select[Any]) -> list[Any]:
    """The rows of ``query``, read through the replay's session during a recompute, else a session of its own."""
    shared = rule_reader()
    if shared is not None:
        return list(shared.execute(query).all())
    with engine.db.session() as session:
        return list(session.execute(query).all())


def count(engine: Engine, query: sa.Select[Any]) -> int:
    return int(rows(engine, sa.select(sa.func.count()).select_from(query.subquery()))[0][0])
