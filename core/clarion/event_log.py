"""Recording events in the append-only log, idempotently, and telling observers after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from clarion.db import PENDING_NOTIFICATIONS
from clarion.events import RecordedEvent
from clarion.models import Event, Share, utcnow


def to_recorded(event: Event) -> RecordedEvent:
    assert event.id is not None
    return RecordedEvent(
        id=event.id,
        kind=event.kind,
        occurred_at=event.occurred_at,
        idempotency_key=event.idempotency_key,
        ambassador_id=event.ambassador_id,
        content_id=event.content_id,
        share_id=event.share_id,
        payload=dict(event.payload or {}),
    )


def record_event(
    session: Session,
    kind: str,
    *,
    idempotency_key: str,
    ambassador_id: int | None = None,
    content_id: int | None = None,
    share_id: int | None = None,
    occurred_at: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[RecordedEvent, bool]:
    """Append an event unless one with ``idempotency_key`` exists.

    Safe under concurrency: the insert is ``ON CONFLICT DO NOTHING`` on the unique key, so
    two writers racing with one key store one event.

    Returns:
        The stored event and whether this call created it. Observers hear of created events
        once the session commits (see :meth:`clarion.engine.Engine.transaction`).
    """
    values = {
        "kind": kind,
        "idempotency_key": idempotency_key,
        "ambassador_id": ambassador_id,
        "content_id": content_id,
        "share_id": share_id,
        "occurred_at": occurred_at or utcnow(),
        "recorded_at": utcnow(),
        "payload": payload or {},
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement: Any = (
        insert(Event)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(sa.column("id"))
    )
    inserted_id = session.execute(statement).scalar_one_or_none()
    stored = session.exec(select(Event).where(Event.idempotency_key == idempotency_key)).one()
    recorded = to_recorded(stored)
    created = inserted_id is not None
    if created:
        session.info.setdefault(PENDING_NOTIFICATIONS, []).append(recorded)
    return recorded, created


def record_share_event(
    session: Session,
    kind: str,
    share: Share,
    *,
    occurred_at: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> tuple[RecordedEvent, bool]:
    """Record ``kind`` for ``share``, once: the key is ``<kind>:<share id>``."""
    assert share.id is not None
    return record_event(
        session,
        kind,
        idempotency_key=f"{kind}:{share.id}",
        ambassador_id=share.ambassador_id,
        content_id=share.content_id,
        share_id=share.id,
        occurred_at=occurred_at,
        payload=payload,
    )


def list_events(
    session: Session,
    *,
    ambassador_id: int | None = None,
    kind: str | None = None,
    after_id: int = 0,
    limit: int = 100,
) -> list[RecordedEvent]:
    """Events in log order, optionally for one ambassador or one kind."""
    query = select(Event).where(Event.id > after_id)  # type: ignore[operator]
    if ambassador_id is not None:
        query = query.where(Event.ambassador_id == ambassador_id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    rows = session.exec(query.order_by(Event.id).limit(limit)).all()  # type: ignore[arg-type]
    return [to_recorded(row) for row in rows]
