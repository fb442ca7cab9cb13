"""Another widget called ``picks``: next to ``feed_widget`` it is a conflict."""

from __future__ import annotations

from clarion import hookimpl
from clarion.widgets import Widget


@hookimpl
def clarion_widgets_register():
    return [Widget(name="picks", title="News feed", template="news.html", context=lambda engine, viewer, settings: {})]
