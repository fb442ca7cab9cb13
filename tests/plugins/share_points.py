"""A scoring rule: 10 points for planning a share, 25 more once it is published."""

from __future__ import annotations

from clarion import hookimpl
from clarion.events import EventKind, RecordedEvent
from clarion.scoring import Award

POINTS = {EventKind.SHARE_CREATED: 10, EventKind.SHARE_PUBLISHED: 25}


@hookimpl
def clarion_awards_compute(event: RecordedEvent):
    points = POINTS.get(event.kind)  # EventKind is a StrEnum: its members hash like their values
    if points is None or event.ambassador_id is None:
        return []
    return [Award("share-points", event.ambassador_id, points, f"{points} points for {event.kind}")]
