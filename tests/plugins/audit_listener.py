"""An audit-log observer: remembers the action of every entry it hears of (``clarion_audit_on_recorded``)."""

from __future__ import annotations

from clarion import hookimpl


class AuditListener:
    """An instance per test, so each test has its own list."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    @hookimpl
    def clarion_audit_on_recorded(self, engine, entry) -> None:
        self.heard.append(entry.action)
