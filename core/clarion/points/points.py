"""The points ledger: scoring events into entries, corrections, held points, balances and recompute.

Everything in the ledger derives from the event log: awards come from the rules, corrections
from correcting events (a click discounted, a share cancelled), and an admin's release or
rejection of held points is itself an event. Replaying the log therefore rebuilds the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion import audit
from clarion.actors import Actor
from clarion.errors import Conflict, NotFound, PluginError
from clarion.event_log import record_event, to_recorded
from clarion.events import EventKind, RecordedEvent
from clarion.models import Ambassador, DailyPoints, EntryStatus, Event, PointsEntry, Role
from clarion.pagination import Page, PageRequest, paginate
from clarion.scoring import Award, PointsMoved, rules_read_through

if TYPE_CHECKING:
    from clarion.engine import Engine

# Events that take back what earlier events of the same share earned.
SHARE_UNDOING = {EventKind.SHARE_CANCELLED: "the share was cancelled", EventKind.SHARE_FAILED: "the share failed"}
SHARE_SCORED = (EventKind.SHARE_PUBLISHED, EventKind.SHARE_VERIFIED)
DECISIONS = {EventKind.POINTS_RELEASED: EntryStatus.AWARDED, EventKind.POINTS_REJECTED: EntryStatus.REJECTED}


@dataclass(frozen=True)
class Balance:
    awarded: int
    held: int


@dataclass(frozen=True)
class LedgerLine:
    """An entry with the kind of the event behind it, for "why do I have these points"."""

    entry: PointsEntry
    event_kind: str


@dataclass(frozen=True)
class Recomputed:
    events: int
    entries: int


def _day_bounds(moment: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(moment.astimezone(UTC).date(), time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(session: Session, name: str) -> Any:
    """The ledger's two writes, built once per dialect (parameters bound at execution) so each compiles once."""
    dialect = session.get_bind().dialect.name
    statement = _STATEMENTS.get((dialect, name))
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        if name == "entry":
            entries = PointsEntry.__table__  # type: ignore[attr-defined]
            statement = (
                insert(entries)
                .on_conflict_do_nothing(index_elements=["rule", "event_id", "ambassador_id", "reversed_event_id"])
                .returning(entries.c.id)
            )
        else:
            daily = DailyPoints.__table__  # type: ignore[attr-defined]
            statement = insert(daily)
            statement = statement.on_conflict_do_update(
                index_elements=["ambassador_id", "day", "rule"],
                set_={
                    "points": daily.c.points + statement.excluded.points,
                    "held": daily.c.held + statement.excluded.held,
                    "awarded_changed": sa.or_(daily.c.awarded_changed, statement.excluded.awarded_changed),
                },
            )
        _STATEMENTS[(dialect, name)] = statement
    return statement


class _Replay:
    """What a recompute keeps in memory instead of asking and writing the database entry by entry.

    The daily totals are summed here with the same arithmetic as the incremental path and written
    in bulk at the end (plugins rebuild what they keep from them: ``clarion_points_on_recompute``); the points each (ambassador, rule, UTC day) earned from earlier
    events answer the caps without a query. Entries themselves are still written one by one: later
    events read them (reversals, decisions).
    """

    def __init__(self) -> None:
        self.daily: dict[tuple[int, date, str], list[Any]] = {}  # points, held, awarded_changed
        self.earned: dict[tuple[int, str, date], int] = {}
        self.pending: list[PointsEntry] = []  # this event's entries: caps count them from the next event on

    def add(self, ambassador_id: int, day: date, rule: str, points: int, held: int) -> None:
        line = self.daily.setdefault((ambassador_id, day, rule), [0, 0, False])
        line[0] += points
        line[1] += held
        line[2] = line[2] or points != 0

    def earned_before(self, ambassador_id: int, rule: str, day: date) -> int:
        return self.earned.get((ambassador_id, rule, day), 0)

    def _count(self, entry: PointsEntry, sign: int) -> None:
        if entry.points > 0 and entry.status is not EntryStatus.REJECTED:
            key = (entry.ambassador_id, entry.rule, entry.occurred_at.astimezone(UTC).date())
            self.earned[key] = self.earned.get(key, 0) + sign * entry.points

    def status_changing(self, entry: PointsEntry, sign: int) -> None:
        """Before (``sign=-1``) and after (``+1``) an earlier event's entry changes status."""
        if not any(item is entry for item in self.pending):
            self._count(entry, sign)

    def event_done(self) -> None:
        for entry in self.pending:
            self._count(entry, 1)
        self.pending.clear()

    def write(self, session: Session) -> None:
        daily = [
            {"ambassador_id": who, "day": day, "rule": rule, "points": points, "held": held, "awarded_changed": moved}
            for (who, day, rule), (points, held, moved) in self.daily.items()
        ]
        table = DailyPoints.__table__  # type: ignore[attr-defined]
        for start in range(0, len(daily), 5000):
            session.execute(sa.insert(table), daily[start : start + 5000])


Moves = list[PointsMoved]


def _add_to_daily(
    session: Session, entry: PointsEntry, *, sign: int = 1, replay: _Replay | None = None, moved: Moves | None = None
) -> None:
    """Keep ``daily_points`` in step with one entry's points in its current status.

    Awarded points that moved are added to ``moved``: the caller tells plugins once its writes are done.
    """
    if entry.status is EntryStatus.REJECTED or entry.points == 0:
        return
    points = entry.points * sign if entry.status is EntryStatus.AWARDED else 0
    held = entry.points * sign if entry.status is EntryStatus.HELD else 0
    day = entry.occurred_at.astimezone(UTC).date()
    if replay is not None:
        replay.add(entry.ambassador_id, day, entry.rule, points, held)
        return
    values = {
        "ambassador_id": entry.ambassador_id,
        "day": day,
        "rule": entry.rule,
        "points": points,
        "held": held,
        "awarded_changed": points != 0,
    }
    session.execute(_statement(session, "daily"), values)
    if points and moved is not None:
        moved.append(PointsMoved(entry.ambassador_id, day, points))


def _insert_entry(
    session: Session, entry: PointsEntry, replay: _Replay | None = None, moved: Moves | None = None
) -> PointsEntry | None:
    """Insert unless its key exists (a replay, or a concurrent scorer that got there first)."""
    inserted_id = session.execute(_statement(session, "entry"), entry.model_dump(exclude={"id"})).scalar_one_or_none()
    if inserted_id is None:
        return None
    entry.id = inserted_id
    _add_to_daily(session, entry, replay=replay, moved=moved)
    if replay is not None:
        replay.pending.append(entry)
    return entry


def _capped(session: Session, award: Award, event: RecordedEvent, replay: _Replay | None = None) -> tuple[int, str]:
    """The award's points and reason once the rule's daily cap is applied."""
    if award.daily_cap is None or award.points <= 0:
        return award.points, award.reason
    if replay is not None:
        earned = replay.earned_before(award.ambassador_id, award.rule, event.occurred_at.astimezone(UTC).date())
    else:
        start, end = _day_bounds(event.occurred_at)
        earned = session.execute(
            sa.select(sa.func.coalesce(sa.func.sum(PointsEntry.points), 0)).where(
                col(PointsEntry.ambassador_id) == award.ambassador_id,
                col(PointsEntry.rule) == award.rule,
                col(PointsEntry.occurred_at) >= start,
                col(PointsEntry.occurred_at) < end,
                col(PointsEntry.points) > 0,
                col(PointsEntry.status) != EntryStatus.REJECTED,
                col(PointsEntry.event_id) < event.id,
            )
        ).scalar_one()
    allowed = max(0, award.daily_cap - int(earned))
    if award.points <= allowed:
        return award.points, award.reason
    return allowed, f"{award.reason} (capped: at most {award.daily_cap} points a day from this)"


def _entries_of(session: Session, event_ids: Sequence[int]) -> list[PointsEntry]:
    if not event_ids:
        return []
    return list(
        session.exec(
            select(PointsEntry)
            .where(col(PointsEntry.event_id).in_(event_ids), col(PointsEntry.reversed_event_id) == 0)
            .order_by(col(PointsEntry.id))
        ).all()
    )


def _corrected_events(session: Session, event: RecordedEvent) -> tuple[list[int], str]:
    """The earlier events whose points ``event`` takes back, and why."""
    if event.share_id is None:
        return [], ""
    if event.kind == EventKind.CLICK_DISCOUNTED:
        click_id = event.payload.get("click_id")
        rows = session.execute(
            sa.select(col(Event.id), col(Event.payload)).where(
                col(Event.share_id) == event.share_id,
                col(Event.kind) == EventKind.CLICK_COUNTED,
                col(Event.id) < event.id,
            )
        ).all()
        reason = str(event.payload.get("reason") or "no longer counted")
        return [event_id for event_id, payload in rows if (payload or {}).get("click_id") == click_id], (
            f"the click was discounted: {reason}"
        )
    if event.kind in SHARE_UNDOING:
        rows = session.execute(
            sa.select(col(Event.id)).where(
                col(Event.share_id) == event.share_id,
                col(Event.kind).in_(SHARE_SCORED),
                col(Event.id) < event.id,
            )
        ).all()
        return [row[0] for row in rows], SHARE_UNDOING[EventKind(event.kind)]
    return [], ""


def _reverse(
    session: Session, event: RecordedEvent, replay: _Replay | None = None, moved: Moves | None = None
) -> list[PointsEntry]:
    event_ids, why = _corrected_events(session, event)
    reversed_entries = []
    for original in _entries_of(session, event_ids):
        if original.points == 0 or original.status is EntryStatus.REJECTED:
            continue
        assert original.id is not None
        reversal = PointsEntry(
            rule=original.rule,
            event_id=event.id,
            ambassador_id=original.ambassador_id,
            points=-original.points,
            reason=f"Taken back, {why}: {original.reason}"[:500],
            status=original.status,
            hold_reason=original.hold_reason,
            reverses_entry_id=original.id,
            reversed_event_id=original.event_id,
            occurred_at=event.occurred_at,
        )
        inserted = _insert_entry(session, reversal, replay, moved)
        if inserted is not None:
            reversed_entries.append(inserted)
    return reversed_entries


def _set_status(
    session: Session, entry: PointsEntry, status: EntryStatus, replay: _Replay | None = None, moved: Moves | None = None
) -> None:
    """Move a held entry, and the entries reversing it, to ``status``."""
    followers = session.exec(select(PointsEntry).where(col(PointsEntry.reverses_entry_id) == entry.id)).all()
    for item in (entry, *followers):
        if item.status is not EntryStatus.HELD:
            continue
        _add_to_daily(session, item, sign=-1, replay=replay, moved=moved)
        if replay is not None:
            replay.status_changing(item, -1)
        item.status = status
        session.add(item)
        _add_to_daily(session, item, replay=replay, moved=moved)
        if replay is not None:
            replay.status_changing(item, 1)
    session.flush()


def _find_entry(session: Session, rule: str, event_id: int, ambassador_id: int) -> PointsEntry | None:
    return session.exec(
        select(PointsEntry).where(
            col(PointsEntry.rule) == rule,
            col(PointsEntry.event_id) == event_id,
            col(PointsEntry.ambassador_id) == ambassador_id,
            col(PointsEntry.reversed_event_id) == 0,
        )
    ).first()


def _apply_decision(
    session: Session, event: RecordedEvent, replay: _Replay | None = None, moved: Moves | None = None
) -> None:
    target = DECISIONS.get(EventKind(event.kind)) if event.kind in DECISIONS else None
    rule, event_id = event.payload.get("rule"), event.payload.get("event_id")
    # A decision recorded with a malformed payload decides nothing, and never stops a recompute.
    if target is None or event.ambassador_id is None or not isinstance(rule, str) or not isinstance(event_id, int):
        return
    entry = _find_entry(session, rule, event_id, event.ambassador_id)
    if entry is not None and entry.status is EntryStatus.HELD:
        _set_status(session, entry, target, replay, moved)


def score_in(
    engine: Engine, session: Session, event: RecordedEvent, awards: Iterable[Award], *, replay: _Replay | None = None
) -> list[PointsEntry]:
    """Write what ``event`` means for the ledger inside ``session``: corrections, decisions, awards.

    Idempotent: a second call for the same event adds nothing. ``replay`` is a recompute's memory
    of the totals and caps; without it, every write reaches the totals at once and plugins hear of
    the awarded points that moved (:meth:`Engine.points_changed`) in the same transaction.
    """
    moved: Moves | None = None if replay is not None else []
    written = _reverse(session, event, replay, moved)
    _apply_decision(session, event, replay, moved)
    for award in awards:
        points, reason = _capped(session, award, event, replay)
        entry = PointsEntry(
            rule=award.rule,
            event_id=event.id,
            ambassador_id=award.ambassador_id,
            points=points,
            reason=reason[:500],
            status=EntryStatus.HELD if award.hold_reason and points else EntryStatus.AWARDED,
            hold_reason=award.hold_reason[:500] if award.hold_reason and points else None,
            occurred_at=event.occurred_at,
        )
        inserted = _insert_entry(session, entry, replay, moved)
        if inserted is not None:
            written.append(inserted)
    if replay is not None:
        replay.event_done()
    session.flush()
    if moved:
        engine.points_changed(session, moved)
    return written


def score_event(engine: Engine, event: RecordedEvent) -> list[PointsEntry]:
    """Score one recorded event in its own transaction, then tell plugins what it wrote.

    The rules run before the transaction opens; plugins hear of the scored event after it commits
    (:meth:`Engine.points_scored`), where gamification promotes and awards badges.
    """
    awards = engine.awards(event)
    with engine.transaction() as session:
        if session.get(Event, event.id) is None:
            return []  # rolled back or never stored: nothing to score
        written = score_in(engine, session, event, awards)
    engine.points_scored(event, written)
    return written


def recompute(engine: Engine, *, batch_size: int = 500) -> Recomputed:
    """Rebuild the whole ledger from the event log with the current rules, in one transaction.

    Plugins rebuild what they derive from the ledger (period totals, badges) in the same transaction
    (:meth:`Engine.points_recomputed`). Readers keep seeing the previous ledger until the new one is
    committed.
    """
    events = entries = 0
    with engine.transaction() as session:
        session.execute(sa.update(PointsEntry).values(reverses_entry_id=None))
        session.execute(sa.delete(PointsEntry))
        session.execute(sa.delete(DailyPoints))
        replay = _Replay()
        after_id = 0
        while True:
            rows = session.exec(
                select(Event).where(col(Event.id) > after_id).order_by(col(Event.id)).limit(batch_size)
            ).all()
            if not rows:
                break
            for row in rows:
                event = to_recorded(row)
                try:
                    with rules_read_through(session):
                        awards = engine.awards(event)
                except Exception as exc:
                    # Nothing is written: the previous ledger stays until every event scores.
                    raise PluginError(
                        f"a scoring rule failed on event {event.id} ({event.kind}): {type(exc).__name__}: {exc}; "
                        "the ledger is unchanged"
                    ) from exc
                entries += len(score_in(engine, session, event, awards, replay=replay))
                events += 1
                after_id = event.id
        replay.write(session)
        engine.points_recomputed(session)
    return Recomputed(events, entries)


# -- reading ------------------------------------------------------------------------------------


def balance(session: Session, ambassador_id: int) -> Balance:
    rows = session.execute(
        sa.select(col(PointsEntry.status), sa.func.sum(PointsEntry.points))
        .where(col(PointsEntry.ambassador_id) == ambassador_id)
        .group_by(col(PointsEntry.status))
    ).all()
    totals = {status: int(total or 0) for status, total in rows}
    return Balance(awarded=totals.get(EntryStatus.AWARDED, 0), held=totals.get(EntryStatus.HELD, 0))


def _ledger_query(ambassador_id: int | None, status: EntryStatus | None) -> Any:
    query = select(PointsEntry, Event.kind).join(Event, col(Event.id) == col(PointsEntry.event_id))
    if ambassador_id is not None:
        query = query.where(col(PointsEntry.ambassador_id) == ambassador_id)
    if status is not None:
        query = query.where(col(PointsEntry.status) == status)
    return query.order_by(col(PointsEntry.occurred_at).desc(), col(PointsEntry.id).desc())


def _lines(page: Page[Any]) -> Page[LedgerLine]:
    return Page([LedgerLine(entry, kind) for entry, kind in page.items], page.total, page.limit, page.offset)


def ledger(
    session: Session, actor: Actor, ambassador_id: int, page: PageRequest, *, status: EntryStatus | None = None
) -> Page[LedgerLine]:
    """One person's entries, newest first: their own, or anyone's for an admin.

    Raises:
        PermissionDenied: someone else's ledger without the admin role.
        NotFound: no such ambassador.
    """
    if ambassador_id != actor.ambassador_id:
        actor.require(Role.ADMIN, "reading another ambassador's points")
    if session.get(Ambassador, ambassador_id) is None:
        raise NotFound(f"ambassador {ambassador_id} not found")
    return _lines(paginate(session, _ledger_query(ambassador_id, status), page))


def held_entries(session: Session, actor: Actor, page: PageRequest) -> Page[LedgerLine]:
    """Every held entry awaiting review, newest first (admins)."""
    actor.require(Role.ADMIN, "reviewing held points")
    query = _ledger_query(None, EntryStatus.HELD).where(col(PointsEntry.reversed_event_id) == 0)
    return _lines(paginate(session, query, page))


def decide_held(engine: Engine, session: Session, actor: Actor, entry_id: int, *, release: bool) -> LedgerLine:
    """Release held points into the balance, or reject them, recording the decision as an event.

    Raises:
        NotFound: no such entry.
        Conflict: the entry is not held (already decided, or never held), or is a reversal.
    """
    actor.require(Role.ADMIN, "reviewing held points")
    entry = session.get(PointsEntry, entry_id)
    if entry is None:
        raise NotFound(f"points entry {entry_id} not found")
    if entry.reversed_event_id != 0:
        raise Conflict("this entry reverses another; release or reject the entry it reverses")
    if entry.status is not EntryStatus.HELD:
        raise Conflict(f"points entry {entry_id} is not held (it is {entry.status.value})")
    kind = EventKind.POINTS_RELEASED if release else EventKind.POINTS_REJECTED
    event, _created = record_event(
        session,
        kind,
        idempotency_key=f"{kind.value}:{entry.rule}:{entry.event_id}:{entry.ambassador_id}",
        ambassador_id=entry.ambassador_id,
        payload={"rule": entry.rule, "event_id": entry.event_id, "by": actor.ambassador_id, "points": entry.points},
    )
    after = {"status": kind.value.partition(".")[2], "points": entry.points, "rule": entry.rule}
    audit.record(
        session, actor, kind.value, entry_id, subject_type="points_entry", before={"status": "held"}, after=after
    )
    moved: Moves = []
    _apply_decision(session, event, moved=moved)
    if moved:
        engine.points_changed(session, moved)
    session.refresh(entry)
    kind_of_event = session.execute(sa.select(col(Event.kind)).where(col(Event.id) == entry.event_id)).scalar_one()
    return LedgerLine(entry, kind_of_event)
