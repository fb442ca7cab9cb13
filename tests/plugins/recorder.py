"""Observers: one remembers every event it hears of, one always fails."""

from __future__ import annotations

from clarion import hookimpl
from clarion.events import RecordedEvent


class Recorder:
    """An observer instance, so each test has its own list."""

    def __init__(self) -> None:
        self.events: list[RecordedEvent] = []

    @hookimpl
    def clarion_event_on_recorded(self, event: RecordedEvent) -> None:
        self.events.append(event)


class FailingObserver:
    @hookimpl
    def clarion_event_on_recorded(self, event: RecordedEvent) -> None:
        raise RuntimeError(f"webhook endpoint is down (event {event.id})")
