"""Benchmark: top 25 plus "my rank" at 100,000 ambassadors, against a naive ranking over the ledger, as it grows.

The ledger (``points_entry``) is generated with bulk SQL (``INSERT … SELECT`` from a recursive
CTE), in steps; after each step ``daily_points`` and ``period_points`` are derived from it with
``INSERT … SELECT … GROUP BY`` — the same totals the ledger keeps incrementally in production.
Each step times, in the same run:

- Clarion's board (``clarion.services.leaderboards.leaderboard``) for the current month, all
  time and the rolling 30 days, for an ambassador in the middle of the board;
- the naive way: ``SUM`` over ``points_entry`` for the period grouped by ambassador, top 25 by
  ``ORDER BY … LIMIT``, and the ambassador's rank with ``RANK()`` over the same sums.

SQLite only: generating tens of millions of rows on PostgreSQL does not fit the time a run has.
The generated ledger has only the indexes a naive query would use (``(ambassador_id,
occurred_at)`` and ``(occurred_at)``): the unique key and the status index of the real table
are dropped before loading, to keep generation within minutes.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from clarion.config import load_settings
from clarion.engine import Engine
from clarion.models import Ambassador
from clarion.schema import upgrade
from clarion.services.leaderboards import leaderboard

from .bench_eligibility import scratch_database
from .report import milliseconds, ratio, table

TODAY = date(2026, 11, 21)
DAYS = 365


@dataclass(frozen=True)
class Settings:
    ambassadors: int = 100_000
    ledger_sizes: tuple[int, ...] = (1_000_000, 4_000_000, 16_000_000)
    repeats: int = 3


def _ambassadors(connection: Any, count: int) -> None:
    """``count`` ambassadors copied from one made by the ORM; every 20th hides from leaderboards."""
    with Session(connection) as session:
        session.add(Ambassador(external_id="template", name="Template", opted_in_at=None))
        session.flush()
        session.commit()
    columns = [column.name for column in Ambassador.__table__.columns if column.name != "id"]  # type: ignore[attr-defined]
    chosen = {
        "external_id": "'bench-' || n",
        "name": "'Bench ' || n",
        "team": "'team-' || (n % 500)",
        "department": "'dept-' || (n % 20)",
        "leaderboard_visible": "(n % 20 != 0)",
    }
    expressions = ", ".join(chosen.get(name, f"template.{name}") for name in columns)
    connection.exec_driver_sql(
        f"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {count - 1}) "
        f"INSERT INTO ambassador ({', '.join(columns)}) SELECT {expressions} FROM seq, "
        "(SELECT * FROM ambassador WHERE external_id = 'template') AS template"
    )


def _grow_ledger(connection: Any, first: int, last: int, ambassadors: int) -> None:
    """Ledger rows ``first``..``last``: points 1-20, skewed towards some ambassadors, over a year of days."""
    connection.exec_driver_sql(
        f"WITH RECURSIVE seq(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM seq WHERE n < {last}) "
        "INSERT INTO points_entry (rule, event_id, ambassador_id, points, reason, status, reversed_event_id, "
        "occurred_at, created_at) SELECT 'share', 1, "
        # Squaring a uniform fraction gives a long tail: a few ambassadors earn most points.
        f"1 + CAST(((n * 2654435761) % 1000003) * ((n * 40503) % 1000003) / 1000003.0 / 1000003.0 * {ambassadors} "
        f"AS INTEGER) % {ambassadors}, "
        "1 + n % 20, '', 'awarded', n, "
        f"datetime('{TODAY.isoformat()}', '-' || ((n * 48271) % {DAYS}) || ' days', '+' || (n % 86400) || ' seconds'), "
        f"'{TODAY.isoformat()}' FROM seq"
    )


def _derive_totals(connection: Any) -> None:
    """``daily_points`` and ``period_points`` from the ledger, as the ledger keeps them incrementally."""
    connection.exec_driver_sql("DELETE FROM daily_points")
    connection.exec_driver_sql("DELETE FROM period_points")
    connection.exec_driver_sql(
        "INSERT INTO daily_points (ambassador_id, day, rule, points, held) "
        "SELECT ambassador_id, date(occurred_at), rule, SUM(points), 0 FROM points_entry "
        "WHERE status = 'awarded' GROUP BY 1, 2, 3"
    )
    starts = {
        "week": "date(day, 'weekday 0', '-6 days')",
        "month": "date(day, 'start of month')",
        "quarter": "printf('%04d-%02d-01', strftime('%Y', day), (CAST(strftime('%m', day) AS INTEGER) - 1) / 3 * 3 + 1)",
        "year": "date(day, 'start of year')",
        "all": "'1970-01-01'",
    }
    for period, start in starts.items():
        connection.exec_driver_sql(
            "INSERT INTO period_points (period, starts_on, ambassador_id, points, last_day) "
            f"SELECT '{period}', {start}, ambassador_id, SUM(points), MAX(day) FROM daily_points "
            "GROUP BY 2, 3 HAVING SUM(points) != 0"
        )


def naive(connection: Any, start: date | None, end: date | None, me: int) -> tuple[list[Any], int | None]:
    """Top 25 and my rank straight from the ledger."""
    where = "status = 'awarded'"
    if start is not None:
        where += f" AND occurred_at >= '{start.isoformat()}'"
    if end is not None:
        where += f" AND occurred_at < '{end.isoformat()}'"
    sums = (
        f"SELECT ambassador_id, SUM(points) AS points, MAX(date(occurred_at)) AS last_day FROM points_entry WHERE {where} "
        "GROUP BY ambassador_id HAVING SUM(points) > 0"
    )
    visible = f"JOIN ambassador ON ambassador.id = sums.ambassador_id WHERE ambassador.leaderboard_visible OR ambassador.id = {me}"
    top = connection.exec_driver_sql(
        f"SELECT sums.ambassador_id, sums.points FROM ({sums}) AS sums {visible} "
        "ORDER BY sums.points DESC, sums.last_day, sums.ambassador_id LIMIT 25"
    ).all()
    rank = connection.exec_driver_sql(
        f"SELECT position FROM (SELECT sums.ambassador_id, RANK() OVER (ORDER BY sums.points DESC, sums.last_day, "
        f"sums.ambassador_id) AS position FROM ({sums}) AS sums {visible}) WHERE ambassador_id = {me}"
    ).scalar_one_or_none()
    return top, rank


def _timed(run: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


WINDOWS = {
    "month": (TODAY.replace(day=1), (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)),
    "all": (None, None),
    "rolling30": (TODAY - timedelta(days=29), TODAY + timedelta(days=1)),
}


def run(settings: Settings, *, log: Callable[[str], None]) -> dict[str, Any]:
    steps = []
    with scratch_database("sqlite", None) as url:
        folder = Path(url.removeprefix("sqlite:///")).parent
        engine = Engine(
            load_settings({}, cwd=folder, database_url=url, secret_key="bench-secret-key", plugin_autoload=False)
        )
        try:
            upgrade(engine.db)
            with engine.db.engine.begin() as connection:
                connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
                for index in sa.inspect(connection).get_indexes("points_entry"):
                    if index["name"] and "ambassador_id_occurred_at" not in index["name"]:
                        connection.exec_driver_sql(f"DROP INDEX {index['name']}")
                log(f"leaderboard: {settings.ambassadors:,} ambassadors")
                _ambassadors(connection, settings.ambassadors)
            loaded = 0
            for size in settings.ledger_sizes:
                began = time.perf_counter()
                with engine.db.engine.begin() as connection:
                    connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
                    _grow_ledger(connection, loaded + 1, size, settings.ambassadors)
                generated = time.perf_counter() - began
                loaded = size
                began = time.perf_counter()
                with engine.db.engine.begin() as connection:
                    _derive_totals(connection)
                    connection.exec_driver_sql("ANALYZE")
                    daily_rows = connection.exec_driver_sql("SELECT count(*) FROM daily_points").scalar_one()
                derived = time.perf_counter() - began
                log(f"leaderboard: {size:,} ledger rows (generated in {generated:.0f}s, totals in {derived:.0f}s)")
                step: dict[str, Any] = {
                    "ledger": size,
                    "daily_points": daily_rows,
                    "generate_seconds": generated,
                    "derive_seconds": derived,
                }
                with Session(engine.db.engine) as session:
                    board = leaderboard(session, period="month", viewer_id=None, today=TODAY, limit=100)
                    ranked = board.ranked
                    middle = leaderboard(session, period="all", viewer_id=None, today=TODAY, limit=100).top[-1]
                    me = int(middle.ambassador_id or 1) + 1  # likely outside the top 25
                for period, (start, end) in WINDOWS.items():
                    with Session(engine.db.engine) as session:
                        clarion_board = leaderboard(session, period=period, viewer_id=me, today=TODAY)
                        fast = _timed(
                            lambda session=session, period=period, me=me: leaderboard(
                                session, period=period, viewer_id=me, today=TODAY
                            ),
                            settings.repeats,
                        )
                    with engine.db.engine.connect() as connection:
                        top, rank = naive(connection, start, end, me)
                        slow = _timed(
                            lambda connection=connection, start=start, end=end, me=me: naive(
                                connection, start, end, me
                            ),
                            1 if size >= 1_000_000 else settings.repeats,
                        )
                    same = [line.ambassador_id for line in clarion_board.top] == [row[0] for row in top] and (
                        (clarion_board.me.rank if clarion_board.me else None) == rank
                    )
                    step[period] = {"clarion": fast, "naive": slow, "same_answer": same, "ranked": clarion_board.ranked}
                    log(
                        f"leaderboard: {size:,} {period}: clarion {fast * 1000:.1f} ms, naive {slow * 1000:.0f} ms, same={same}"
                    )
                step["month_ranked"] = ranked
                steps.append(step)
        finally:
            engine.close()
    return {"ambassadors": settings.ambassadors, "steps": steps}


def render(result: dict[str, Any]) -> str:
    rows = []
    first = result["steps"][0] if result["steps"] else None
    for step in result["steps"]:
        for period in WINDOWS:
            figures = step[period]
            growth = ratio(figures["clarion"], first[period]["clarion"]) if first else 1.0
            rows.append(
                (
                    f"{step['ledger']:,}",
                    f"{step['daily_points']:,}",
                    period,
                    f"{figures['ranked']:,}",
                    milliseconds(figures["clarion"]),
                    milliseconds(figures["naive"]),
                    f"{ratio(figures['naive'], figures['clarion']):.0f}x",
                    f"{growth:.1f}x",
                    "yes" if figures["same_answer"] else "NO",
                )
            )
    headers = (
        "ledger rows",
        "daily rows",
        "period",
        "ranked",
        "clarion",
        "naive",
        "naive / clarion",
        "clarion growth",
        "same",
    )
    return f"Leaderboard: top 25 + my rank, {result['ambassadors']:,} ambassadors (SQLite, median)\n" + table(
        headers, rows
    )
