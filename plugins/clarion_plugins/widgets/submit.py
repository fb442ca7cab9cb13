"""The submit widget: suggest a third-party link with my comment, or a draft of my own, for review."""

from __future__ import annotations

from typing import Any

from clarion import hookimpl
from clarion.ambassadors.ambassadors import level_rank
from clarion.content import content as content_service
from clarion.models import AdvocacyLevel, Ambassador, ContentOrigin
from clarion.pagination import PageRequest
from clarion.widgets import Widget

PLUGIN_NAME = "widget-submit"
RECENT = 5
ORIGINS = (ContentOrigin.CURATED, ContentOrigin.PRODUCED)


def submit_context(engine, viewer, settings) -> dict[str, Any]:
    requires = engine.settings.submit_requires_level
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        origins = []
        for origin in ORIGINS:
            required = requires.get(origin.value)
            allowed = (
                required is None
                or viewer.is_editor
                or level_rank(ambassador.advocacy_level) >= level_rank(AdvocacyLevel(required))
            )
            origins.append({"value": origin.value, "allowed": allowed, "required": required})
        required_levels = [AdvocacyLevel(origin["required"]) for origin in origins if origin["required"]]
        recent = content_service.list_content(session, viewer, PageRequest(RECENT), mine=True)
        return {
            "active": ambassador.is_active,
            "level": ambassador.advocacy_level.value,
            "origins": origins,
            "allowed": [origin["value"] for origin in origins if origin["allowed"]],
            "lowest_required": min(required_levels, key=level_rank).value if required_levels else None,
            "recent": [detail.content for detail in recent.items],
        }


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name="submit",
            title="Suggest content",
            template="widgets/submit.html",
            context=submit_context,
            cache="none",
            settings={},
        )
    ]
