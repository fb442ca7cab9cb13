"""Scores every newly recorded event into the points ledger, after the action that caused it committed.

Runs as an observer, so a failing rule is logged and never fails or rolls back the action; the
ledger can always be rebuilt with ``clarion scores recompute``. Block this plugin to stop
incremental scoring.
"""

from __future__ import annotations

from clarion import hookimpl
from clarion.engine import Engine
from clarion.events import RecordedEvent
from clarion.services.points import score_event


@hookimpl
def clarion_event_on_recorded(engine: Engine, event: RecordedEvent) -> None:
    score_event(engine, event)
