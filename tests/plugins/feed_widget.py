"""A widget called ``picks`` (the built-in feed keeps its name)."""

from __future__ import annotations

from clarion import hookimpl
from clarion.widgets import Widget


def feed_context(engine, viewer, settings):
    return {"networks": sorted(engine.connectors()), "limit": settings.get("limit", 5)}


@hookimpl
def clarion_widgets_register():
    return [
        Widget(
            name="picks",
            title="Content to share",
            template="feed.html",
            context=feed_context,
            cache="private",
            max_age=30,
            settings={"limit": 5},
        )
    ]
