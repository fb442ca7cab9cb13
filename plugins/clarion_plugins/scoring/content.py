"""Points to the author when their curated or produced content is approved, once per content item."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.events import EventKind
from clarion.models import Event
from clarion.scoring import Award
from clarion_plugins.scoring.history import count, earlier, rows

PLUGIN_NAME = "scoring-content"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    curated: int = Field(default=15, ge=0, description="Points when a curated suggestion is approved.")
    produced: int = Field(default=30, ge=0, description="Points when someone's own content is approved.")
    daily_cap: int = Field(default=100, ge=1, description="Most points a day from approved content.")


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_awards_compute(engine, event):
    if event.kind != EventKind.CONTENT_APPROVED or event.ambassador_id is None or event.content_id is None:
        return []
    same_content = col(Event.content_id) == event.content_id
    if count(engine, earlier(event, EventKind.CONTENT_APPROVED, same_content)):
        return []  # approved again after being reopened: points were given the first time
    created = rows(engine, earlier(event, EventKind.CONTENT_CREATED, same_content))
    origin = (created[0][2] or {}).get("origin") if created else None
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    points = {"curated": settings.curated, "produced": settings.produced}.get(str(origin), 0)
    if not points:
        return []
    title = str(event.payload.get("title") or "your content")
    what = "suggestion" if origin == "curated" else "content"
    return [
        Award(
            f"content-{origin}",
            event.ambassador_id,
            points,
            f"Your {what} “{title}” was approved",
            daily_cap=settings.daily_cap,
        )
    ]
