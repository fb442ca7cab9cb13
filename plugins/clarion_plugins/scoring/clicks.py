"""Points per counted click, capped per share per day; bursts from few visitors are held for review.

Self, bot, internal and duplicate clicks never produce ``click.counted``, so they never score; nor
does a click on the link of a share that was not published (or opened) before it: a planned share's
link handed around earns nothing. A click after the sharer left (or was erased) still redirects the
visitor but scores nothing.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.events import EventKind
from clarion.models import Ambassador, Click, Event
from clarion.scoring import Award
from clarion_plugins.scoring.history import count, earlier, rows, utc_day

PLUGIN_NAME = "scoring-clicks"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(default=2, ge=0, description="Points per counted click on a share.")
    max_clicks_per_share_per_day: int = Field(default=25, ge=1, description="Clicks per share and day that score.")
    daily_cap: int = Field(default=100, ge=1, description="Most points a day from clicks.")
    burst_clicks: int = Field(default=20, ge=2, description="Counted clicks on one share within burst_minutes ...")
    burst_minutes: int = Field(default=10, ge=1, description="... that make a burst.")
    burst_max_visitors: int = Field(default=3, ge=1, description="A burst from this many visitors or fewer is held.")


@hookimpl
def clarion_config_register():
    return Settings


def _visitors(engine, click_ids: list[int]) -> int:
    return len(rows(engine, sa.select(col(Click.visitor_hash)).where(col(Click.id).in_(click_ids)).distinct()))


@hookimpl
def clarion_awards_compute(engine, event):
    if event.kind != EventKind.CLICK_COUNTED or event.ambassador_id is None or event.share_id is None:
        return []
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    if settings.points == 0:
        return []
    left = rows(engine, sa.select(col(Ambassador.left_at)).where(col(Ambassador.id) == event.ambassador_id))
    if left and left[0][0] is not None and left[0][0] <= event.occurred_at:
        return []
    same_share = col(Event.share_id) == event.share_id
    if not count(engine, earlier(event, EventKind.SHARE_PUBLISHED, same_share)):
        return []
    start, end = utc_day(event.occurred_at)
    today = count(
        engine,
        earlier(
            event, EventKind.CLICK_COUNTED, same_share, col(Event.occurred_at) >= start, col(Event.occurred_at) < end
        ),
    )
    if today >= settings.max_clicks_per_share_per_day:
        return []
    window_start = event.occurred_at - timedelta(minutes=settings.burst_minutes)
    recent = rows(
        engine,
        earlier(
            event,
            EventKind.CLICK_COUNTED,
            same_share,
            col(Event.occurred_at) > window_start,
            col(Event.occurred_at) <= event.occurred_at,
        ),
    )
    hold_reason = None
    if len(recent) + 1 >= settings.burst_clicks:
        payloads = [payload or {} for _id, _at, payload in recent] + [event.payload]
        click_ids = [payload["click_id"] for payload in payloads if isinstance(payload.get("click_id"), int)]
        visitors = _visitors(engine, click_ids)
        if visitors <= settings.burst_max_visitors:
            hold_reason = (
                f"{len(recent) + 1} clicks on this share within {settings.burst_minutes} minutes "
                f"from {visitors} visitor{'s' if visitors != 1 else ''}"
            )
    via = " (QR code)" if event.payload.get("via_qr") else ""
    return [
        Award(
            "click",
            event.ambassador_id,
            settings.points,
            f"Someone opened the link you shared{via}",
            hold_reason=hold_reason,
            daily_cap=settings.daily_cap,
        )
    ]
