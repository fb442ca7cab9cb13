"""Points for engagement (reactions, comments, re-shares) the network reports on a share, capped per share per day.

``engagement.reported`` events carry ``{"network": str, "engagements": int}``: the engagements
counted since the previous report for that share.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.events import EventKind
from clarion.models import Event
from clarion.scoring import Award
from clarion_plugins.scoring.history import earlier, rows, utc_day

PLUGIN_NAME = "scoring-engagement"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(default=1, ge=0, description="Points per reported engagement.")
    max_per_share_per_day: int = Field(default=20, ge=1, description="Engagements per share and day that score.")
    daily_cap: int = Field(default=50, ge=1, description="Most points a day from engagement.")


@hookimpl
def clarion_config_register():
    return Settings


def _engagements(payload) -> int:
    value = (payload or {}).get("engagements", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@hookimpl
def clarion_awards_compute(engine, event):
    if event.kind != EventKind.ENGAGEMENT_REPORTED or event.ambassador_id is None or event.share_id is None:
        return []
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    reported = _engagements(event.payload)
    if not reported or not settings.points:
        return []
    start, end = utc_day(event.occurred_at)
    before = rows(
        engine,
        earlier(
            event,
            EventKind.ENGAGEMENT_REPORTED,
            col(Event.share_id) == event.share_id,
            col(Event.occurred_at) >= start,
            col(Event.occurred_at) < end,
        ),
    )
    room = settings.max_per_share_per_day - sum(_engagements(payload) for _id, _at, payload in before)
    scored = min(reported, max(room, 0))
    if not scored:
        return []
    noun = "reaction or comment" if scored == 1 else "reactions and comments"
    return [
        Award(
            "engagement",
            event.ambassador_id,
            scored * settings.points,
            f"{scored} {noun} on your share",
            daily_cap=settings.daily_cap,
        )
    ]
