"""The weekly job: every Monday, record how many kudos each person received the week before."""

from __future__ import annotations

from typing import Any

from clarion.contracts import Job
from clarion.models.types import utcnow

from clarion_kudos import service

# Mondays at 06:00 UTC, once the week before has ended everywhere.
SCHEDULE = "0 6 * * 1"


def summarise_last_week(engine: Any, week: str | None = None) -> int:
    """Record the last full week (or ``week``, ``2026-W49``); returns how many people's weeks were new."""
    monday = service.parse_week(week) if week else service.last_full_week(utcnow())
    with engine.transaction() as session:
        return service.summarise_week(session, monday)


WEEKLY_SUMMARY = Job("kudos.weekly_summary", summarise_last_week, schedule=SCHEDULE, retries=2, retry_delay=60)
