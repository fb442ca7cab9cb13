"""What kudos are: giving one, reading one's own, the shares one may thank, and the weekly summary.

Functions take an open session and the acting person (:class:`clarion.actors.Actor`) and
hold every rule; the API, the widget, the admin page, the job and the command only call them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from clarion.actors import Actor
from clarion.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from clarion.event_log import record_event
from clarion.models import Ambassador, Content, Share, ShareStatus
from clarion.models.types import utcnow
from clarion.pagination import Page, PageRequest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from clarion_kudos.models import MESSAGE_MAX_LENGTH, Kudos, KudosWeek

# Event kinds this plugin records in Clarion's event log.
RECEIVED = "kudos.received"
WEEK_SUMMARISED = "kudos.week_summarised"
MESSAGE_HIDDEN = "kudos.message_hidden"


@dataclass(frozen=True)
class Person:
    id: int
    name: str


@dataclass(frozen=True)
class KudosView:
    """One kudos as people see it: the share it thanks for and who thanked whom."""

    id: int
    share_id: int
    network: str
    content_title: str
    giver: Person
    receiver: Person
    message: str | None
    message_hidden: bool
    created_at: datetime


@dataclass(frozen=True)
class ThankableShare:
    """A colleague's recent share, and whether the viewer already thanked them for it."""

    share_id: int
    network: str
    content_title: str
    author: Person
    published_at: datetime
    thanked: bool


@dataclass(frozen=True)
class WeekLine:
    ambassador: Person
    received: int


def _taking_part() -> list[Any]:
    """Who can be thanked: people taking part who let colleagues see them on boards."""
    return [
        col(Ambassador.opted_in_at).is_not(None),
        col(Ambassador.paused_at).is_(None),
        col(Ambassador.left_at).is_(None),
        col(Ambassador.leaderboard_visible).is_(True),
    ]


def clean_message(message: str | None) -> str | None:
    """The message as stored: trimmed, ``None`` when empty.

    Raises:
        ValidationFailed: longer than :data:`MESSAGE_MAX_LENGTH` characters.
    """
    text = (message or "").strip()
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationFailed(f"message is longer than {MESSAGE_MAX_LENGTH} characters", field="message")
    return text or None


def give(
    session: Session, actor: Actor, share_id: int, message: str | None = None, *, now: datetime | None = None
) -> Kudos:
    """Thank the author of share ``share_id``; records a ``kudos.received`` event for them.

    Raises:
        NotFound: no such published share, or its author cannot be thanked (not taking part,
            or hidden from colleagues) — the same answer, so nothing about them leaks.
        PermissionDenied: it is the actor's own share.
        Conflict: the actor already thanked them for it.
        ValidationFailed: the message is too long.
    """
    text = clean_message(message)
    share = session.get(Share, share_id)
    if share is None or share.status is not ShareStatus.PUBLISHED:
        raise NotFound(f"share {share_id} not found", field="share_id")
    if share.ambassador_id == actor.ambassador_id:
        raise PermissionDenied("you cannot thank yourself for your own share", field="share_id")
    author = session.exec(select(Ambassador).where(Ambassador.id == share.ambassador_id, *_taking_part())).first()
    if author is None:
        raise NotFound(f"share {share_id} not found", field="share_id")
    already = session.exec(select(Kudos.id).where(Kudos.share_id == share_id, Kudos.giver_id == actor.ambassador_id))
    if already.first() is not None:
        raise Conflict(f"you already thanked {author.name} for this share", field="share_id")
    moment = now or utcnow()
    kudos = Kudos(
        share_id=share_id,
        giver_id=actor.ambassador_id,
        receiver_id=share.ambassador_id,
        message=text,
        created_at=moment,
    )
    session.add(kudos)
    session.flush()  # a racing second thanks fails here on the unique key: a 409, never two rows
    assert kudos.id is not None
    record_event(
        session,
        RECEIVED,
        idempotency_key=f"{RECEIVED}:{kudos.id}",
        ambassador_id=share.ambassador_id,
        content_id=share.content_id,
        share_id=share_id,
        occurred_at=moment,
        payload={"kudos_id": kudos.id, "giver_id": actor.ambassador_id},
    )
    return kudos


def _whose(actor: Actor, ambassador_id: int | None) -> int:
    """The person whose list is read: the actor's own; someone else's only for an admin."""
    if ambassador_id is None or ambassador_id == actor.ambassador_id:
        return actor.ambassador_id
    if not actor.is_admin:
        raise PermissionDenied("only admins may read someone else's kudos", field="ambassador_id")
    return ambassador_id


def _views(session: Session, where: list[Any], page: PageRequest) -> Page[KudosView]:
    giver, receiver = aliased(Ambassador), aliased(Ambassador)
    query = (
        sa.select(Kudos, Share.network, Content.title, giver.name, receiver.name)
        .join(Share, col(Share.id) == col(Kudos.share_id))
        .join(Content, col(Content.id) == col(Share.content_id))
        .join(giver, giver.id == col(Kudos.giver_id))
        .join(receiver, receiver.id == col(Kudos.receiver_id))
        .where(*where)
    )
    total = session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(col(Kudos.created_at).desc(), col(Kudos.id).desc()).limit(page.limit).offset(page.offset)
    ).all()
    items = [
        KudosView(
            id=kudos.id,
            share_id=kudos.share_id,
            network=network,
            content_title=title,
            giver=Person(kudos.giver_id, giver_name),
            receiver=Person(kudos.receiver_id, receiver_name),
            message=None if kudos.message_hidden_at else kudos.message,
            message_hidden=kudos.message_hidden_at is not None,
            created_at=kudos.created_at,
        )
        for kudos, network, title, giver_name, receiver_name in rows
    ]
    return Page(items, int(total), page.limit, page.offset)


def view(session: Session, kudos: Kudos) -> KudosView:
    """One kudos as its giver and receiver see it."""
    [found] = _views(session, [col(Kudos.id) == kudos.id], PageRequest(1)).items
    return found


def received(session: Session, actor: Actor, page: PageRequest, *, ambassador_id: int | None = None) -> Page[KudosView]:
    """Kudos a person received, newest first: the actor's own, or anyone's for an admin.

    Raises:
        PermissionDenied: someone else's, and the actor is no admin.
    """
    return _views(session, [col(Kudos.receiver_id) == _whose(actor, ambassador_id)], page)


def given(session: Session, actor: Actor, page: PageRequest, *, ambassador_id: int | None = None) -> Page[KudosView]:
    """Kudos a person gave, newest first: the actor's own, or anyone's for an admin.

    Raises:
        PermissionDenied: someone else's, and the actor is no admin.
    """
    return _views(session, [col(Kudos.giver_id) == _whose(actor, ambassador_id)], page)


def latest(session: Session, actor: Actor, page: PageRequest) -> Page[KudosView]:
    """Everyone's kudos, newest first, for the programme team.

    Raises:
        PermissionDenied: the actor is no admin.
    """
    if not actor.is_admin:
        raise PermissionDenied("only admins may read everyone's kudos")
    return _views(session, [], page)


def thankable(session: Session, actor: Actor, *, since: datetime, limit: int) -> list[ThankableShare]:
    """Colleagues' shares published since ``since``, newest first, that the actor may thank."""
    thanked = sa.exists().where(col(Kudos.share_id) == col(Share.id), col(Kudos.giver_id) == actor.ambassador_id)
    rows = session.execute(
        sa.select(Share.id, Share.network, Content.title, Ambassador.id, Ambassador.name, Share.published_at, thanked)
        .join(Ambassador, col(Ambassador.id) == col(Share.ambassador_id))
        .join(Content, col(Content.id) == col(Share.content_id))
        .where(
            col(Share.status) == ShareStatus.PUBLISHED,
            col(Share.published_at) >= since,
            col(Share.ambassador_id) != actor.ambassador_id,
            *_taking_part(),
        )
        .order_by(col(Share.published_at).desc(), col(Share.id).desc())
        .limit(limit)
    ).all()
    return [
        ThankableShare(share_id, network, title, Person(author_id, name), published_at, bool(done))
        for share_id, network, title, author_id, name, published_at, done in rows
    ]


def received_since(session: Session, ambassador_id: int, since: datetime) -> int:
    """How many kudos ``ambassador_id`` received since ``since``."""
    query = sa.select(sa.func.count()).where(col(Kudos.receiver_id) == ambassador_id, col(Kudos.created_at) >= since)
    return int(session.execute(query).scalar_one())


def week_start(day: date) -> date:
    """The Monday of ``day``'s ISO week."""
    return day - timedelta(days=day.weekday())


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    """The week's first moment and the next week's first moment, in UTC."""
    start = datetime.combine(monday, time(0), tzinfo=UTC)
    return start, start + timedelta(days=7)


def parse_week(text: str) -> date:
    """``2026-W49`` (an ISO week) as its Monday.

    Raises:
        ValidationFailed: not an ISO week.
    """
    try:
        year, week = text.strip().upper().split("-W")
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not an ISO week such as 2026-W49", field="week") from None


def week_lines(session: Session, monday: date) -> list[WeekLine]:
    """Who received kudos in the week beginning ``monday``, most first."""
    start, end = week_bounds(monday)
    count = sa.func.count(col(Kudos.id))
    rows = session.execute(
        sa.select(Ambassador.id, Ambassador.name, count)
        .join(Kudos, col(Kudos.receiver_id) == col(Ambassador.id))
        .where(col(Kudos.created_at) >= start, col(Kudos.created_at) < end)
        .group_by(col(Ambassador.id), col(Ambassador.name))
        .order_by(count.desc(), col(Ambassador.name))
    ).all()
    return [WeekLine(Person(person_id, name), int(received)) for person_id, name, received in rows]


def last_full_week(now: datetime) -> date:
    """The Monday of the last week that has ended by ``now``."""
    return week_start(now.astimezone(UTC).date()) - timedelta(days=7)


def summarise_week(session: Session, monday: date, *, now: datetime | None = None) -> int:
    """Record each person's kudos of the week beginning ``monday``, once.

    Writes one ``kudos_week`` row per person who received kudos that week and records a
    ``kudos.week_summarised`` event for them (for a digest e-mail, say). Running it again for
    the same week writes nothing: the row's unique key and the event's idempotency key hold.

    Returns:
        How many people's weeks were newly recorded.
    """
    moment = now or utcnow()
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    recorded = 0
    for line in week_lines(session, monday):
        statement: Any = (
            insert(KudosWeek)
            .values(ambassador_id=line.ambassador.id, week_start=monday, received=line.received, recorded_at=moment)
            .on_conflict_do_nothing(index_elements=["ambassador_id", "week_start"])
            .returning(sa.column("id"))
        )
        if session.execute(statement).scalar_one_or_none() is None:
            continue  # summed up before: keep the first count
        recorded += 1
        record_event(
            session,
            WEEK_SUMMARISED,
            idempotency_key=f"{WEEK_SUMMARISED}:{monday.isoformat()}:{line.ambassador.id}",
            ambassador_id=line.ambassador.id,
            occurred_at=moment,
            payload={"week_start": monday.isoformat(), "received": line.received},
        )
    return recorded


def summaries(session: Session, *, weeks: int = 8) -> list[tuple[date, list[WeekLine]]]:
    """The recorded weeks, newest first (at most ``weeks``), each with its people, most kudos first."""
    mondays = session.execute(
        sa.select(KudosWeek.week_start).distinct().order_by(col(KudosWeek.week_start).desc()).limit(weeks)
    ).scalars()
    found = []
    for monday in list(mondays):
        rows = session.execute(
            sa.select(Ambassador.id, Ambassador.name, KudosWeek.received)
            .join(KudosWeek, col(KudosWeek.ambassador_id) == col(Ambassador.id))
            .where(col(KudosWeek.week_start) == monday)
            .order_by(col(KudosWeek.received).desc(), col(Ambassador.name))
        ).all()
        found.append((monday, [WeekLine(Person(person_id, name), received) for person_id, name, received in rows]))
    return found


def hide_message(session: Session, actor: Actor, kudos_id: int, *, now: datetime | None = None) -> Kudos:
    """Hide a kudos' message from everyone (the thanks and its points stay); recorded as an event.

    Raises:
        PermissionDenied: the actor is no admin.
        NotFound: no such kudos.
    """
    if not actor.is_admin:
        raise PermissionDenied("only admins may hide a kudos message")
    kudos = session.get(Kudos, kudos_id)
    if kudos is None:
        raise NotFound(f"kudos {kudos_id} not found")
    if kudos.message_hidden_at is None:
        kudos.message_hidden_at = now or utcnow()
        session.add(kudos)
        record_event(
            session,
            MESSAGE_HIDDEN,
            idempotency_key=f"{MESSAGE_HIDDEN}:{kudos_id}",
            ambassador_id=kudos.receiver_id,
            share_id=kudos.share_id,
            occurred_at=kudos.message_hidden_at,
            payload={"kudos_id": kudos_id, "by": actor.ambassador_id},
        )
    return kudos
