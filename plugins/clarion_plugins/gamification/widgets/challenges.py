"""The challenges widget: active and upcoming challenges, my progress, joining by choice, and results."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from clarion.widgets import Widget
from clarion_plugins.gamification.models import ChallengeKind, ChallengeMeasure
from clarion_plugins.gamification.services import challenges as challenge_service
from clarion_plugins.gamification.services.challenges import ChallengeStatus

PLUGIN_NAME = "widget-challenges"
# Windows end at an exclusive moment; the widget shows the last day they include.
LAST_MOMENT = timedelta(microseconds=1)


def _percent(progress: int | None, target: int) -> int:
    return min(100, (progress or 0) * 100 // target)


def challenges_context(engine, viewer, settings) -> dict[str, Any]:
    with engine.transaction() as session:
        views = challenge_service.my_challenges(session, viewer.ambassador_id)
        items = []
        for view in views:
            challenge = view.challenge
            team = view.team
            progress = team.progress if team is not None else view.my_progress
            items.append(
                {
                    "id": challenge.id,
                    "title": challenge.title,
                    "description": challenge.description,
                    "reward": challenge.reward,
                    "image_url": challenge.image_url,
                    "team_challenge": challenge.kind is ChallengeKind.TEAM,
                    "measure": challenge.measure.value,
                    "percentage": challenge.measure is ChallengeMeasure.PARTICIPATION,
                    "target": challenge.target,
                    "starts_on": challenge.starts_at.date(),
                    "ends_on": (challenge.ends_at - LAST_MOMENT).date(),  # ends_at is exclusive: the last day included
                    "status": view.status.value,
                    "joined": view.joined,
                    "progress": progress,
                    "my_progress": view.my_progress,
                    "team": team.team if team is not None else None,
                    "percent": _percent(progress, challenge.target),
                    "qualified": view.qualified,
                    "frozen": view.frozen,
                    "qualified_count": view.qualified_count,
                    "can_join": challenge.kind is ChallengeKind.INDIVIDUAL and view.status is not ChallengeStatus.ENDED,
                }
            )
    return {"challenges": items}


WIDGET = Widget(
    name="challenges",
    title="Challenges",
    template="widgets/challenges.html",
    context=challenges_context,
    cache="none",
)
