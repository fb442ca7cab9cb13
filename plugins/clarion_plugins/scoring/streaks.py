"""A bonus for sharing in consecutive weeks, given with the first share of each week of a streak."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.events import EventKind
from clarion.models import Event
from clarion.scoring import Award
from clarion_plugins.scoring.history import earlier, rows

PLUGIN_NAME = "scoring-streaks"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(default=5, ge=0, description="Bonus for each week of a streak from min_weeks on.")
    min_weeks: int = Field(default=2, ge=2, le=52, description="Weeks in a row before the bonus starts.")


@hookimpl
def clarion_config_register():
    return Settings


def _monday(moment: datetime) -> date:
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


@hookimpl
def clarion_awards_compute(engine, event):
    if event.kind != EventKind.SHARE_PUBLISHED or event.ambassador_id is None:
        return []
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    if not settings.points:
        return []
    week = _monday(event.occurred_at)
    since = datetime.combine(week - timedelta(weeks=52), datetime.min.time(), tzinfo=UTC)
    shared = rows(
        engine,
        earlier(
            event,
            EventKind.SHARE_PUBLISHED,
            col(Event.ambassador_id) == event.ambassador_id,
            col(Event.occurred_at) >= since,
        ),
    )
    weeks = {_monday(at) for _id, at, _payload in shared}
    if week in weeks:
        return []  # not the first share of this week
    streak = 1
    while week - timedelta(weeks=streak) in weeks:
        streak += 1
    if streak < settings.min_weeks:
        return []
    return [Award("streak", event.ambassador_id, settings.points, f"{streak} weeks in a row with a share")]
