"""The growth path engagement → curation → production: progress, automatic promotion, set by hand.

A level is never lost automatically, and levels unlock capabilities only where the programme
configures it (``submit_requires_level``). Nothing here is a quota: criteria describe what
unlocks a level, at each person's own pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col

from clarion.errors import NotFound, PermissionDenied
from clarion.events import EventKind
from clarion.models import AdvocacyLevel, Ambassador, ContentOrigin, Event, Role, Share, ShareStatus, utcnow
from clarion.services.events import record_event
from clarion.services.points import balance

if TYPE_CHECKING:
    from clarion.engine import Engine
    from clarion.services.actors import Actor

ORDER = list(AdvocacyLevel)
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


def rank(level: AdvocacyLevel) -> int:
    return ORDER.index(level)


def criteria_for(engine: Engine, level: AdvocacyLevel) -> dict[str, int]:
    settings = engine.settings
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
    position = rank(ambassador.advocacy_level)
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


def _change(session: Session, ambassador: Ambassador, level: AdvocacyLevel, *, by: int | None) -> None:
    assert ambassador.id is not None
    previous = ambassador.advocacy_level
    ambassador.advocacy_level = level
    ambassador.updated_at = utcnow()
    session.add(ambassador)
    session.flush()
    # The n-th level change of this person: a replayed request cannot record it twice.
    changes = session.execute(
        sa.select(sa.func.count()).where(
            col(Event.kind) == EventKind.LEVEL_CHANGED, col(Event.ambassador_id) == ambassador.id
        )
    ).scalar_one()
    record_event(
        session,
        EventKind.LEVEL_CHANGED,
        idempotency_key=f"{EventKind.LEVEL_CHANGED.value}:{ambassador.id}:{changes}",
        ambassador_id=ambassador.id,
        payload={"from": previous.value, "to": level.value, "by": by, "automatic": by is None},
    )


def record_level_change(session: Session, ambassador: Ambassador, level: AdvocacyLevel, *, by: int) -> None:
    """A level set by hand (up or down); recorded as an event naming who set it. The same level is no change."""
    if ambassador.advocacy_level is not level:
        _change(session, ambassador, level, by=by)


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
            _change(session, ambassador, progress.next_level, by=None)
            promoted = progress.next_level
    return promoted


def check_may_submit(engine: Engine, session: Session, actor: Actor, origin: ContentOrigin) -> None:
    """Refuse suggesting content of ``origin`` below the level the programme asks for it (editors always may).

    Raises:
        PermissionDenied: naming the level needed and where the person stands.
    """
    required = engine.settings.submit_requires_level.get(origin.value)  # type: ignore[call-overload]
    if required is None or actor.is_editor:
        return
    ambassador = session.get(Ambassador, actor.ambassador_id)
    assert ambassador is not None
    if rank(ambassador.advocacy_level) < rank(AdvocacyLevel(required)):
        raise PermissionDenied(
            f"suggesting {origin.value} content opens at the {required} level; you are at the "
            f"{ambassador.advocacy_level.value} level (see GET /api/v1/me/level for what it needs)"
        )
