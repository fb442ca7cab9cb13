"""The demo's challenges and who joined them, written through the challenges service.

The only part of the demo that needs gamification: the loader skips it when the gamification
plugin is blocked, so the rest of the demo loads without it.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.models import Ambassador
from clarion_plugins.gamification.models import Challenge, ChallengeKind, ChallengeMeasure, ChallengeParticipant
from clarion_plugins.gamification.services import challenges

GAMIFICATION_PLUGIN = "gamification"


def wanted(engine: Any) -> bool:
    """Whether this engine has gamification: not when its plugin is blocked."""
    return not engine.pm.is_blocked(GAMIFICATION_PLUGIN)


def _window(name: str, now: datetime) -> tuple[datetime, datetime]:
    month = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if name == "month":
        return month, (month + timedelta(days=32)).replace(day=1)
    if name == "previous-month":
        return (month - timedelta(days=1)).replace(day=1), month
    if name == "quarter":
        quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        return quarter, (quarter + timedelta(days=95)).replace(day=1)
    raise ValueError(f"challenges.toml: unknown window {name!r} (month, previous-month or quarter)")


def challenge_data(spec: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """What the challenges service takes to create the challenge ``spec`` describes."""
    starts_at, ends_at = _window(spec["window"], now)
    data = {name: value for name, value in spec.items() if name != "window"}
    data.update(
        kind=ChallengeKind(spec["kind"]),
        measure=ChallengeMeasure(spec["measure"]),
        starts_at=starts_at,
        ends_at=ends_at,
    )
    return data


def load_challenges(
    session: Session, specs: tuple[Mapping[str, Any], ...], *, editor: Actor, seed: int, now: datetime
) -> int:
    """Create the demo's challenges an editor would, and let some opted-in people join the individual ones.

    Challenges whose title is taken already are left alone. Returns how many were created.
    """
    plans = [challenge_data(spec, now) for spec in specs]
    titles = [plan["title"] for plan in plans]
    have = set(session.exec(select(Challenge.title).where(col(Challenge.title).in_(titles))).all())
    created_at = (now - timedelta(days=40)).replace(microsecond=0)
    new = []
    for plan in plans:
        if plan["title"] in have:
            continue
        challenge = challenges.create_challenge(session, editor, plan)
        challenge.created_at = challenge.updated_at = created_at  # the editor set them up weeks ago
        new.append(challenge)
    if not new:
        return 0
    candidates = list(
        session.exec(
            select(Ambassador)
            .where(
                col(Ambassador.opted_in_at).is_not(None),
                col(Ambassador.left_at).is_(None),
                col(Ambassador.paused_at).is_(None),
            )
            .order_by(col(Ambassador.id))
        ).all()
    )
    rng = random.Random(f"{seed}:challenges")
    for challenge in new:
        if challenge.kind is not ChallengeKind.INDIVIDUAL or not candidates:
            continue
        assert challenge.id is not None
        chosen = rng.sample(candidates, k=max(1, len(candidates) * 2 // 5))
        for person in sorted(chosen, key=lambda person: person.id or 0):
            # Joined when it started: join as of that moment, and date the row so.
            challenges.join(session, Actor.of(person), challenge.id, now=challenge.starts_at)
        session.execute(
            sa.update(ChallengeParticipant)
            .where(col(ChallengeParticipant.challenge_id) == challenge.id)
            .values(joined_at=challenge.starts_at)
        )
    session.flush()
    return len(new)
