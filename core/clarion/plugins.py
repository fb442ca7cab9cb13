"""The plugin manager factory: built-ins, entry points and configured modules, loaded alike."""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import EntryPoint, entry_points
from types import ModuleType
from typing import Any

import pluggy

from clarion import hookspecs
from clarion.config import Settings
from clarion.errors import PluginConflict, PluginLoadError

ENTRY_POINT_GROUP = "clarion"

# Built-ins, registered exactly like third-party plugins (and also declared as entry points
# in pyproject.toml, which a test keeps in step). Blocking one by name replaces it.
DEFAULT_PLUGINS: dict[str, str] = {
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
    "guardrail-repeat-share": "clarion_plugins.guardrails.repeat_share",
    "guardrail-disclosure": "clarion_plugins.guardrails.disclosure",
    "guardrail-blocked-words": "clarion_plugins.guardrails.blocked_words",
    "guardrail-edit-policy": "clarion_plugins.guardrails.edit_policy",
    "guardrail-cadence": "clarion_plugins.guardrails.cadence",
    "guardrail-near-duplicate": "clarion_plugins.guardrails.near_duplicate",
    "scoring-ledger": "clarion_plugins.scoring.ledger",
    "badges": "clarion_plugins.badges",
    "scoring-shares": "clarion_plugins.scoring.shares",
    "scoring-clicks": "clarion_plugins.scoring.clicks",
    "scoring-engagement": "clarion_plugins.scoring.engagement",
    "scoring-content": "clarion_plugins.scoring.content",
    "scoring-onboarding": "clarion_plugins.scoring.onboarding",
    "scoring-streaks": "clarion_plugins.scoring.streaks",
    "widget-feed": "clarion_plugins.widgets.feed",
    "widget-onboarding": "clarion_plugins.widgets.onboarding",
    "widget-my-impact": "clarion_plugins.widgets.my_impact",
    "widget-campaign": "clarion_plugins.widgets.campaign",
    "widget-submit": "clarion_plugins.widgets.submit",
    "widget-challenges": "clarion_plugins.widgets.challenges",
    "widget-leaderboard": "clarion_plugins.widgets.leaderboard",
    "emv-cpc": "clarion_plugins.emv.cpc",
    "emv-cpm": "clarion_plugins.emv.cpm",
    "emv-interactions": "clarion_plugins.emv.interactions",
}


class PluginSource(StrEnum):
    BUILTIN = "built-in"
    ENTRY_POINT = "entry point"
    CONFIG = "config"
    REGISTERED = "registered"  # handed in by code, e.g. a test


@dataclass
class PluginRecord:
    """Where a plugin came from, for ``clarion plugins`` and ``/api/v1/plugins``."""

    name: str
    source: PluginSource
    module: str
    version: str | None = None
    distribution: str | None = None
    blocked: bool = False
    hooks: list[str] = field(default_factory=list)


class ClarionPluginManager(pluggy.PluginManager):
    """A pluggy manager that remembers where each plugin came from."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        self.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}

    def register_plugin(
        self,
        plugin: Any,
        *,
        name: str,
        source: PluginSource,
        module: str | None = None,
        version: str | None = None,
        distribution: str | None = None,
    ) -> None:
        """Register ``plugin`` under ``name`` unless blocked; record it either way.

        Raises:
            PluginConflict: when another plugin already uses ``name``.
            PluginLoadError: when the plugin's hook implementations do not match the specs.
        """
        module_name = str(module or getattr(plugin, "__name__", type(plugin).__name__))
        record = PluginRecord(name, source, module_name, version, distribution)
        if name in self.records and not self.records[name].blocked:
            other = self.records[name]
            raise PluginConflict(
                f"two plugins are named {name!r}: {other.module} ({other.source}) and {module_name} ({source})"
            )
        if self.is_blocked(name):
            record.blocked = True
            self.records[name] = record
            return
        try:
            self.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginLoadError(f"plugin {name!r} ({module_name}) is invalid: {exc}") from exc
        self.records[name] = record

    def describe(self) -> list[PluginRecord]:
        """Every plugin seen, sorted by name, with the hooks each one implements."""
        described = []
        for name in sorted(self.records):
            record = self.records[name]
            plugin = self.get_plugin(name)
            hooks: list[str] = []
            if plugin is not None:
                hooks = sorted(caller.name for caller in self.get_hookcallers(plugin) or [])
            described.append(
                PluginRecord(
                    record.name,
                    record.source,
                    record.module,
                    record.version,
                    record.distribution,
                    record.blocked,
                    hooks,
                )
            )
        return described


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
            continue
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

    pm = ClarionPluginManager()
    if _tracing_requested():
        pm.trace.root.setwriter(lambda message: sys.stderr.write(message))
        pm.enable_tracing()
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
