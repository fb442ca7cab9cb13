"""Benchmark: ``clarion serve`` until ``/healthz`` answers 200, against a hello-world Litestar app."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clarion.db import Database
from clarion.schema import upgrade
from clarion_plugins.gamification import clarion_tables_register as gamification_schema

from .report import ratio, summarize, table

HERE = Path(__file__).parent
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
POLL_INTERVAL = 0.01


class StartupFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Server:
    name: str
    arguments: tuple[str, ...]

    def command(self, port: int) -> list[str]:
        return [sys.executable, *self.arguments, "--host", "127.0.0.1", "--port", str(port)]


BASELINE = Server(
    "litestar hello (uvicorn)",
    (
        "-m",
        "uvicorn",
        "--factory",
        "hello_app:create_app",
        "--app-dir",
        str(HERE),
        "--log-level",
        "info",
        "--no-access-log",
    ),
)
CLARION = Server("clarion serve", ("-m", "clarion.cli", "serve"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthz_status(port: int) -> int | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the child's own process group (uvicorn and anything it forked), then SIGKILL."""
    if process.poll() is not None:
        return
    for sent, patience in ((signal.SIGTERM, STOP_TIMEOUT), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sent)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=patience)
            return
        except subprocess.TimeoutExpired:
            continue


@dataclass(frozen=True)
class Start:
    seconds: float
    stderr: str


def time_to_healthy(server: Server, environment: dict[str, str], workdir: Path) -> Start:
    """Seconds from spawning ``server`` to its first 200 on ``/healthz``; the child is always stopped."""
    port = free_port()
    log_path = workdir / f"{server.name.split()[0]}-{port}.log"
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            server.command(port),
            env=environment,
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches its children too
        )
        try:
            while True:
                if healthz_status(port) == 200:
                    elapsed = time.perf_counter() - started
                    break
                if process.poll() is not None:
                    raise StartupFailed(
                        f"{server.name} exited with {process.returncode}: {log_path.read_text()[-2000:]}"
                    )
                if time.perf_counter() - started > READY_TIMEOUT:
                    raise StartupFailed(f"{server.name} not healthy after {READY_TIMEOUT:.0f}s")
                time.sleep(POLL_INTERVAL)
        finally:
            stop(process)
    return Start(elapsed, log_path.read_text(errors="replace"))


def run(runs: int, *, log: Callable[[str], None]) -> dict[str, Any]:
    """``runs`` timed starts of each server, alternating, after one untimed warm-up start of each."""
    with tempfile.TemporaryDirectory(prefix="clarion-bench-serve-") as directory:
        workdir = Path(directory)
        database = Database(f"sqlite:///{workdir / 'clarion.db'}")
        try:
            upgrade(database, "head", [gamification_schema()])
        finally:
            database.dispose()
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("CLARION_") and key != "PYTHONDONTWRITEBYTECODE"
        }
        environment |= {
            "CLARION_DATABASE_URL": database.url,
            "CLARION_SECRET_KEY": "clarion-benchmark-secret-key-0123456789",
            "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
            # Bytecode as an installed deployment has it, compiled by the warm-up start, kept out
            # of the source tree (an editable install has no __pycache__ of its own otherwise).
            "PYTHONPYCACHEPREFIX": str(workdir / "pycache"),
        }
        log(f"start-up: 1 warm-up and {runs} timed starts of each server")
        for server in (BASELINE, CLARION):
            time_to_healthy(server, environment, workdir)
        starts: dict[str, list[Start]] = {BASELINE.name: [], CLARION.name: []}
        for _ in range(runs):
            for server in (BASELINE, CLARION):
                starts[server.name].append(time_to_healthy(server, environment, workdir))
    summaries = {name: summarize([start.seconds for start in measured]) for name, measured in starts.items()}
    checks = [
        float(match.group(1))
        for start in starts[CLARION.name]
        if (match := re.search(r"start-up checks took ([\d.]+)s", start.stderr))
    ]
    return {
        "runs": runs,
        "timings": {name: summary.as_dict() for name, summary in summaries.items()},
        "ratio_clarion_over_baseline": ratio(summaries[CLARION.name].median, summaries[BASELINE.name].median),
        "clarion_startup_checks_seconds": summarize(checks).as_dict() if checks else None,
        "commands": {server.name: ["python", *server.arguments] for server in (BASELINE, CLARION)},
    }


def render(result: dict[str, Any]) -> str:
    rows = [
        [name, f"{timing['median']:.2f}", f"{timing['p95']:.2f}", f"{timing['minimum']:.2f}"]
        for name, timing in result["timings"].items()
    ]
    lines = [
        f"== Start-up: spawn until GET /healthz answers 200 ({result['runs']} runs each, SQLite)",
        table(["server", "median s", "p95 s", "min s"], rows),
        f"ratio clarion serve / hello (medians): {result['ratio_clarion_over_baseline']:.2f}",
    ]
    checks = result["clarion_startup_checks_seconds"]
    if checks:
        lines.append(f"of which clarion's own start-up checks (settings, schema): median {checks['median']:.2f}s")
    return "\n".join(lines)
