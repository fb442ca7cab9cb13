"""The programme dashboard at 100 thousand, 1 million and 10 million clicks: rollups against a raw GROUP BY.

One SQLite database grows through the sizes (clicks are bulk-inserted with the driver's
``executemany``, fast enough for 10 million). At each size the rollups are rebuilt from the raw
tables, then two queries are timed, in the same run, on the same data:

* **rollups**: the whole dashboard Clarion serves (``services.figures.report`` for the
  programme over a year, weekly series, every figure, EMV by every model), reading only the
  daily rollups;
* **raw**: a GROUP BY over the click table joined to shares for the same year and buckets, the
  click figures alone (less than the dashboard shows, so the comparison flatters it).

Then the same year is asked over HTTP (Litestar's test client, in process) twice: the analytics
API's programme report as JSON, and the admin's ``/admin/analytics`` page — the same report plus
per-bucket participation and EMV, four breakdowns, each campaign's goals and the charts — so
the page's cost is read as a ratio to the API call in the same run.

What matters is how each grows with the click count: the rollups are bounded by
days x (ambassador, content, network) combinations, not by history.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient

from clarion import schema
from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.metrics import figures, rollups
from clarion.models import Role
from clarion.testing import make_person
from clarion.web.app import create_app

from .report import milliseconds, ratio, summarize, table

FULL_SIZES = (100_000, 1_000_000, 10_000_000)
QUICK_SIZES = (10_000, 100_000, 1_000_000)
AMBASSADORS = 500
TEAMS = 20
CONTENT = 400
CAMPAIGNS = 25
SHARES = 2_000
NETWORKS = ("linkedin", "x", "facebook", "xing")
END = datetime(2026, 11, 22, tzinfo=UTC)
YEAR = 365
CLICK_WINDOW_DAYS = 21  # clicks arrive within three weeks of the share
INSERT_CHUNK = 200_000


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...] = FULL_SIZES
    repeats: int = 5
    budget_seconds: float = 20.0


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _seed_programme(path: Path, rng: random.Random) -> list[tuple[int, datetime]]:
    """Ambassadors, campaigns, content, published shares and their events; returns (share id, published at)."""
    now = _stamp(END)
    shares: list[tuple[int, datetime]] = []
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.executemany(
                "INSERT INTO ambassador (id, external_id, name, team, locale, time_zone, role, opted_in_at,"
                " advocacy_level, leaderboard_visible, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'en', 'UTC', 'ambassador', ?, 'engagement', 1, ?, ?)",
                [
                    (i, f"a{i}", f"Ambassador {i}", f"team-{i % TEAMS}", now, now, now)
                    for i in range(1, AMBASSADORS + 1)
                ],
            )
            connection.executemany(
                "INSERT INTO campaign (id, name, slug, description, hashtags, created_at, updated_at)"
                " VALUES (?, ?, ?, '', '[]', ?, ?)",
                [(i, f"Campaign {i}", f"campaign-{i}", now, now) for i in range(1, CAMPAIGNS + 1)],
            )
            connection.executemany(
                "INSERT INTO content (id, title, url, summary, body, language, campaign_id, origin, status, featured,"
                " edit_policy, created_at, updated_at)"
                " VALUES (?, ?, ?, '', '', 'en', ?, 'official', 'approved', 0, 'free', ?, ?)",
                [
                    (i, f"Content {i}", f"https://example.com/{i}", (i % CAMPAIGNS) + 1, now, now)
                    for i in range(1, CONTENT + 1)
                ],
            )
            share_rows, event_rows = [], []
            for share_id in range(1, SHARES + 1):
                published = END - timedelta(days=rng.uniform(CLICK_WINDOW_DAYS, YEAR))
                network = rng.choice(NETWORKS)
                reach, source = (rng.randint(50, 5000), "reported") if rng.random() < 0.6 else (200, "estimated")
                share_rows.append(
                    (
                        share_id,
                        rng.randint(1, CONTENT),
                        rng.randint(1, AMBASSADORS),
                        network,
                        _stamp(published),
                        f"code{share_id}",
                        reach,
                        source,
                        now,
                        now,
                    )
                )
                event_rows.append(("share.published", share_id, _stamp(published), f"share.published:{share_id}", now))
                shares.append((share_id, published))
            connection.executemany(
                "INSERT INTO share (id, content_id, ambassador_id, network, text, method, status, published_at,"
                " link_code, attempts, potential_reach, potential_reach_source, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, 'Look', 'intent', 'published', ?, ?, 0, ?, ?, ?, ?)",
                share_rows,
            )
            connection.executemany(
                "INSERT INTO event (kind, share_id, occurred_at, idempotency_key, payload, recorded_at)"
                " VALUES (?, ?, ?, ?, '{}', ?)",
                event_rows,
            )
    finally:
        connection.close()
    return shares


def _clicks(
    rng: random.Random, shares: list[tuple[int, datetime]], first: int, number: int
) -> Iterator[tuple[Any, ...]]:
    for index in range(first, first + number):
        share_id, published = shares[rng.randrange(len(shares))]
        moment = _stamp(published + timedelta(seconds=rng.randrange(CLICK_WINDOW_DAYS * 86_400)))
        roll = rng.random()
        bot = "user agent: LinkedInBot" if roll < 0.3 else None
        internal = 0.3 <= roll < 0.35
        duplicate = 0.35 <= roll < 0.45
        yield (f"k{index:012x}", share_id, moment, moment, bot, int(internal), 0, int(duplicate), 0, int(roll >= 0.45))


CLICK_INDEXES = {
    "ix_click_occurred_at": "click (occurred_at)",
    "ix_click_share_id_occurred_at": "click (share_id, occurred_at)",
}


def _add_clicks(path: Path, rng: random.Random, shares: list[tuple[int, datetime]], first: int, number: int) -> None:
    """Bulk load: the secondary indexes are dropped and rebuilt once (capture ids ascend, so the unique one appends)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        for name in CLICK_INDEXES:
            connection.execute(f"DROP INDEX IF EXISTS {name}")
        done = 0
        while done < number:
            chunk = min(INSERT_CHUNK, number - done)
            with connection:
                connection.executemany(
                    "INSERT INTO click (capture_id, share_id, occurred_at, recorded_at, bot_reason, is_internal,"
                    " is_self, is_duplicate, via_qr, counted) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    _clicks(rng, shares, first + done, chunk),
                )
            done += chunk
        for name, columns in CLICK_INDEXES.items():
            connection.execute(f"CREATE INDEX {name} ON {columns}")
        connection.commit()
    finally:
        connection.close()


def _raw_dashboard(engine: Engine, period: figures.Period) -> list[Any]:
    """The click figures per week straight from the click table (what a dashboard without rollups runs)."""
    start = datetime.combine(period.start, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    query = sa.text(
        "SELECT strftime('%Y-%W', click.occurred_at) AS week, share.network, count(*),"
        " sum(click.counted), sum(click.bot_reason IS NOT NULL), sum(click.is_internal)"
        " FROM click JOIN share ON share.id = click.share_id"
        " WHERE click.occurred_at >= :start AND click.occurred_at < :end"
        " GROUP BY week, share.network"
    )
    with engine.db.engine.connect() as connection:
        return list(connection.execute(query, {"start": _stamp(start), "end": _stamp(end)}).all())


def _time(function: Callable[[], Any], repeats: int, budget_seconds: float) -> tuple[list[float], Any]:
    """Up to ``repeats`` runs, fewer once ``budget_seconds`` are spent (a raw scan of 10 million rows is slow)."""
    timings: list[float] = []
    result = None
    while len(timings) < repeats and (not timings or sum(timings) < budget_seconds):
        began = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - began)
    return timings, result


def run(settings: Settings, *, log: Callable[[str], None]) -> dict[str, Any]:
    rng = random.Random(20261122)
    results: dict[str, Any] = {"sizes": []}
    with TemporaryDirectory(prefix="clarion-bench-dashboard-") as folder:
        path = Path(folder) / "dashboard.db"
        clarion_settings = load_settings(
            {}, cwd=Path(folder), database_url=f"sqlite:///{path}", secret_key="bench", plugin_autoload=False
        )
        engine = build_engine(clarion_settings)
        try:
            schema.upgrade(engine.db, "head", engine.schemas().values())
            shares = _seed_programme(path, rng)
            editor = make_person(engine, "bench-editor", Role.EDITOR, team="team-0")
            client = TestClient(create_app(engine=engine))
            client.__enter__()
            period = figures.Period(END.date() - timedelta(days=YEAR - 1), END.date())
            inserted = 0
            for size in settings.sizes:
                log(f"dashboard: inserting clicks up to {size:,}")
                began = time.perf_counter()
                _add_clicks(path, rng, shares, inserted, size - inserted)
                inserted = size
                insert_seconds = time.perf_counter() - began
                log(f"dashboard: rebuilding rollups at {size:,} clicks")
                began = time.perf_counter()
                rollups.rebuild(engine)
                rebuild_seconds = time.perf_counter() - began
                with engine.db.engine.connect() as connection:
                    rollup_rows = connection.execute(sa.text("SELECT count(*) FROM analytics_daily")).scalar_one()

                def dashboard() -> Any:
                    with engine.transaction() as session:
                        return figures.report(engine, session, figures.Scope(), period, figures.Interval.WEEK)

                rollup_timings, report = _time(dashboard, settings.repeats, settings.budget_seconds)
                raw_timings, raw_rows = _time(
                    lambda: _raw_dashboard(engine, period), settings.repeats, settings.budget_seconds
                )
                counted = next(figure.value for figure in report.figures if figure.key == "clicks_unique")
                raw_counted = sum(int(row[3]) for row in raw_rows)
                if counted != raw_counted:
                    raise AssertionError(f"rollups count {counted} clicks, the raw query {raw_counted}")
                query = f"from={period.start}&to={period.end}&interval=week"

                def fetch(url: str) -> Callable[[], Any]:
                    def get() -> Any:
                        response = client.get(url, headers=editor.headers)
                        if response.status_code != 200:
                            raise AssertionError(f"{url}: {response.status_code} {response.text[:200]}")
                        return response

                    return get

                api_timings, _ = _time(
                    fetch(f"/api/v1/analytics/programme?{query}"), settings.repeats, settings.budget_seconds
                )
                page_timings, page = _time(
                    fetch(f"/admin/analytics?{query}"), settings.repeats, settings.budget_seconds
                )
                if f'data-figure="clicks_unique">{counted:,}<' not in page.text:
                    raise AssertionError("the dashboard page does not show the report's counted clicks")
                results["sizes"].append(
                    {
                        "clicks": size,
                        "api": summarize(api_timings).as_dict(),
                        "page": summarize(page_timings).as_dict(),
                        "rollup_rows": int(rollup_rows),
                        "insert_seconds": insert_seconds,
                        "rebuild_seconds": rebuild_seconds,
                        "rollups": summarize(rollup_timings).as_dict(),
                        "raw": summarize(raw_timings).as_dict(),
                        "counted_clicks": counted,
                    }
                )
                log(
                    f"dashboard: {size:,} clicks: rollups {milliseconds(summarize(rollup_timings).median)} ms, "
                    f"raw {milliseconds(summarize(raw_timings).median)} ms, "
                    f"API {milliseconds(summarize(api_timings).median)} ms, "
                    f"admin page {milliseconds(summarize(page_timings).median)} ms"
                )
        finally:
            if "client" in locals():
                client.__exit__(None, None, None)
            engine.close()
    return results


def render(result: dict[str, Any]) -> str:
    sizes = result["sizes"]
    first = sizes[0]
    rows = []
    for entry in sizes:
        rollup, raw = entry["rollups"]["median"], entry["raw"]["median"]
        rows.append(
            [
                f"{entry['clicks']:,}",
                f"{entry['rollup_rows']:,}",
                milliseconds(rollup),
                f"{ratio(rollup, first['rollups']['median']):.2f}x",
                milliseconds(raw),
                f"{ratio(raw, first['raw']['median']):.2f}x",
                f"{ratio(raw, rollup):.0f}x",
                f"{entry['rebuild_seconds']:.1f}",
                milliseconds(entry["api"]["median"]),
                milliseconds(entry["page"]["median"]),
                f"{ratio(entry['page']['median'], entry['api']['median']):.1f}x",
            ]
        )
    headers = [
        "clicks",
        "rollup rows",
        "rollups ms",
        "growth",
        "raw GROUP BY ms",
        "growth",
        "raw / rollups",
        "rebuild s",
        "API ms",
        "admin page ms",
        "page / API",
    ]
    return (
        "Programme dashboard (a year, weekly series, every figure and EMV) from rollups, against a raw GROUP BY\n"
        "over the clicks (click figures only), SQLite, median of up to 5 runs (1 when a run takes over 20 s);\n"
        "growth is against the smallest size. API and admin page: the same year over HTTP (in-process test\n"
        "client), JSON report against /admin/analytics with its breakdowns, goals and charts.\n\n"
        + table(headers, rows)
    )
