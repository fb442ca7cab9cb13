"""Benchmark: ``/widgets/{name}`` fragments of ``clarion serve`` against a bare handler rendering the same template.

Two datasets: the demo programme, and the demo programme plus 100,000 ambassadors (inserted
with one ``INSERT … SELECT`` over a recursive counter, and each given this month's points with
one more, so the leaderboard ranks all of them). Both servers are uvicorn with one
worker on loopback, loaded by ``wrk`` with the widget session of one opted-in ambassador as a
bearer token; the baseline (``widget_baseline_app.py``) renders ``widget_fragment.html`` from a
context built once at start-up. Figures are Clarion's throughput and p99 as ratios of the
baseline's in the same run. The embed script's gzipped size is reported against its 10 KB
budget.

Benchmarked widgets are :data:`WIDGETS`; a new one is one more name there.
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from clarion.db import Database
from clarion.schema import upgrade
from clarion_plugins.gamification import clarion_tables_register as gamification_schema

from .bench_startup import free_port
from .http_load import start_server, stop_server, wrk, wrk_missing
from .report import ratio, table

HERE = Path(__file__).parent
WIDGETS = ("feed", "onboarding", "leaderboard")
EXTRA_AMBASSADORS = 100_000
EMBED_BUDGET_BYTES = 10 * 1024
SECRET = "clarion-benchmark-secret-key-0123456789"


def embed_script_gzipped() -> dict[str, int]:
    from clarion.web.embed.controller import EMBED_SCRIPT

    raw = EMBED_SCRIPT.read_bytes()
    return {"bytes": len(raw), "gzipped_bytes": len(gzip.compress(raw, compresslevel=9))}


def _engine(url: str) -> Any:
    from clarion.bootstrap import build_engine
    from clarion.config import load_settings

    return build_engine(load_settings({}, database_url=url, secret_key=SECRET, plugin_autoload=False))


def _seed_demo(url: str) -> tuple[int, str]:
    """Load the demo programme; the id and session token of an opted-in ambassador who accepted the guidelines."""
    from sqlmodel import select

    from clarion.actors import Actor
    from clarion.ambassadors.widget_sessions import issue
    from clarion.models import Ambassador, Role
    from clarion_plugins.demo import load

    engine = _engine(url)
    try:
        load(engine)
        with engine.transaction() as session:
            ambassador = session.exec(
                select(Ambassador)
                .where(
                    Ambassador.role == Role.AMBASSADOR,
                    Ambassador.opted_in_at.is_not(None),  # type: ignore[union-attr]
                    Ambassador.guidelines_accepted_at.is_not(None),  # type: ignore[union-attr]
                    Ambassador.paused_at.is_(None),  # type: ignore[union-attr]
                    Ambassador.left_at.is_(None),  # type: ignore[union-attr]
                )
                .order_by(Ambassador.id)  # type: ignore[arg-type]
            ).first()
            assert ambassador is not None
            actor = Actor.of(ambassador)
        return actor.ambassador_id, issue(SECRET, actor, 24 * 3600).token
    finally:
        engine.close()


def add_ambassadors(url: str, count: int) -> float:
    """``count`` more opted-in ambassadors, copied from the first one, with this month's points; seconds taken."""
    import time
    from datetime import UTC, datetime

    from clarion_plugins.gamification.models import PeriodKind
    from clarion_plugins.gamification.services.periods import period_start

    today = datetime.now(UTC).date()

    began = time.perf_counter()
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                sa.text(
                    "WITH RECURSIVE counter(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM counter WHERE i < :count) "
                    "INSERT INTO ambassador (external_id, name, email, team, locale, time_zone, role, opted_in_at, "
                    "guidelines_version, guidelines_accepted_at, advocacy_level, leaderboard_visible, "
                    "created_at, updated_at) "
                    "SELECT 'bench-' || i, 'Bench Person ' || i, 'bench' || i || '@example.com', template.team, "
                    "template.locale, template.time_zone, template.role, template.opted_in_at, "
                    "template.guidelines_version, template.guidelines_accepted_at, template.advocacy_level, "
                    "template.leaderboard_visible, template.created_at, template.updated_at "
                    "FROM counter, (SELECT * FROM ambassador WHERE opted_in_at IS NOT NULL ORDER BY id LIMIT 1) "
                    "AS template"
                ),
                {"count": count},
            )
            # Points this month for every one of them (1 to 500, spread), as the period rollup holds them.
            connection.execute(
                sa.text(
                    "INSERT INTO period_points (period, starts_on, ambassador_id, points, last_day) "
                    "SELECT :period, :starts_on, id, 1 + (id * 7919) % 500, :today FROM ambassador "
                    "WHERE external_id LIKE 'bench-%'"
                ),
                {
                    "period": PeriodKind.MONTH.value,
                    "starts_on": period_start(PeriodKind.MONTH, today).isoformat(),
                    "today": today.isoformat(),
                },
            )
            total = int(connection.execute(sa.text("SELECT count(*) FROM ambassador")).scalar_one())
    finally:
        engine.dispose()
    assert total >= count
    return time.perf_counter() - began


def _fetch(port: int, name: str, token: str) -> int:
    """The fragment's size, after checking it answers 200 (a 401 would make the figures meaningless)."""
    response = httpx.get(
        f"http://127.0.0.1:{port}/widgets/{name}", headers={"authorization": f"Bearer {token}"}, timeout=60
    )
    if response.status_code != 200:
        raise RuntimeError(f"/widgets/{name} answered {response.status_code}: {response.text[:500]}")
    return len(response.content)


def run(*, seconds: int, rounds: int, connections: int, log: Callable[[str], None]) -> dict[str, Any]:
    """For each dataset and widget: ``rounds`` alternating wrk runs against the baseline and ``clarion serve``."""
    embed = embed_script_gzipped()
    missing = wrk_missing()
    if missing:
        missing = missing.replace("redirect benchmark", "widget benchmark")
        log(missing)
        return {"skipped": missing, "embed_script": embed}
    results: dict[str, Any] = {"seconds": seconds, "rounds": rounds, "connections": connections, "datasets": {}}
    with tempfile.TemporaryDirectory(prefix="clarion-bench-widgets-") as directory:
        workdir = Path(directory)
        url = f"sqlite:///{workdir / 'clarion.db'}"
        database = Database(url)
        try:
            upgrade(database, "head", [gamification_schema()])
        finally:
            database.dispose()
        log("widgets: loading the demo programme")
        ambassador_id, token = _seed_demo(url)
        environment = {key: value for key, value in os.environ.items() if not key.startswith("CLARION_")}
        environment |= {
            "CLARION_DATABASE_URL": url,
            "CLARION_SECRET_KEY": SECRET,
            "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
            "CLARION_BENCH_WIDGETS": ",".join(WIDGETS),
            "CLARION_BENCH_AMBASSADOR": str(ambassador_id),
            "PYTHONPYCACHEPREFIX": str(workdir / "pycache"),
        }
        commands = {
            "baseline (litestar + template)": [
                sys.executable,
                *("-m", "uvicorn", "--factory", "widget_baseline_app:create_app", "--app-dir", str(HERE)),
                *("--no-access-log", "--log-level", "warning", "--workers", "1"),
            ],
            "clarion serve": [sys.executable, "-m", "clarion.cli", "serve", "--no-worker", "--workers", "1"],
        }
        for dataset in ("demo", f"demo + {EXTRA_AMBASSADORS:,} ambassadors"):
            if dataset != "demo":
                taken = add_ambassadors(url, EXTRA_AMBASSADORS)
                log(f"widgets: {EXTRA_AMBASSADORS:,} ambassadors inserted in {taken:.1f}s")
                results["insert_seconds"] = taken
            runs: dict[str, dict[str, list[dict[str, float]]]] = {
                name: {server: [] for server in commands} for name in WIDGETS
            }
            sizes: dict[str, dict[str, int]] = {name: {} for name in WIDGETS}
            for round_number in range(rounds):
                for server, command in commands.items():
                    port = free_port()
                    process = start_server([*command, "--port", str(port)], port, environment, workdir / "server.log")
                    try:
                        for name in WIDGETS:
                            sizes[name][server] = _fetch(port, name, token)
                            log(f"widgets: {dataset}, round {round_number + 1}/{rounds}, {server}, /widgets/{name}")
                            runs[name][server].append(
                                wrk(
                                    f"http://127.0.0.1:{port}/widgets/{name}",
                                    seconds=seconds,
                                    connections=connections,
                                    headers={"Authorization": f"Bearer {token}"},
                                )
                            )
                    finally:
                        stop_server(process)
            figures: dict[str, Any] = {}
            for name in WIDGETS:
                medians = {
                    server: {key: sorted(run[key] for run in measured)[len(measured) // 2] for key in measured[0]}
                    for server, measured in runs[name].items()
                }
                base, clarion = medians["baseline (litestar + template)"], medians["clarion serve"]
                figures[name] = {
                    "runs": runs[name],
                    "medians": medians,
                    "body_bytes": sizes[name],
                    "throughput_ratio": ratio(clarion["requests_per_second"], base["requests_per_second"]),
                    "p99_ratio": ratio(clarion["p99_seconds"], base["p99_seconds"]),
                }
            results["datasets"][dataset] = figures
    results["embed_script"] = embed
    return results


def render(result: dict[str, Any]) -> str:
    embed = result["embed_script"]
    verdict = "within" if embed["gzipped_bytes"] <= EMBED_BUDGET_BYTES else "OVER"
    embed_line = (
        f"embed.js: {embed['bytes']:,} bytes, {embed['gzipped_bytes']:,} gzipped ({verdict} the "
        f"{EMBED_BUDGET_BYTES // 1024} KB budget)"
    )
    if "skipped" in result:
        return f"== Widgets: {result['skipped']}\n{embed_line}"
    rows = []
    for dataset, figures in result["datasets"].items():
        for name, figure in figures.items():
            for server, median in figure["medians"].items():
                rows.append(
                    [
                        dataset,
                        f"/widgets/{name}",
                        server,
                        f"{median['requests_per_second']:,.0f}",
                        f"{median['p50_seconds'] * 1000:.2f}",
                        f"{median['p99_seconds'] * 1000:.2f}",
                        f"{figure['body_bytes'][server]:,}",
                        f"{median['bad_responses']:.0f}",
                    ]
                )
            rows.append(
                [
                    "",
                    "",
                    "clarion / baseline",
                    f"{figure['throughput_ratio']:.2f}",
                    "",
                    f"{figure['p99_ratio']:.2f}",
                    "",
                    "",
                ]
            )
    return "\n".join(
        [
            f"== Widget fragments: wrk -t1 -c{result['connections']} -d{result['seconds']}s, 1 uvicorn worker each, "
            f"medians of {result['rounds']} rounds (bearer widget session; baseline renders the same template from "
            "a constant context)",
            table(["dataset", "route", "server", "req/s", "p50 ms", "p99 ms", "body B", "non-2xx"], rows),
            embed_line,
        ]
    )
