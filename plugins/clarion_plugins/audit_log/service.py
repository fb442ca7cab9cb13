"""Reading the audit log with filters, its CSV export, and the retention purge."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.clock import utcnow
from clarion.models import Ambassador, AuditEntry, AuditPurge, Role
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
    """What to look for; every field optional. Dates are whole UTC days, ``until`` included.

    ``actor`` is an ambassador's number or external id, or ``cli`` / ``system``.
    """

    actor: str | None = None
    action: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditLine:
    """An entry with who acted as they are known now (an erased person shows pseudonymised)."""

    entry: AuditEntry
    external_id: str | None
    name: str | None

    @property
    def actor(self) -> str:
        return self.external_id or self.entry.via


def _query(filters: AuditFilters) -> Any:
    query = select(AuditEntry, Ambassador.external_id, Ambassador.name).outerjoin(
        Ambassador, col(Ambassador.id) == col(AuditEntry.actor_id)
    )
    if filters.actor:
        actor = filters.actor.strip()
        if actor.isascii() and actor.isdigit():
            query = query.where(col(AuditEntry.actor_id) == (int(actor) if len(actor) < 10 else -1))
        elif actor in ("cli", "system"):
            query = query.where(col(AuditEntry.actor_id).is_(None), col(AuditEntry.via) == actor)
        else:
            query = query.where(col(Ambassador.external_id) == actor)
    if filters.action:
        action = filters.action.strip()
        # "content" finds content.created, content.approved ...; a full name finds only itself.
        starts = col(AuditEntry.action).startswith(f"{action}.", autoescape=True)
        query = query.where(sa.or_(col(AuditEntry.action) == action, starts))
    if filters.subject_type:
        query = query.where(col(AuditEntry.subject_type) == filters.subject_type.strip())
    if filters.subject_id:
        query = query.where(col(AuditEntry.subject_id) == filters.subject_id.strip())
    if filters.since:
        query = query.where(col(AuditEntry.occurred_at) >= datetime.combine(filters.since, time(), UTC))
    if filters.until and filters.until < date.max:
        end = datetime.combine(filters.until + timedelta(days=1), time(), UTC)
        query = query.where(col(AuditEntry.occurred_at) < end)
    return query.order_by(col(AuditEntry.id).desc())


def list_entries(session: Session, actor: Actor, filters: AuditFilters, page: PageRequest) -> Page[AuditLine]:
    """The newest entries first that match ``filters`` (admins only)."""
    actor.require(Role.ADMIN, "reading the audit log")
    result = paginate(session, _query(filters), page)
    lines = [AuditLine(entry, external_id, name) for entry, external_id, name in result.items]
    return Page(lines, result.total, result.limit, result.offset)


def export_csv(session: Session, actor: Actor, filters: AuditFilters) -> str:
    """Every matching entry (at most :data:`MAX_EXPORT_ROWS`, newest first) as CSV; before/after as JSON."""
    actor.require(Role.ADMIN, "exporting the audit log")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry, external_id, _name in session.execute(_query(filters).limit(MAX_EXPORT_ROWS)):
        writer.writerow(
            [
                entry.id,
                entry.occurred_at.isoformat(),
                entry.actor_id if entry.actor_id is not None else "",
                _cell(external_id or entry.via),
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
