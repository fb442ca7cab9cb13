"""The plugin manager: a pluggy manager that remembers where each plugin came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from types import ModuleType
from typing import Any

import pluggy

from clarion.errors import PluginConflict, PluginLoadError

ENTRY_POINT_GROUP = "clarion"


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

    def __init__(self, specs: ModuleType | None = None) -> None:
        super().__init__(ENTRY_POINT_GROUP)
        if specs is not None:
            self.add_hookspecs(specs)
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
