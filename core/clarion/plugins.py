"""The plugin manager factory: built-ins, entry points and configured modules, loaded alike."""

from __future__ import annotations

import importlib
import os
import sys
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from clarion import hookspecs
from clarion.config import Settings
from clarion.errors import ConfigError, PluginLoadError
from clarion.plugin_manager import ENTRY_POINT_GROUP, ClarionPluginManager, PluginRecord, PluginSource

__all__ = [
    "DEFAULT_PLUGINS",
    "ENTRY_POINT_GROUP",
    "ESSENTIAL_PLUGINS",
    "ClarionPluginManager",
    "PluginRecord",
    "PluginSource",
    "build_plugin_manager",
    "load_entry_point_plugins",
]


# The one list of built-ins, registered exactly like third-party plugins (pytest's
# ``default_plugins``). Blocking one by name removes or replaces it.
DEFAULT_PLUGINS: dict[str, str] = {
    "core-jobs": "clarion.core_jobs",
    "core-admin": "clarion.web.admin.core_admin",
    "audit-log": "clarion_plugins.audit_log",
    "connector-linkedin": "clarion_plugins.connectors.linkedin",
    "connector-x": "clarion_plugins.connectors.x",
    "connector-facebook": "clarion_plugins.connectors.facebook",
    "connector-email": "clarion_plugins.connectors.email",
    "connector-mastodon": "clarion_plugins.connectors.mastodon",
    "connector-bluesky": "clarion_plugins.connectors.bluesky",
    "connector-threads": "clarion_plugins.connectors.threads",
    "connector-xing": "clarion_plugins.connectors.xing",
    "connector-whatsapp": "clarion_plugins.connectors.whatsapp",
    "connector-telegram": "clarion_plugins.connectors.telegram",
    "connector-reddit": "clarion_plugins.connectors.reddit",
    "connector-teams": "clarion_plugins.connectors.teams",
    "identity-trusted-header": "clarion_plugins.identity.trusted_header",
    "identity-signed-token": "clarion_plugins.identity.signed_token",
    "identity-api-token": "clarion_plugins.identity.api_token",
    "identity-widget-session": "clarion_plugins.identity.widget_session",
    "identity-oidc": "clarion_plugins.oidc",
    "guardrail-repeat-share": "clarion_plugins.guardrails.repeat_share",
    "guardrail-disclosure": "clarion_plugins.guardrails.disclosure",
    "guardrail-blocked-words": "clarion_plugins.guardrails.blocked_words",
    "guardrail-edit-policy": "clarion_plugins.guardrails.edit_policy",
    "guardrail-cadence": "clarion_plugins.guardrails.cadence",
    "guardrail-near-duplicate": "clarion_plugins.guardrails.near_duplicate",
    "gamification": "clarion_plugins.gamification",
    "badges": "clarion_plugins.gamification.badge_catalogue",
    "scoring-shares": "clarion_plugins.scoring.shares",
    "scoring-clicks": "clarion_plugins.scoring.clicks",
    "scoring-engagement": "clarion_plugins.scoring.engagement",
    "scoring-content": "clarion_plugins.scoring.content",
    "scoring-onboarding": "clarion_plugins.scoring.onboarding",
    "scoring-streaks": "clarion_plugins.scoring.streaks",
    "widget-feed": "clarion_plugins.widgets.feed",
    "widget-onboarding": "clarion_plugins.widgets.onboarding",
    "widget-my-impact": "clarion_plugins.widgets.my_impact",
    "widget-my-queue": "clarion_plugins.widgets.my_queue",
    "widget-profile": "clarion_plugins.widgets.profile",
    "widget-connect": "clarion_plugins.widgets.connect",
    "widget-campaign": "clarion_plugins.widgets.campaign",
    "widget-submit": "clarion_plugins.widgets.submit",
    "emv-cpc": "clarion_plugins.emv.cpc",
    "emv-cpm": "clarion_plugins.emv.cpm",
    "emv-interactions": "clarion_plugins.emv.interactions",
    "analytics": "clarion_plugins.analytics",
    "metrics-import": "clarion_plugins.metric_import",
    "my-data": "clarion_plugins.my_data",
    "sessions": "clarion_plugins.sessions",
    "demo": "clarion_plugins.demo",
}


# Built-ins that must never be switched off (pytest's ``essential_plugins``): without the core's
# jobs no share is published, without widget sessions
# no embedded widget can act for its viewer, without the core's admin pages nobody edits content.
ESSENTIAL_PLUGINS: frozenset[str] = frozenset({"core-jobs", "core-admin", "audit-log", "identity-widget-session"})


def _tracing_requested() -> bool:
    """``CLARION_TRACE_PLUGINS=1`` logs every hook call to stderr (stdout stays clean for --json)."""
    return os.environ.get("CLARION_TRACE_PLUGINS", "").strip().lower() in {"1", "true", "yes", "on"}


def _import_plugin_module(name: str, module_path: str, origin: str) -> ModuleType:
    try:
        return importlib.import_module(module_path)
    except Exception as exc:
        raise PluginLoadError(
            f"plugin {name!r} ({origin}) failed to import {module_path}: {type(exc).__name__}: {exc}"
        ) from exc


def _entry_point_module(entry_point: EntryPoint) -> str:
    return entry_point.value.partition(":")[0].strip()


def load_entry_point_plugins(pm: ClarionPluginManager) -> None:
    """Register every installed ``clarion`` entry point that is not a built-in."""
    builtin_modules = set(DEFAULT_PLUGINS.values())
    for entry_point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        if _entry_point_module(entry_point) in builtin_modules:
            continue  # an older install that still declared the built-ins as entry points
        dist = entry_point.dist
        dist_name = dist.metadata["Name"] if dist is not None else None
        dist_version = dist.version if dist is not None else None
        if pm.is_blocked(entry_point.name):
            pm.register_plugin(
                None,
                name=entry_point.name,
                source=PluginSource.ENTRY_POINT,
                module=_entry_point_module(entry_point),
                version=dist_version,
                distribution=dist_name,
            )
            continue
        try:
            plugin = entry_point.load()
        except Exception as exc:
            origin = f"entry point of {dist_name} {dist_version}" if dist_name else "entry point"
            raise PluginLoadError(
                f"plugin {entry_point.name!r} ({origin}) failed to import "
                f"{entry_point.value}: {type(exc).__name__}: {exc}"
            ) from exc
        pm.register_plugin(
            plugin,
            name=entry_point.name,
            source=PluginSource.ENTRY_POINT,
            module=_entry_point_module(entry_point),
            version=dist_version,
            distribution=dist_name,
        )


def build_plugin_manager(settings: Settings, *, extra_plugins: dict[str, Any] | None = None) -> ClarionPluginManager:
    """Build a fresh plugin manager for one engine.

    Order: block the disabled names, register the built-ins, the installed entry points
    (unless autoloading is off), the modules named in settings, then ``extra_plugins``
    (name → module or object, as tests and embedding code pass them). Finally
    ``check_pending()`` turns a misspelled hook into a start-up error.

    Raises:
        PluginLoadError: a plugin failed to import or implements an unknown hook.
        PluginConflict: two plugins share a name.
    """
    from clarion import __version__

    pm = ClarionPluginManager(hookspecs)
    if _tracing_requested():
        pm.trace.root.setwriter(lambda message: sys.stderr.write(message))
        pm.enable_tracing()
    essential = sorted(ESSENTIAL_PLUGINS & set(settings.disabled_plugins))
    if essential:
        raise ConfigError(
            f"plugin {essential[0]!r} is essential and cannot be disabled; "
            f"remove it from disabled_plugins (essential plugins: {', '.join(sorted(ESSENTIAL_PLUGINS))})"
        )
    for name in settings.disabled_plugins:
        pm.set_blocked(name)
    for name, module_path in DEFAULT_PLUGINS.items():
        if pm.is_blocked(name):
            pm.register_plugin(None, name=name, source=PluginSource.BUILTIN, module=module_path)
            continue
        module = _import_plugin_module(name, module_path, "built-in")
        pm.register_plugin(module, name=name, source=PluginSource.BUILTIN, module=module_path, version=__version__)
    if settings.plugin_autoload:
        load_entry_point_plugins(pm)
    for module_path in settings.plugin_modules:
        module = _import_plugin_module(module_path, module_path, "listed in settings")
        pm.register_plugin(module, name=module_path, source=PluginSource.CONFIG, module=module_path)
    for name, plugin in (extra_plugins or {}).items():
        if isinstance(plugin, str):
            plugin = _import_plugin_module(name, plugin, "registered")
        pm.register_plugin(plugin, name=name, source=PluginSource.REGISTERED)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        plugin_name = pm.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginLoadError(f"plugin {plugin_name!r}: {exc}") from exc
    return pm
