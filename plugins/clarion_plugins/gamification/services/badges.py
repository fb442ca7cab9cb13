"""Badges: measuring each ambassador, awarding a badge once when its threshold is first reached, and progress.

Measures derive from shares, accounts and the event log, so awards can be re-derived at any time
(``clarion scores recompute`` does). A badge's ``earned_at`` is the moment the measure first
reached the threshold, not the moment it was noticed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion.badges import MEASURE_LABELS, Badge
from clarion.errors import NotFound
from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.models import Ambassador, Content, ContentOrigin, Event, NetworkAccount, Share, ShareStatus
from clarion_plugins.gamification.models import BadgeAward

if TYPE_CHECKING:
    from clarion.engine import Engine

BADGE_AWARDED = "badge.awarded"

# A measure as a history: (moment, value) pairs, values never decreasing.
History = list[tuple[datetime, int]]


@dataclass(frozen=True)
class BadgeProgress:
    badge: Badge
    current: int
    earned_at: datetime | None

    @property
    def earned(self) -> bool:
        return self.earned_at is not None

    @property
    def measure_label(self) -> str:
        return MEASURE_LABELS[self.badge.measure]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _running_count(moments: Iterable[datetime]) -> History:
    return [(moment, number) for number, moment in enumerate(sorted(_utc(moment) for moment in moments), start=1)]


def _published(session: Session, ambassador_id: int) -> list[tuple[datetime, str]]:
    rows = session.execute(
        sa.select(sa.func.coalesce(col(Share.published_at), col(Share.created_at)), col(Share.network)).where(
            col(Share.ambassador_id) == ambassador_id, col(Share.status) == ShareStatus.PUBLISHED
        )
    ).all()
    return sorted((_utc(moment), network) for moment, network in rows)


def _weekly_streak(moments: list[datetime]) -> History:
    history: History = []
    best = run = 0
    previous: tuple[int, int] | None = None
    for moment in moments:
        year, week, _ = moment.isocalendar()
        if previous == (year, week):
            continue
        if previous is not None:
            gap = (datetime.fromisocalendar(year, week, 1) - datetime.fromisocalendar(*previous, 1)).days // 7
            run = run + 1 if gap == 1 else 1
        else:
            run = 1
        previous = (year, week)
        if run > best:
            best = run
            history.append((moment, best))
    return history


def measure_histories(session: Session, ambassador_id: int) -> dict[str, History]:
    """Every measure of one ambassador as it grew over time."""
    published = _published(session, ambassador_id)
    verified = session.execute(
        sa.select(col(Share.verified_at)).where(
            col(Share.ambassador_id) == ambassador_id,
            col(Share.status) == ShareStatus.PUBLISHED,
            col(Share.verified_at).is_not(None),
        )
    ).scalars()
    approved = session.execute(
        sa.select(col(Content.id), sa.func.min(col(Event.occurred_at)))
        .join(Content, col(Content.id) == col(Event.content_id))
        .where(
            col(Event.kind) == EventKind.CONTENT_APPROVED,
            col(Content.author_id) == ambassador_id,
            col(Content.origin) == ContentOrigin.PRODUCED,
        )
        .group_by(col(Content.id))
    ).all()
    followers = dict(
        session.execute(
            sa.select(col(NetworkAccount.network), sa.func.max(col(NetworkAccount.follower_count)))
            .where(col(NetworkAccount.ambassador_id) == ambassador_id)
            .group_by(col(NetworkAccount.network))
        ).all()
    )
    reach: History = []
    total = 0
    for moment, network in published:
        total += int(followers.get(network) or 0)
        if total:
            reach.append((moment, total))
    return {
        "shares": _running_count(moment for moment, _ in published),
        "verified_shares": _running_count(verified),
        "approved_produced": _running_count(moment for _, moment in approved),
        "potential_reach": reach,
        "weekly_streak": _weekly_streak([moment for moment, _ in published]),
    }


def _reached(history: History, threshold: int) -> datetime | None:
    return next((moment for moment, value in history if value >= threshold), None)


def _awards(session: Session, ambassador_id: int) -> dict[str, BadgeAward]:
    rows = session.exec(select(BadgeAward).where(col(BadgeAward.ambassador_id) == ambassador_id)).all()
    return {award.badge: award for award in rows}


def award_badges(engine: Engine, session: Session, ambassador_id: int) -> list[BadgeAward]:
    """Award every badge whose threshold the ambassador has reached and does not hold yet; each once.

    Each new award is recorded as a ``badge.awarded`` event (idempotent per ambassador and badge).
    """
    badges = engine.badges()
    if not badges:
        return []
    held = _awards(session, ambassador_id)
    histories = measure_histories(session, ambassador_id)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = []
    for badge in badges.values():
        if badge.name in held:
            continue
        earned_at = _reached(histories[badge.measure], badge.threshold)
        if earned_at is None:
            continue
        statement: Any = (
            insert(BadgeAward)
            .values(ambassador_id=ambassador_id, badge=badge.name, earned_at=earned_at, created_at=engine.clock.now())
            .on_conflict_do_nothing(index_elements=["ambassador_id", "badge"])
            .returning(sa.column("id"))
        )
        inserted = session.execute(statement).scalar_one_or_none()
        if inserted is None:
            continue  # a concurrent scorer awarded it first
        record_event(
            session,
            BADGE_AWARDED,
            idempotency_key=f"{BADGE_AWARDED}:{ambassador_id}:{badge.name}",
            ambassador_id=ambassador_id,
            occurred_at=earned_at,
            payload={"badge": badge.name, "title": badge.title},
        )
        award = session.get(BadgeAward, inserted)
        assert award is not None
        new.append(award)
    return new


def rederive(engine: Engine, session: Session) -> int:
    """Rebuild every award from the current measures and badges; returns how many are held afterwards.

    Awards of badges no plugin registers any more, or whose measure no longer reaches the threshold,
    are dropped; their ``badge.awarded`` events stay in the append-only log.
    """
    session.execute(sa.delete(BadgeAward))
    people = session.execute(sa.select(col(Ambassador.id)).order_by(col(Ambassador.id))).scalars().all()
    return sum(len(award_badges(engine, session, ambassador_id)) for ambassador_id in people)


def badge_progress(engine: Engine, session: Session, ambassador_id: int) -> list[BadgeProgress]:
    """Every badge, earned or not, with the ambassador's current value of its measure."""
    if session.get(Ambassador, ambassador_id) is None:
        raise NotFound(f"ambassador {ambassador_id} not found")
    held = _awards(session, ambassador_id)
    histories = measure_histories(session, ambassador_id)
    progress = []
    for badge in engine.badges().values():
        history = histories[badge.measure]
        award = held.get(badge.name)
        progress.append(
            BadgeProgress(badge, history[-1][1] if history else 0, _utc(award.earned_at) if award else None)
        )
    return progress
