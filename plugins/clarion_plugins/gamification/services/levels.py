"""The growth path engagement → curation → production: progress, automatic promotion, set by hand.

A level is never lost automatically, and levels unlock capabilities only where the programme
configures it (``submit_requires_level``, a core setting the content service checks). The level
itself is the ambassador's (``ambassador.advocacy_level``); this plugin measures what unlocks the
next one and promotes. Nothing here is a quota: criteria describe what
unlocks a level, at each person's own pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col

from clarion.ambassadors.ambassadors import LEVEL_ORDER, level_rank, record_level_change
from clarion.errors import NotFound
from clarion.events import EventKind
from clarion.models import AdvocacyLevel, Ambassador, ContentOrigin, Event, Role, Share, ShareStatus
from clarion.points.points import balance
from clarion_plugins.gamification.settings import settings_of

if TYPE_CHECKING:
    from clarion.actors import Actor
    from clarion.engine import Engine

ORDER = LEVEL_ORDER
CRITERION_LABELS = {
    "points": "points",
    "shares": "published shares",
    "verified_shares": "verified shares",
    "approved_content": "approved suggestions or own content",
}


@dataclass(frozen=True)
class Criterion:
    name: str
    label: str
    required: int
    current: int

    @property
    def met(self) -> bool:
        return self.current >= self.required


@dataclass(frozen=True)
class LevelProgress:
    level: AdvocacyLevel
    next_level: AdvocacyLevel | None
    promotion_only: bool
    criteria: list[Criterion]
    unlocks: dict[ContentOrigin, AdvocacyLevel]


def criteria_for(engine: Engine, level: AdvocacyLevel) -> dict[str, int]:
    settings = settings_of(engine)
    if level is AdvocacyLevel.CURATION:
        return {str(name): need for name, need in settings.curation_criteria.items()}
    if level is AdvocacyLevel.PRODUCTION:
        return {str(name): need for name, need in settings.production_criteria.items()}
    return {}


def _counts(session: Session, ambassador_id: int) -> dict[str, int]:
    def scalar(query: sa.Select[Any]) -> int:
        return int(session.execute(query).scalar_one() or 0)

    mine = col(Share.ambassador_id) == ambassador_id
    published = col(Share.status) == ShareStatus.PUBLISHED
    return {
        "points": balance(session, ambassador_id).awarded,
        "shares": scalar(sa.select(sa.func.count()).where(mine, published)),
        "verified_shares": scalar(
            sa.select(sa.func.count()).where(mine, published, col(Share.verified_at).is_not(None))
        ),
        "approved_content": scalar(
            sa.select(sa.func.count(sa.distinct(col(Event.content_id)))).where(
                col(Event.kind) == EventKind.CONTENT_APPROVED, col(Event.ambassador_id) == ambassador_id
            )
        ),
    }


def _progress(engine: Engine, session: Session, ambassador: Ambassador) -> LevelProgress:
    assert ambassador.id is not None
    position = level_rank(ambassador.advocacy_level)
    next_level = ORDER[position + 1] if position + 1 < len(ORDER) else None
    criteria: list[Criterion] = []
    if next_level is not None:
        required = criteria_for(engine, next_level)
        counts = _counts(session, ambassador.id) if required else {}
        criteria = [Criterion(name, CRITERION_LABELS[name], need, counts[name]) for name, need in required.items()]
    unlocks = {
        ContentOrigin(origin): AdvocacyLevel(level) for origin, level in engine.settings.submit_requires_level.items()
    }
    return LevelProgress(
        ambassador.advocacy_level, next_level, next_level is not None and not criteria, criteria, unlocks
    )


def level_progress(engine: Engine, session: Session, ambassador_id: int) -> LevelProgress:
    """Where an ambassador stands and what the next level needs, criterion by criterion."""
    ambassador = session.get(Ambassador, ambassador_id)
    if ambassador is None:
        raise NotFound(f"ambassador {ambassador_id} not found")
    return _progress(engine, session, ambassador)


def set_level(
    engine: Engine, session: Session, actor: Actor, ambassador_id: int, level: AdvocacyLevel
) -> LevelProgress:
    """An editor or admin promotes (or moves back) someone by hand; recorded as an event naming them.

    Raises:
        PermissionDenied: the actor is not an editor.
        NotFound: no such ambassador.
    """
    actor.require(Role.EDITOR, "setting a level")
    ambassador = session.get(Ambassador, ambassador_id)
    if ambassador is None:
        raise NotFound(f"ambassador {ambassador_id} not found")
    record_level_change(session, ambassador, level, by=actor.ambassador_id)
    return _progress(engine, session, ambassador)


def promote_if_ready(engine: Engine, ambassador_id: int) -> AdvocacyLevel | None:
    """Promote, one level at a time, while the next level's criteria are all met; the new level or ``None``."""
    promoted = None
    with engine.transaction() as session:
        ambassador = session.execute(
            sa.select(Ambassador).where(col(Ambassador.id) == ambassador_id).with_for_update()
        ).scalar_one_or_none()
        if ambassador is None:
            return None
        while True:
            progress = _progress(engine, session, ambassador)
            if progress.next_level is None or progress.promotion_only or not all(c.met for c in progress.criteria):
                break
            record_level_change(session, ambassador, progress.next_level, by=None)
            promoted = progress.next_level
    return promoted
