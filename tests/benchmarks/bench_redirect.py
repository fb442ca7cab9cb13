"""Benchmark: ``/r/{code}`` of ``clarion serve`` (every click journalled and ingested) against a bare 302.

Both servers are uvicorn with the same worker count on loopback, loaded by ``wrk`` with a
browser's user agent; the figure that matters is Clarion's throughput as a share of the bare
ceiling measured in the same run, and that every request wrk completed left a click row.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from clarion.db import Database
from clarion.schema import upgrade

from .bench_startup import free_port, healthz_status
from .report import ratio, table

HERE = Path(__file__).parent
CODE = "k7mq2vx9Ab"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
TARGET_RATIO = 0.85


def wrk_missing() -> str | None:
    """Why the benchmark cannot run here, or ``None``."""
    if shutil.which("wrk") is None:
        return "wrk is not installed (apt-get install wrk, brew install wrk): redirect benchmark skipped"
    return None


def _seed(url: str) -> None:
    from clarion.config import load_settings
    from clarion.engine import Engine
    from clarion.models import Ambassador, Content, ContentStatus, Role, Share, ShareMethod

    engine = Engine(load_settings({}, database_url=url, secret_key="bench", plugin_autoload=False))
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


def _start(command: list[str], port: int, environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=environment, cwd=log.parent, stdout=output, stderr=output, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while healthz_status(port) not in (200, 404):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"{command[:4]} did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return process


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wrk(port: int, seconds: int, connections: int) -> dict[str, float]:
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"User-Agent: {USER_AGENT}",
            f"http://127.0.0.1:{port}/r/{CODE}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    units = {"us": 1e-6, "ms": 1e-3, "s": 1.0}
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if not (p99 and p50 and total and rate):
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    return {
        "requests_per_second": float(rate.group(1)),
        "p50_seconds": float(p50.group(1)) * units[p50.group(2)],
        "p99_seconds": float(p99.group(1)) * units[p99.group(2)],
        "requests": int(total.group(1)),
        "bad_responses": int(errors.group(1)) if errors else 0,
    }


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
            upgrade(database)
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
                process = _start([*command, "--port", str(port)], port, environment, workdir / "server.log")
                try:
                    log(f"redirect: round {round_number + 1}/{rounds}, {name}, wrk {seconds}s x {connections} conns")
                    runs[name].append(_wrk(port, seconds, connections))
                finally:
                    _stop(process)  # clarion's ingester makes a last pass on the way out
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
