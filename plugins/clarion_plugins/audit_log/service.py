"""Reading the audit log with filters, its CSV export, and the retention purge."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.clock import utcnow
from clarion.models import AuditEntry, AuditPurge, Role
from clarion.pagination import Page, PageRequest, paginate

CSV_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor",
    "via",
    "action",
    "subject_type",
    "subject_id",
    "before",
    "after",
)
MAX_EXPORT_ROWS = 100_000


@dataclass(frozen=True)
class AuditFilters:
    """What to look for; every field optional. Dates are whole UTC days, ``until`` included."""

    actor: str | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: date | None = None
    until: date | None = None


def _query(filters: AuditFilters) -> sa.Select:  # type: ignore[type-arg]
    query = select(AuditEntry)
    if filters.actor:
        actor = filters.actor.strip()
        by_id = (
            col(AuditEntry.actor_id) == int(actor)
            if actor.isascii() and actor.isdigit() and len(actor) < 10
            else sa.false()
        )
        query = query.where(sa.or_(col(AuditEntry.actor) == actor, by_id))
    if filters.action:
        action = filters.action.strip()
        # "content" finds content.created, content.approved ...; a full name finds only itself.
        query = query.where(
            sa.or_(col(AuditEntry.action) == action, col(AuditEntry.action).startswith(f"{action}.", autoescape=True))
        )
    if filters.subject_type:
        query = query.where(col(AuditEntry.subject_type) == filters.subject_type.strip())
    if filters.subject_id:
        query = query.where(col(AuditEntry.subject_id) == filters.subject_id.strip())
    if filters.since:
        query = query.where(col(AuditEntry.occurred_at) >= datetime.combine(filters.since, time(), UTC))
    if filters.until and filters.until < date.max:
        query = query.where(
            col(AuditEntry.occurred_at) < datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        )
    return query.order_by(col(AuditEntry.id).desc())  # type: ignore[no-any-return]


def list_entries(session: Session, actor: Actor, filters: AuditFilters, page: PageRequest) -> Page[AuditEntry]:
    """The newest entries first that match ``filters`` (admins only)."""
    actor.require(Role.ADMIN, "reading the audit log")
    return paginate(session, _query(filters), page)


def export_csv(session: Session, actor: Actor, filters: AuditFilters) -> str:
    """Every matching entry (at most :data:`MAX_EXPORT_ROWS`, newest first) as CSV; before/after as JSON."""
    actor.require(Role.ADMIN, "exporting the audit log")
    rows: Iterable[AuditEntry] = session.exec(_query(filters).limit(MAX_EXPORT_ROWS)).all()  # type: ignore[call-overload]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in rows:
        writer.writerow(
            [
                entry.id,
                entry.occurred_at.isoformat(),
                entry.actor_id if entry.actor_id is not None else "",
                _cell(entry.actor),
                entry.via,
                entry.action,
                entry.subject_type,
                _cell(entry.subject_id),
                "" if entry.before is None else json.dumps(entry.before, ensure_ascii=False),
                "" if entry.after is None else json.dumps(entry.after, ensure_ascii=False),
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    # A spreadsheet would run a cell starting with = + - @ as a formula (CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def purge(session: Session, before: datetime, by: str) -> int:
    """Delete the entries older than ``before`` (retention); the purge itself stays as a row of ``audit_purge``.

    The database refuses any other delete: its triggers let a row go only when a recorded purge covers it.
    """
    session.add(AuditPurge(purge_before=before, purged_by=by, purged_at=utcnow()))
    session.flush()
    table = AuditEntry.__table__  # type: ignore[attr-defined]
    result = session.execute(table.delete().where(table.c.occurred_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
