"""Benchmark: ``/r/{code}`` of ``clarion serve`` (every click journalled and ingested) against a bare 302.

Both servers are uvicorn with the same worker count on loopback, loaded by ``wrk`` with a
browser's user agent; the figure that matters is Clarion's throughput as a share of the bare
ceiling measured in the same run, and that every request wrk completed left a click row.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from clarion.db import Database
from clarion.schema import upgrade
from clarion_plugins.gamification import clarion_tables_register as gamification_schema

from .bench_startup import free_port
from .http_load import start_server, stop_server, wrk, wrk_missing
from .report import ratio, table

HERE = Path(__file__).parent
CODE = "k7mq2vx9Ab"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
TARGET_RATIO = 0.85


def _seed(url: str) -> None:
    from clarion.bootstrap import build_engine
    from clarion.config import load_settings
    from clarion.models import Ambassador, Content, ContentStatus, Role, Share, ShareMethod

    engine = build_engine(load_settings({}, database_url=url, secret_key="bench", plugin_autoload=False))
    try:
        with engine.transaction() as session:
            ambassador = Ambassador(external_id="bench", name="Bench", role=Role.AMBASSADOR)
            content = Content(title="Join us", url="https://example.com/jobs", status=ContentStatus.APPROVED)
            session.add_all([ambassador, content])
            session.flush()
            assert ambassador.id is not None
            assert content.id is not None
            session.add(
                Share(
                    ambassador_id=ambassador.id,
                    content_id=content.id,
                    network="x",
                    text="Look",
                    method=ShareMethod.INTENT,
                    link_code=CODE,
                )
            )
    finally:
        engine.close()


def run(*, seconds: int, rounds: int, connections: int, log: Callable[[str], None]) -> dict[str, Any]:
    """``rounds`` alternating wrk runs against the bare 302 and ``clarion serve`` (1 uvicorn worker each)."""
    missing = wrk_missing()
    if missing:
        log(missing)
        return {"skipped": missing}
    with tempfile.TemporaryDirectory(prefix="clarion-bench-redirect-") as directory:
        workdir = Path(directory)
        url = f"sqlite:///{workdir / 'clarion.db'}"
        database = Database(url)
        try:
            upgrade(database, "head", [gamification_schema()])
        finally:
            database.dispose()
        _seed(url)
        environment = {key: value for key, value in os.environ.items() if not key.startswith("CLARION_")}
        environment |= {
            "CLARION_DATABASE_URL": url,
            "CLARION_SECRET_KEY": "clarion-benchmark-secret-key-0123456789",
            "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
            "PYTHONPYCACHEPREFIX": str(workdir / "pycache"),
        }
        commands = {
            "bare 302 (litestar)": [
                sys.executable,
                *("-m", "uvicorn", "--factory", "redirect_app:create_app", "--app-dir", str(HERE)),
                *("--no-access-log", "--log-level", "warning", "--workers", "1"),
            ],
            "clarion serve": [sys.executable, "-m", "clarion.cli", "serve", "--no-worker", "--workers", "1"],
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
        persisted = 0
        for round_number in range(rounds):
            for name, command in commands.items():
                port = free_port()
                process = start_server([*command, "--port", str(port)], port, environment, workdir / "server.log")
                try:
                    log(f"redirect: round {round_number + 1}/{rounds}, {name}, wrk {seconds}s x {connections} conns")
                    runs[name].append(
                        wrk(
                            f"http://127.0.0.1:{port}/r/{CODE}",
                            seconds=seconds,
                            connections=connections,
                            headers={"User-Agent": USER_AGENT},
                        )
                    )
                finally:
                    stop_server(process)  # clarion's ingester makes a last pass on the way out
        engine = sa.create_engine(url)
        try:
            with engine.connect() as connection:
                persisted = int(connection.execute(sa.text("SELECT count(*) FROM click")).scalar_one())
        finally:
            engine.dispose()
        leftover = sum(path.stat().st_size for path in (workdir / "clarion-clicks").glob("*.jsonl"))
    medians = {
        name: {key: sorted(run[key] for run in measured)[len(measured) // 2] for key in measured[0]}
        for name, measured in runs.items()
    }
    bare, clarion = medians["bare 302 (litestar)"], medians["clarion serve"]
    completed = sum(run["requests"] for run in runs["clarion serve"])
    return {
        "seconds": seconds,
        "rounds": rounds,
        "connections": connections,
        "runs": runs,
        "medians": medians,
        "throughput_ratio": ratio(clarion["requests_per_second"], bare["requests_per_second"]),
        "p99_ratio": ratio(clarion["p99_seconds"], bare["p99_seconds"]),
        "clarion_requests_completed": completed,
        "clicks_persisted": persisted,
        "journal_bytes_left": leftover,
        "target_ratio": TARGET_RATIO,
    }


def render(result: dict[str, Any]) -> str:
    if "skipped" in result:
        return f"== Redirect: {result['skipped']}"
    rows = [
        [
            name,
            f"{median['requests_per_second']:,.0f}",
            f"{median['p50_seconds'] * 1000:.2f}",
            f"{median['p99_seconds'] * 1000:.2f}",
        ]
        for name, median in result["medians"].items()
    ]
    verdict = "meets" if result["throughput_ratio"] >= result["target_ratio"] else "MISSES"
    return "\n".join(
        [
            f"== Redirect /r/{{code}}: wrk -t1 -c{result['connections']} -d{result['seconds']}s, "
            f"1 uvicorn worker each, medians of {result['rounds']} rounds",
            table(["server", "req/s", "p50 ms", "p99 ms"], rows),
            f"throughput clarion / bare: {result['throughput_ratio']:.2f} ({verdict} the {result['target_ratio']:.0%} "
            f"target); p99 clarion / bare: {result['p99_ratio']:.2f}",
            f"clicks persisted: {result['clicks_persisted']:,} for {result['clarion_requests_completed']:,} requests "
            f"wrk completed (more rows than requests: answered as wrk stopped); journal left: "
            f"{result['journal_bytes_left']} bytes",
        ]
    )
