"""Benchmark: top 25 plus "my rank" at 100,000 ambassadors, against a naive ranking over the ledger, as it grows.

The ledger (``points_entry``) is generated server-side in steps (PostgreSQL: ``INSERT … SELECT``
from ``generate_series``; SQLite: from a recursive CTE), so 1, 10 and 50 million rows take
minutes. After each step ``daily_points`` and ``period_points`` are derived from it with
set-based SQL; on the first step the derivation is checked against what the engine's own
incremental path (``clarion.points.points._add_to_daily``, then the gamification plugin's
``clarion_points_on_change``) writes for a sample of ambassadors.
Kept window totals (rolling 30 days, campaign windows) are dropped after each step, so the
first board of a window builds them: that build is timed on its own ("build").

Each step times, in the same run, for every kind of board (week, month, quarter, year, all time,
rolling 30 days, a campaign window), for an ambassador in the middle of the board:

- Clarion's board (``clarion_plugins.gamification.services.leaderboards.leaderboard``): the top 25 and "my rank";
- the naive way: ``SUM`` over ``points_entry`` for the window grouped by ambassador, top 25 by
  ``ORDER BY … LIMIT``, and the ambassador's rank with ``RANK()`` over the same sums.

Both must give the same top 25 and the same rank. The generated ledger keeps only the indexes a
naive query would use (``(ambassador_id, occurred_at)`` and ``(occurred_at)``), rebuilt after
each step; the unique key, the status index and the foreign keys are left out to keep generation
within minutes.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.events import EventKind
from clarion.models import Ambassador, Campaign, DailyPoints, Event, PointsEntry
from clarion.points.points import _add_to_daily
from clarion.schema import upgrade
from clarion_plugins.gamification.models import PeriodPoints, WindowTotals
from clarion_plugins.gamification.services.leaderboards import leaderboard

from .bench_eligibility import scratch_database
from .report import milliseconds, ratio, table

TODAY = date(2026, 11, 21)
DAYS = 365
CAMPAIGN = (TODAY - timedelta(days=75), TODAY - timedelta(days=31))  # first and last day
SAMPLE = 40  # ambassadors whose derived totals are checked against the engine's incremental path


@dataclass(frozen=True)
class Settings:
    ambassadors: int = 100_000
    ledger_sizes: tuple[int, ...] = (1_000_000, 10_000_000)
    repeats: int = 5
    backend: str = "postgresql"


def _sql(connection: Any, statement: str) -> Any:
    """Run SQL text as is (psycopg reads ``%`` as a placeholder, so it is doubled there)."""
    if connection.dialect.name == "postgresql":
        statement = statement.replace("%", "%%")
    return connection.exec_driver_sql(statement)


def windows(campaign_id: int) -> dict[str, tuple[str, date | None, date | None]]:
    """Board name → (the ``period`` Clarion is asked for, first day, day after the last) for the naive query."""
    month = TODAY.replace(day=1)
    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
    return {
        "week": ("week", TODAY - timedelta(days=TODAY.weekday()), TODAY - timedelta(days=TODAY.weekday() - 7)),
        "month": ("month", month, (month + timedelta(days=32)).replace(day=1)),
        "quarter": ("quarter", quarter, date(quarter.year + (quarter.month + 3 > 12), (quarter.month + 2) % 12 + 1, 1)),
        "year": ("year", TODAY.replace(month=1, day=1), date(TODAY.year + 1, 1, 1)),
        "all": ("all", None, None),
        "rolling30": ("rolling30", TODAY - timedelta(days=29), TODAY + timedelta(days=1)),
        "campaign": (f"campaign:{campaign_id}", CAMPAIGN[0], CAMPAIGN[1] + timedelta(days=1)),
    }


def _ambassadors(connection: Any, count: int, dialect: str) -> None:
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
    numbers = _numbers(dialect, 1, count - 1)
    _sql(
        connection,
        f"{numbers[0]} INSERT INTO ambassador ({', '.join(columns)}) SELECT {expressions} FROM {numbers[1]}, "
        "(SELECT * FROM ambassador WHERE external_id = 'template') AS template",
    )


def _numbers(dialect: str, first: int, last: int) -> tuple[str, str]:
    """A ``WITH`` prefix (or nothing) and a FROM item giving the integers ``n`` from ``first`` to ``last``."""
    if dialect == "postgresql":
        return "", f"generate_series({first}::bigint, {last}::bigint) AS seq(n)"
    return f"WITH RECURSIVE seq(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM seq WHERE n < {last})", "seq"


def _grow_ledger(connection: Any, first: int, last: int, ambassadors: int, event_id: int, dialect: str) -> None:
    """Ledger rows ``first``..``last``: points 1-20, skewed towards some ambassadors, over a year of days."""
    # Squaring a uniform fraction gives a long tail: a few ambassadors earn most points.
    fraction = "((n * 2654435761) % 1000003) * ((n * 40503) % 1000003) / 1000003.0 / 1000003.0"
    if dialect == "postgresql":
        who = f"1 + CAST(floor({fraction} * {ambassadors}) AS INTEGER) % {ambassadors}"
        moment = (
            f"TIMESTAMPTZ '{TODAY.isoformat()} 00:00:00+00' - ((n * 48271) % {DAYS}) * INTERVAL '1 day' "
            "+ (n % 86400) * INTERVAL '1 second'"
        )
        created = f"TIMESTAMPTZ '{TODAY.isoformat()} 00:00:00+00'"
    else:
        who = f"1 + CAST({fraction} * {ambassadors} AS INTEGER) % {ambassadors}"
        moment = f"datetime('{TODAY.isoformat()}', '-' || ((n * 48271) % {DAYS}) || ' days', '+' || (n % 86400) || ' seconds')"
        created = f"'{TODAY.isoformat()}'"
    prefix, numbers = _numbers(dialect, first, last)
    _sql(
        connection,
        f"{prefix} INSERT INTO points_entry (rule, event_id, ambassador_id, points, reason, status, reversed_event_id, "
        f"occurred_at, created_at) SELECT 'share', {event_id}, {who}, 1 + n % 20, '', 'awarded', n, {moment}, {created} "
        f"FROM {numbers}",
    )


def _day(dialect: str, column: str) -> str:
    return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)" if dialect == "postgresql" else f"date({column})"


PERIOD_STARTS = {
    "postgresql": {
        "week": "CAST(date_trunc('week', day) AS DATE)",
        "month": "CAST(date_trunc('month', day) AS DATE)",
        "quarter": "CAST(date_trunc('quarter', day) AS DATE)",
        "year": "CAST(date_trunc('year', day) AS DATE)",
        "all": "DATE '1970-01-01'",
    },
    "sqlite": {
        "week": "date(day, 'weekday 0', '-6 days')",
        "month": "date(day, 'start of month')",
        "quarter": "printf('%04d-%02d-01', strftime('%Y', day), (CAST(strftime('%m', day) AS INTEGER) - 1) / 3 * 3 + 1)",
        "year": "date(day, 'start of year')",
        "all": "'1970-01-01'",
    },
}


def _derive_totals(connection: Any, dialect: str) -> None:
    """``daily_points`` and ``period_points`` from the ledger, as the ledger keeps them incrementally.

    Kept windows are dropped: their totals were summed before this step's rows existed.
    """
    for name in ("window_totals", "daily_points", "period_points"):
        _sql(connection, f"DELETE FROM {name}")
    if dialect == "postgresql":
        # A bulk load: no foreign-key triggers, indexes built once the rows are in.
        _sql(connection, "SET LOCAL session_replication_role = replica")
        _sql(connection, "SET LOCAL work_mem = '1GB'")
        _sql(connection, "SET LOCAL maintenance_work_mem = '1GB'")
        rebuild = _drop_indexes(connection, ("daily_points", "period_points"))
    _sql(
        connection,
        "INSERT INTO daily_points (ambassador_id, day, rule, points, held, awarded_changed) "
        f"SELECT ambassador_id, {_day(dialect, 'occurred_at')}, rule, SUM(points), 0, "
        "MAX(CASE WHEN points != 0 THEN 1 ELSE 0 END) = 1 FROM points_entry "
        "WHERE status = 'awarded' GROUP BY 1, 2, 3",
    )
    for period, start in PERIOD_STARTS[dialect].items():
        _sql(
            connection,
            "INSERT INTO period_points (period, starts_on, ambassador_id, points, last_day) "
            f"SELECT '{period}', {start}, ambassador_id, SUM(points), MAX(day) FROM daily_points "
            "WHERE awarded_changed GROUP BY 2, 3",
        )
    if dialect == "postgresql":
        for statement in rebuild:
            _sql(connection, statement)


def _drop_indexes(connection: Any, tables: tuple[str, ...]) -> list[str]:
    """Drop the tables' indexes (primary keys included); return the statements that make them again."""
    rows = _sql(
        connection,
        "SELECT con.conname, idx.indexrelid::regclass::text, pg_get_indexdef(idx.indexrelid), "
        "pg_get_constraintdef(con.oid), idx.indrelid::regclass::text FROM pg_index AS idx "
        "LEFT JOIN pg_constraint AS con ON con.conindid = idx.indexrelid AND con.contype = 'p' "
        f"WHERE idx.indrelid::regclass::text IN ({', '.join(repr(name) for name in tables)})",
    ).all()
    rebuild = []
    for constraint, index, index_sql, constraint_sql, table_name in rows:
        if constraint:
            _sql(connection, f'ALTER TABLE {table_name} DROP CONSTRAINT "{constraint}"')
            rebuild.append(f'ALTER TABLE {table_name} ADD CONSTRAINT "{constraint}" {constraint_sql}')
        else:
            _sql(connection, f"DROP INDEX {index}")
            rebuild.append(index_sql)
    return rebuild


def check_totals(engine: Engine, ambassadors: int) -> int:
    """Replay a sample's ledger through the engine's incremental path; its totals must equal the derived ones.

    Runs in a transaction that is rolled back. Returns how many entries were replayed.
    """
    sample = [1 + (number * 7919) % ambassadors for number in range(SAMPLE)]
    with Session(engine.db.engine) as session:

        def totals() -> tuple[set[Any], set[Any]]:
            daily = session.execute(
                sa.select(
                    col(DailyPoints.ambassador_id),
                    col(DailyPoints.day),
                    col(DailyPoints.rule),
                    col(DailyPoints.points),
                    col(DailyPoints.held),
                    col(DailyPoints.awarded_changed),
                ).where(col(DailyPoints.ambassador_id).in_(sample))
            ).all()
            periods = session.execute(
                sa.select(
                    col(PeriodPoints.period),
                    col(PeriodPoints.starts_on),
                    col(PeriodPoints.ambassador_id),
                    col(PeriodPoints.points),
                    col(PeriodPoints.last_day),
                ).where(col(PeriodPoints.ambassador_id).in_(sample))
            ).all()
            return {tuple(row) for row in daily}, {tuple(row) for row in periods}

        derived = totals()
        session.execute(sa.delete(DailyPoints).where(col(DailyPoints.ambassador_id).in_(sample)))
        session.execute(sa.delete(PeriodPoints).where(col(PeriodPoints.ambassador_id).in_(sample)))
        entries = session.exec(
            select(PointsEntry).where(col(PointsEntry.ambassador_id).in_(sample)).order_by(col(PointsEntry.id))
        ).all()
        moved: list = []
        for entry in entries:
            _add_to_daily(session, entry, moved=moved)
        engine.points_changed(session, moved)  # the gamification plugin keeps the period totals
        replayed = totals()
        session.rollback()
    if derived != replayed:
        raise AssertionError(
            "the derived daily_points/period_points differ from what the engine writes: "
            f"{len(derived[0] ^ replayed[0])} daily and {len(derived[1] ^ replayed[1])} period rows differ"
        )
    return len(entries)


def naive(connection: Any, dialect: str, start: date | None, end: date | None, me: int) -> tuple[list[Any], int | None]:
    """Top 25 and my rank straight from the ledger."""
    where = "status = 'awarded'"
    if start is not None:
        where += f" AND occurred_at >= '{start.isoformat()}'"
    if end is not None:
        where += f" AND occurred_at < '{end.isoformat()}'"
    day = _day(dialect, "occurred_at")
    sums = (
        f"SELECT ambassador_id, SUM(points) AS points, MAX(CASE WHEN points != 0 THEN {day} END) AS last_day "
        f"FROM points_entry WHERE {where} GROUP BY ambassador_id HAVING SUM(points) > 0"
    )
    visible = (
        "JOIN ambassador ON ambassador.id = sums.ambassador_id WHERE ambassador.left_at IS NULL AND "
        f"(ambassador.leaderboard_visible OR ambassador.id = {me})"
    )
    top = _sql(
        connection,
        f"SELECT sums.ambassador_id, sums.points FROM ({sums}) AS sums {visible} "
        "ORDER BY sums.points DESC, sums.last_day, sums.ambassador_id LIMIT 25",
    ).all()
    rank = _sql(
        connection,
        f"SELECT position FROM (SELECT sums.ambassador_id, RANK() OVER (ORDER BY sums.points DESC, sums.last_day, "
        f"sums.ambassador_id) AS position FROM ({sums}) AS sums {visible}) AS ranked WHERE ambassador_id = {me}",
    ).scalar_one_or_none()
    return top, rank


def _timed(run: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def _prepare(engine: Engine, settings: Settings, dialect: str, log: Callable[[str], None]) -> tuple[int, int]:
    """Ambassadors, one event every generated entry points to, one campaign; the ledger's indexes dropped."""
    with engine.db.engine.begin() as connection:
        if dialect == "sqlite":
            _sql(connection, "PRAGMA foreign_keys = OFF")
        log(f"leaderboard: {settings.ambassadors:,} ambassadors")
        _ambassadors(connection, settings.ambassadors, dialect)
        with Session(connection) as session:
            at = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
            event = Event(kind=EventKind.SHARE_PUBLISHED, occurred_at=at, recorded_at=at, idempotency_key="bench")
            campaign = Campaign(
                name="Bench campaign",
                slug="bench-campaign",
                starts_at=datetime.combine(CAMPAIGN[0], datetime.min.time(), tzinfo=UTC),
                ends_at=datetime.combine(CAMPAIGN[1], datetime.min.time(), tzinfo=UTC) + timedelta(hours=12),
            )
            session.add_all([event, campaign])
            session.flush()
            ids = (int(event.id or 0), int(campaign.id or 0))
            session.commit()
        inspector = sa.inspect(connection)
        if dialect == "postgresql":
            for constraint in [
                *inspector.get_foreign_keys("points_entry"),
                *inspector.get_unique_constraints("points_entry"),
            ]:
                _sql(connection, f'ALTER TABLE points_entry DROP CONSTRAINT "{constraint["name"]}"')
        for index in sa.inspect(connection).get_indexes("points_entry"):
            if index["name"]:
                _sql(connection, f'DROP INDEX "{index["name"]}"')
    return ids


NAIVE_INDEXES = (
    "CREATE INDEX bench_entry_ambassador_time ON points_entry (ambassador_id, occurred_at)",
    "CREATE INDEX bench_entry_time ON points_entry (occurred_at)",
)


def run(settings: Settings, *, postgres_server: str | None, log: Callable[[str], None]) -> dict[str, Any]:
    steps = []
    dialect = settings.backend
    with scratch_database(dialect, postgres_server) as url:
        folder = Path(url.removeprefix("sqlite:///")).parent if dialect == "sqlite" else Path.cwd()
        engine = build_engine(
            load_settings({}, cwd=folder, database_url=url, secret_key="bench-secret-key", plugin_autoload=False)
        )
        try:
            upgrade(engine.db, "head", engine.schemas().values())
            event_id, campaign_id = _prepare(engine, settings, dialect, log)
            boards = windows(campaign_id)
            loaded = 0
            for size in settings.ledger_sizes:
                began = time.perf_counter()
                with engine.db.engine.begin() as connection:
                    if dialect == "postgresql":
                        _sql(connection, "SET LOCAL maintenance_work_mem = '1GB'")
                        _sql(connection, "SET LOCAL synchronous_commit = off")
                    for name in ("bench_entry_ambassador_time", "bench_entry_time"):
                        _sql(connection, f"DROP INDEX IF EXISTS {name}")
                    _grow_ledger(connection, loaded + 1, size, settings.ambassadors, event_id, dialect)
                    for statement in NAIVE_INDEXES:
                        _sql(connection, statement)
                generated = time.perf_counter() - began
                began = time.perf_counter()
                with engine.db.engine.begin() as connection:
                    if dialect == "postgresql":
                        _sql(connection, "SET LOCAL work_mem = '512MB'")
                    _derive_totals(connection, dialect)
                    _sql(connection, "ANALYZE")
                    daily_rows = _sql(connection, "SELECT count(*) FROM daily_points").scalar_one()
                derived = time.perf_counter() - began
                if dialect == "postgresql":
                    with engine.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                        _sql(connection, "VACUUM ANALYZE period_points")
                        _sql(connection, "VACUUM ANALYZE daily_points")
                checked = check_totals(engine, settings.ambassadors) if loaded == 0 else None
                loaded = size
                log(
                    f"leaderboard: {size:,} ledger rows (generated in {generated:.0f}s, totals in {derived:.0f}s"
                    + (f", {checked:,} entries replayed through the engine: same totals" if checked else "")
                    + ")"
                )
                step: dict[str, Any] = {
                    "ledger": size,
                    "daily_points": daily_rows,
                    "generate_seconds": generated,
                    "derive_seconds": derived,
                    "checked_entries": checked,
                }
                with Session(engine.db.engine) as session:
                    middle = leaderboard(session, period="all", viewer_id=None, today=TODAY, limit=100).top[-1]
                    me = int(middle.ambassador_id or 1) + 1  # likely outside the top 25
                for name, (period, start, end) in boards.items():
                    with Session(engine.db.engine) as session:
                        began = time.perf_counter()
                        clarion_board = leaderboard(session, period=period, viewer_id=me, today=TODAY)
                        first = time.perf_counter() - began
                        fast = _timed(
                            lambda session=session, period=period, me=me: leaderboard(
                                session, period=period, viewer_id=me, today=TODAY
                            ),
                            settings.repeats,
                        )
                    with engine.db.engine.connect() as connection:
                        if dialect == "postgresql":
                            _sql(connection, "SET work_mem = '64MB'")
                        began = time.perf_counter()
                        top, rank = naive(connection, dialect, start, end, me)
                        slow = time.perf_counter() - began
                    same = [line.ambassador_id for line in clarion_board.top] == [row[0] for row in top] and (
                        (clarion_board.me.rank if clarion_board.me else None) == rank
                    )
                    step[name] = {
                        "clarion": fast,
                        "first": first,
                        "naive": slow,
                        "same_answer": same,
                        "ranked": clarion_board.ranked,
                    }
                    log(
                        f"leaderboard: {size:,} {name}: clarion {fast * 1000:.1f} ms (first {first * 1000:.0f} ms), "
                        f"naive {slow * 1000:.0f} ms, same={same}"
                    )
                with Session(engine.db.engine) as session:
                    step["kept_windows"] = len(session.exec(select(WindowTotals)).all())
                steps.append(step)
        finally:
            engine.close()
    return {"ambassadors": settings.ambassadors, "backend": dialect, "boards": list(windows(0)), "steps": steps}


def render(result: dict[str, Any]) -> str:
    rows = []
    first = result["steps"][0] if result["steps"] else None
    for step in result["steps"]:
        for period in result["boards"]:
            figures = step[period]
            growth = ratio(figures["clarion"], first[period]["clarion"]) if first else 1.0
            rows.append(
                (
                    f"{step['ledger']:,}",
                    f"{step['daily_points']:,}",
                    period,
                    f"{figures['ranked']:,}",
                    milliseconds(figures["clarion"]),
                    milliseconds(figures["first"]),
                    milliseconds(figures["naive"]),
                    f"{ratio(figures['naive'], figures['clarion']):.0f}x",
                    f"{growth:.2f}x",
                    "yes" if figures["same_answer"] else "NO",
                )
            )
    headers = (
        "ledger rows",
        "daily rows",
        "board",
        "ranked",
        "clarion ms",
        "first ms",
        "naive ms",
        "naive / clarion",
        "clarion growth",
        "same",
    )
    return (
        f"Leaderboard: top 25 + my rank, {result['ambassadors']:,} ambassadors ({result['backend']}; clarion: median, "
        "first: the first board, which builds a window's kept totals; naive: one run)\n" + table(headers, rows)
    )
