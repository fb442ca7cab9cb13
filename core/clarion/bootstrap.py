"""``build_engine``: load the plugins, then build the engine on them."""

from __future__ import annotations

from typing import Any

from clarion.clock import Clock
from clarion.config import Settings, load_settings
from clarion.db import Database
from clarion.engine import Engine
from clarion.plugins import build_plugin_manager
from clarion.points.points import score_event

# The core's subscribers to the after-commit event bus, in order: every committed event is scored
# into the points ledger before plugin observers (``clarion_event_on_recorded``) hear of it.
CORE_PIPELINES = (score_event,)


def build_engine(
    settings: Settings | None = None,
    *,
    extra_plugins: dict[str, Any] | None = None,
    database: Database | None = None,
    clock: Clock | None = None,
) -> Engine:
    """One Clarion instance: the plugins loaded and checked, their settings validated.

    Args:
        settings: The instance's settings; read from ``CLARION_*`` and ``clarion.toml`` when omitted.
        extra_plugins: Plugins to register besides built-ins, entry points and configured
            modules (name → module, module path or object), as tests and embedding code pass them.
        database: A ready database; built from ``settings.database_url`` when omitted.
        clock: Where "now" comes from; the process default (the system clock) when omitted.

    Raises:
        PluginLoadError: a plugin failed to import or implements an unknown hook.
        PluginConflict: two plugins share a name or register the same thing.
        ConfigError: a plugin's settings do not validate.
    """
    if settings is None:
        settings = load_settings()
    return Engine(
        settings,
        pm=build_plugin_manager(settings, extra_plugins=extra_plugins),
        database=database,
        clock=clock,
        pipelines=CORE_PIPELINES,
    )
