"""Keep each ambassador's pace human: a daily limit per network, and their own quiet hours.

Days are the ambassador's local days (their ``time_zone``; UTC when it is unknown). A share
counts on the day it goes out: its ``scheduled_at`` when it was scheduled, its ``created_at``
otherwise; cancelled shares do not count. An ambassador may set a lower limit of their own per
network (:mod:`clarion_plugins.guardrails.cadence_limits`); the lower of the two applies.

Quiet hours (``quiet_hours_start`` to ``quiet_hours_end``, minutes after local midnight) may
wrap midnight (22:00 to 07:00); equal start and end mean no quiet hours. A share *scheduled*
inside them gets ``quiet_hours_severity`` (block by default): Clarion would be the one posting
at night. A share made *now* inside them (an intent share, or an API share without a schedule)
only ever warns: the ambassador chose to post at that hour themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlmodel import col, select

from clarion import hookimpl
from clarion.contracts import Erasure, PersonRows, Schema, person_rows
from clarion.guardrails import Severity, ShareDraft, Violation
from clarion.i18n import Message
from clarion.models import Ambassador, Share, ShareStatus
from clarion_plugins.guardrails.cadence_limits import TABLES, DailyLimitsController, personal_limit

PLUGIN_NAME = "guardrail-cadence"
MIGRATIONS = Path(__file__).parent / "cadence_migrations"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    daily_limits: dict[str, int] = Field(
        default_factory=lambda: {"default": 3},
        description='Shares per local day, per network; "default" covers unlisted networks; 0 = no limit.',
    )
    severity: Severity = Field(default=Severity.BLOCK, description="For going over a daily limit.")
    quiet_hours_severity: Severity = Field(
        default=Severity.BLOCK, description="For a share scheduled inside the ambassador's quiet hours."
    )
    warn_now_in_quiet_hours: bool = Field(
        default=True, description="Remind ambassadors who share now, during their own quiet hours."
    )

    @field_validator("daily_limits")
    @classmethod
    def _limits_not_negative(cls, limits: dict[str, int]) -> dict[str, int]:
        for network, limit in limits.items():
            if limit < 0:
                raise ValueError(f"the limit for {network!r} cannot be negative")
        return limits

    def limit_for(self, network: str) -> int:
        return self.daily_limits.get(network, self.daily_limits.get("default", 0))


def ambassador_zone(ambassador: Ambassador) -> tzinfo:
    try:
        return ZoneInfo(ambassador.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants where ``day`` begins and ends in ``zone`` (23 or 25 hours long on DST days)."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def shares_on_local_day(session, draft: ShareDraft, day: date, zone: tzinfo) -> int:
    start, end = local_day_bounds(day, zone)
    goes_out = sa.func.coalesce(col(Share.scheduled_at), col(Share.created_at))
    query = select(sa.func.count()).where(
        Share.ambassador_id == draft.ambassador_id,
        Share.network == draft.network,
        Share.status != ShareStatus.CANCELLED,
        goes_out >= start,
        goes_out < end,
    )
    return int(session.exec(query).one())


def in_quiet_hours(minute: int, start: int, end: int) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # wraps midnight


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def quiet_hours_end(local: datetime, end: int) -> datetime:
    """The local moment the quiet hours around ``local`` end (today or tomorrow)."""
    ends = datetime.combine(local.date(), time(end // 60, end % 60), tzinfo=local.tzinfo)
    return ends if ends > local else ends + timedelta(days=1)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_tables_register() -> Schema:
    return Schema("cadence", MIGRATIONS, TABLES)


@hookimpl
def clarion_routes_register() -> list[Any]:
    return [DailyLimitsController]


@hookimpl
def clarion_person_export_compute(session, ambassador_id: int) -> list[PersonRows]:
    return [person_rows(session, table, ambassador_id, columns=["ambassador_id"]) for table in TABLES]


@hookimpl
def clarion_person_erase_prepare(session, erasure: Erasure) -> None:
    # A person's own caps say something about them and serve no total: they go.
    for table in TABLES:
        session.execute(table.delete().where(table.c.ambassador_id == erasure.ambassador_id))
    erasure.covered(*(table.name for table in TABLES))


def effective_limit(programme: int, personal: int | None) -> int:
    """The lower of the two; 0 (no programme limit) leaves only the personal one."""
    if personal is None:
        return programme
    return min(programme, personal) if programme else personal


@hookimpl
def clarion_share_violations_compute(engine, draft: ShareDraft, session):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    ambassador = session.get(Ambassador, draft.ambassador_id)
    if ambassador is None:
        return []
    zone = ambassador_zone(ambassador)
    goes_out = (draft.scheduled_at or engine.clock.now()).astimezone(zone)
    label = engine.connector(draft.network).label
    findings = []
    limit = effective_limit(
        settings.limit_for(draft.network), personal_limit(session, draft.ambassador_id, draft.network)
    )
    if limit:
        already = shares_on_local_day(session, draft, goes_out.date(), zone)
        if already >= limit:
            findings.append(
                Violation(
                    "cadence",
                    Message(
                        "You already have %(already)d shares on %(network)s on %(day)s (your time); the limit is "
                        "%(limit)d a day, so your contacts see variety rather than a flood. Pick another day.",
                        {"already": already, "network": label, "day": f"{goes_out:%Y-%m-%d}", "limit": limit},
                    ),
                    settings.severity,
                )
            )
    start, end = ambassador.quiet_hours_start, ambassador.quiet_hours_end
    if start is not None and end is not None and in_quiet_hours(goes_out.hour * 60 + goes_out.minute, start, end):
        ends = quiet_hours_end(goes_out, end)
        hours = f"{clock(start)} to {clock(end)}, {ambassador.time_zone}"
        if draft.scheduled_at is not None:
            findings.append(
                Violation(
                    "cadence",
                    Message(
                        "%(time)s on %(day)s is inside your quiet hours (%(hours)s); "
                        "schedule this share for %(end_time)s on %(end_day)s or later.",
                        {
                            "time": f"{goes_out:%H:%M}",
                            "day": f"{goes_out:%Y-%m-%d}",
                            "hours": hours,
                            "end_time": f"{ends:%H:%M}",
                            "end_day": f"{ends:%Y-%m-%d}",
                        },
                    ),
                    settings.quiet_hours_severity,
                )
            )
        elif settings.warn_now_in_quiet_hours:
            findings.append(
                Violation(
                    "cadence",
                    Message(
                        "You are sharing during your quiet hours (%(hours)s), which end at %(end_time)s on "
                        "%(end_day)s; that is your choice, this is only a reminder.",
                        {"hours": hours, "end_time": f"{ends:%H:%M}", "end_day": f"{ends:%Y-%m-%d}"},
                    ),
                    Severity.WARN,
                )
            )
    return findings
