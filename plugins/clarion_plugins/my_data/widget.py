"""The ``my-data`` widget: download everything Clarion holds about me, or erase my account."""

from __future__ import annotations

from typing import Any

from clarion.widgets import Widget
from clarion_plugins.my_data import services
from clarion_plugins.my_data.api import DOWNLOAD_PATH

WIDGET_NAME = "my-data"


def my_data_context(engine: Any, viewer: Any, settings: dict[str, Any]) -> dict[str, Any]:
    with engine.transaction() as session:
        state = services.export_state(engine, session, viewer.ambassador_id)
    return {"export": state, "download_url": engine.settings.base_url.rstrip("/") + DOWNLOAD_PATH}


def my_data_widget() -> Widget:
    return Widget(
        name=WIDGET_NAME,
        title="My data",
        template="widgets/my_data.html",
        context=my_data_context,
        cache="none",  # the export's state changes as the job runs
        settings={},
    )
