"""Running servers and wrk for the HTTP benchmarks: start and stop a server, load it, read wrk's figures."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from .bench_startup import healthz_status


def wrk_missing() -> str | None:
    """Why the benchmark cannot run here, or ``None``."""
    if shutil.which("wrk") is None:
        return "wrk is not installed (apt-get install wrk, brew install wrk): benchmark skipped"
    return None


def start_server(command: list[str], port: int, environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=environment, cwd=log.parent, stdout=output, stderr=output, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while healthz_status(port) not in (200, 404):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            raise RuntimeError(f"{command[:4]} did not start: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wrk(url: str, *, seconds: int, connections: int, headers: dict[str, str]) -> dict[str, float]:
    """One wrk run (one thread) against ``url``: requests/s, p50 and p99 latency, requests, bad answers."""
    header_arguments = [argument for name, value in headers.items() for argument in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *header_arguments, url],
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
