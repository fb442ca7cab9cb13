"""The ``kudos`` widget: my kudos this week, the latest thanks I received, and colleagues' shares to thank."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from clarion.models.types import utcnow
from clarion.pagination import PageRequest
from clarion.widgets import Widget

from clarion_kudos import service
from clarion_kudos.models import MESSAGE_MAX_LENGTH
from clarion_kudos.settings import PLUGIN_NAME, KudosSettings

RECENT = 3  # thanks received shown in the widget; the API pages through all of them


def kudos_context(engine: Any, viewer: Any, settings: dict[str, Any]) -> dict[str, Any]:
    config: KudosSettings = engine.plugin_config(PLUGIN_NAME)
    now = utcnow()
    week_began, _ = service.week_bounds(service.week_start(now.date()))
    with engine.transaction() as session:
        shares = service.thankable(
            session, viewer, since=now - timedelta(days=config.window_days), limit=min(settings["limit"], 20)
        )
        recent = service.received(session, viewer, PageRequest(RECENT))
        this_week = service.received_since(session, viewer.ambassador_id, week_began)
    labels = {key: connector.label for key, connector in engine.connectors().items()}
    return {
        "shares": shares,
        "recent": recent.items,
        "received_total": recent.total,
        "this_week": this_week,
        "networks": labels,
        "message_max": MESSAGE_MAX_LENGTH,
    }


def kudos_widget() -> Widget:
    return Widget(
        name="kudos",
        title="Kudos",
        template="kudos/widget.html",
        context=kudos_context,
        cache="none",  # a thank-you shows at once
        settings={"limit": 5},
        stylesheets=(f"/static/plugins/{PLUGIN_NAME}/kudos.css",),
    )
