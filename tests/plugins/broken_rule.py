"""A scoring rule with a bug: it fails on every event."""

from __future__ import annotations

from clarion import hookimpl


@hookimpl
def clarion_awards_compute(event):
    raise RuntimeError(f"cannot score {event.kind}")
