"""A synthetic programme (people, campaigns, content, audiences, topics) and its bulk loading."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from clarion.db import Database
from clarion.models import (
    Ambassador,
    AudienceDimension,
    Campaign,
    Content,
    ContentAudience,
    ContentOrigin,
    ContentStatus,
    ContentTopic,
    UTCDateTime,
)

DEPARTMENTS = (
    "engineering",
    "sales",
    "marketing",
    "support",
    "finance",
    "people",
    "legal",
    "product",
    "design",
    "operations",
    "research",
    "communications",
)
LOCALES = ("en", "de", "fr", "es", "it", "nl", "pt", "ja", "pl")
LOCALE_WEIGHTS = (40, 12, 12, 10, 6, 6, 6, 4, 4)
TOPICS = tuple(f"topic-{number:02d}" for number in range(30))
STATUS_WEIGHTS = {
    ContentStatus.APPROVED: 80,
    ContentStatus.ARCHIVED: 8,
    ContentStatus.DRAFT: 5,
    ContentStatus.SUBMITTED: 3,
    ContentStatus.CHANGES_REQUESTED: 2,
    ContentStatus.REJECTED: 2,
}
CAMPAIGNS = 40
TARGETED_SHARE = 0.2


@dataclass(frozen=True)
class Sizes:
    ambassadors: int
    content: int


@dataclass
class Programme:
    """Rows as column dictionaries, ready for ``executemany``, plus the ``now`` they are relative to."""

    now: datetime
    teams_by_department: dict[str, list[str]]
    ambassadors: list[dict[str, Any]] = field(default_factory=list)
    campaigns: list[dict[str, Any]] = field(default_factory=list)
    content: list[dict[str, Any]] = field(default_factory=list)
    audience: list[dict[str, Any]] = field(default_factory=list)
    topics: list[dict[str, Any]] = field(default_factory=list)

    def tables(self) -> list[tuple[sa.Table, list[dict[str, Any]]]]:
        """Tables in foreign-key order with their rows."""
        return [
            (_table(Ambassador), self.ambassadors),
            (_table(Campaign), self.campaigns),
            (_table(Content), self.content),
            (_table(ContentAudience), self.audience),
            (_table(ContentTopic), self.topics),
        ]


def _table(model: Any) -> sa.Table:
    return model.__table__


def _teams(rng: random.Random) -> dict[str, list[str]]:
    return {department: [f"{department}-{k}" for k in range(rng.randint(6, 11))] for department in DEPARTMENTS}


def _moment(rng: random.Random, now: datetime, days_before: float, days_after: float) -> datetime:
    return (now + timedelta(days=rng.uniform(-days_before, days_after))).replace(microsecond=0)


def generate(sizes: Sizes, now: datetime, *, seed: int = 20261122) -> Programme:
    """A deterministic programme of ``sizes`` around ``now``.

    Most content is approved; windows are open, closed, not yet open or unbounded; about a
    fifth is targeted on one to three dimensions with one to three values each; most items
    carry up to three topics.
    """
    rng = random.Random(seed)
    teams_by_department = _teams(rng)
    programme = Programme(now=now, teams_by_department=teams_by_department)
    for number in range(1, sizes.ambassadors + 1):
        department: str | None = rng.choice(DEPARTMENTS)
        team: str | None = rng.choice(teams_by_department[department])  # type: ignore[index]
        unassigned = rng.random()
        if unassigned < 0.02:
            department = team = None
        elif unassigned < 0.05:
            team = None
        consent = rng.random()
        joined = _moment(rng, now, 700, -30)
        programme.ambassadors.append(
            {
                "id": number,
                "external_id": f"emp-{number:06d}",
                "name": f"Person {number}",
                "email": f"person{number}@example.com",
                "department": department,
                "team": team,
                "locale": rng.choices(LOCALES, LOCALE_WEIGHTS)[0],
                "time_zone": "Europe/Paris",
                "role": "editor" if number % 100 == 0 else "ambassador",
                "opted_in_at": joined if consent < 0.93 else None,
                "paused_at": joined + timedelta(days=10) if 0.85 <= consent < 0.90 else None,
                "left_at": joined + timedelta(days=20) if 0.90 <= consent < 0.93 else None,
                "guidelines_version": "2026-01",
                "guidelines_accepted_at": joined,
                "advocacy_level": rng.choice(("engagement", "engagement", "curation", "production")),
                "leaderboard_visible": True,
                "created_at": joined,
                "updated_at": joined,
            }
        )
    for number in range(1, CAMPAIGNS + 1):
        starts = _moment(rng, now, 365, 30)
        programme.campaigns.append(
            {
                "id": number,
                "name": f"Campaign {number}",
                "slug": f"campaign-{number}",
                "description": "",
                "goal_shares": 1000,
                "goal_clicks": None,
                "goal_reach": None,
                "starts_at": starts,
                "ends_at": starts + timedelta(days=rng.randint(7, 90)),
                "hashtags": ["#clarion"],
                "created_at": starts - timedelta(days=7),
                "updated_at": starts - timedelta(days=7),
            }
        )
    statuses = list(STATUS_WEIGHTS)
    status_weights = list(STATUS_WEIGHTS.values())
    dimension_values = {
        AudienceDimension.TEAM: [team for teams in teams_by_department.values() for team in teams],
        AudienceDimension.DEPARTMENT: list(DEPARTMENTS),
        AudienceDimension.LOCALE: list(LOCALES),
    }
    for number in range(1, sizes.content + 1):
        created = _moment(rng, now, 400, 0)
        window = rng.random()
        publish_at: datetime | None = None
        expires_at: datetime | None = None
        if window < 0.35:
            publish_at = created + timedelta(hours=rng.randint(0, 72))
        elif window < 0.38:
            publish_at = _moment(rng, now, 0, 14)  # scheduled, not yet shareable
        if rng.random() < 0.3:
            start = publish_at or created
            expires_at = start + timedelta(days=rng.randint(1, 120))
        origin = rng.choices((ContentOrigin.OFFICIAL, ContentOrigin.CURATED, ContentOrigin.PRODUCED), (85, 10, 5))[0]
        programme.content.append(
            {
                "id": number,
                "title": f"Story {number}",
                "url": f"https://news.example.com/story/{number}",
                "summary": "A short summary of the story, the way editors write them.",
                "body": "",
                "image_url": None,
                "language": rng.choices(LOCALES, LOCALE_WEIGHTS)[0],
                "campaign_id": rng.randint(1, CAMPAIGNS) if rng.random() < 0.3 else None,
                "origin": origin.value,
                "author_id": None if origin is ContentOrigin.OFFICIAL else rng.randint(1, sizes.ambassadors),
                "status": rng.choices(statuses, status_weights)[0].value,
                "status_note": None,
                "publish_at": publish_at,
                "expires_at": expires_at,
                # Editors feature a handful of items at a time, not a share of the catalogue.
                "featured": rng.random() < 0.0005,
                "created_at": created,
                "updated_at": created,
            }
        )
        if rng.random() < TARGETED_SHARE:
            how_many = rng.choices((1, 2, 3), (70, 25, 5))[0]
            for dimension in rng.sample(list(AudienceDimension), how_many):
                for value in rng.sample(dimension_values[dimension], rng.randint(1, 3)):
                    programme.audience.append({"content_id": number, "dimension": dimension.value, "value": value})
        for topic in rng.sample(TOPICS, rng.choices((0, 1, 2, 3), (15, 40, 30, 15))[0]):
            programme.topics.append({"content_id": number, "topic": topic})
    return programme


@dataclass
class LoadTimes:
    seconds_by_table: dict[str, float] = field(default_factory=dict)
    analyze_seconds: float = 0.0

    @property
    def total(self) -> float:
        return sum(self.seconds_by_table.values())


def load(database: Database, programme: Programme, *, analyze_after: bool) -> LoadTimes:
    """Bulk-insert the programme through the driver: ``executemany`` on SQLite, ``COPY`` on PostgreSQL.

    ANALYZE follows when ``analyze_after`` is true.
    """
    times = LoadTimes()
    for table, rows in programme.tables():
        started = time.perf_counter()
        if database.dialect == "postgresql":
            _copy(database, table, rows)
        else:
            _executemany(database, table, rows)
        times.seconds_by_table[table.name] = time.perf_counter() - started
    if analyze_after:
        started = time.perf_counter()
        analyze(database)
        times.analyze_seconds = time.perf_counter() - started
    return times


def analyze(database: Database) -> None:
    """Fresh planner statistics, as autovacuum gives PostgreSQL (Clarion never analyzes SQLite)."""
    with database.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def _sqlite_timestamp(value: datetime | None) -> str | None:
    # What SQLAlchemy binds on SQLite: naive UTC ISO text with microseconds, which sorts like time.
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_converter(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    if isinstance(column.type, sa.JSON):
        return json.dumps
    if isinstance(column.type, UTCDateTime):
        return _sqlite_timestamp
    return None


def _executemany(database: Database, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    names = [column.name for column in table.columns]
    converters = [(column.name, _sqlite_converter(column)) for column in table.columns]
    statement = f'INSERT INTO "{table.name}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})'
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.executemany(
            statement,
            ([row[name] if convert is None else convert(row[name]) for name, convert in converters] for row in rows),
        )
        raw.commit()
    finally:
        raw.close()


def _copy(database: Database, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    names = [column.name for column in table.columns]
    # COPY bypasses SQLAlchemy's type processing: JSON columns need their text form.
    json_columns = {column.name for column in table.columns if isinstance(column.type, sa.JSON)}
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        quoted = ", ".join(f'"{name}"' for name in names)
        with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_json_text(row[name]) if name in json_columns else row[name] for name in names])
        raw.commit()
    finally:
        raw.close()


def _json_text(value: Any) -> str:
    return json.dumps(value)
