"""The real server under load, SIGKILLed mid-way: every 302 a client received has exactly one click row."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import select

from clarion.models import Click, Content, ContentStatus, Share, ShareMethod
from clarion.shares.clicks import ingest_clicks

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
CLIENT_ADDRESS = "203.0.113.77"
# Small enough for a loaded 2-core test machine; the benchmark pushes far more through.
TOTAL, KILL_AFTER, AFTER_RESTART = 240, 80, 20  # passed on by a trusted proxy (uvicorn trusts 127.0.0.1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(environment: dict[str, str], workdir: Path, port: int) -> subprocess.Popen[bytes]:
    with (workdir / f"serve-{port}.log").open("ab") as log:
        return _start(environment, workdir, port, log)


def _start(environment: dict[str, str], workdir: Path, port: int, log: Any) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "clarion.cli", "serve", "--port", str(port), "--no-worker"],
        env=environment,
        cwd=workdir,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise AssertionError((workdir / f"serve-{port}.log").read_text())
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    raise AssertionError("the server did not start")


@pytest.fixture
def code(clarion_engine, clarion_people):
    amir = clarion_people("amir")
    with clarion_engine.transaction() as session:
        content = Content(title="Join us", url="https://example.com/jobs", status=ContentStatus.APPROVED)
        session.add(content)
        session.flush()
        share = Share(
            ambassador_id=amir.id,
            content_id=content.id,
            network="x",
            text="Look",
            method=ShareMethod.INTENT,
            link_code="k7mq2vx9Ab",
        )
        session.add(share)
    return "k7mq2vx9Ab"


@pytest.mark.slow
def test_no_click_is_lost_or_doubled_when_the_server_is_killed(clarion_engine, code, tmp_path):
    environment = {
        **os.environ,
        "CLARION_DATABASE_URL": clarion_engine.settings.database_url,
        "CLARION_SECRET_KEY": clarion_engine.settings.secret_key,
        "CLARION_CLICK_JOURNAL_DIR": clarion_engine.settings.click_journal_dir or "",
        "CLARION_CLICK_INGEST_INTERVAL_SECONDS": "0.2",
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    port = free_port()
    server = start_server(environment, tmp_path, port)
    received: list[str] = []  # the user agent of every request answered with a 302
    enough_answered = threading.Event()
    client = httpx.Client(timeout=10, limits=httpx.Limits(max_connections=8))

    def click(number: int) -> None:
        agent = f"{BROWSER} request/{number}"
        try:
            response = client.get(
                f"http://127.0.0.1:{port}/r/{code}",
                headers={"User-Agent": agent, "X-Forwarded-For": CLIENT_ADDRESS},
                timeout=5,
            )
        except httpx.HTTPError:
            return  # the server died before answering: no promise was made
        if response.status_code == 302:
            received.append(agent)
            if len(received) >= KILL_AFTER:
                enough_answered.set()

    with client, ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(click, number) for number in range(TOTAL)]
        assert enough_answered.wait(60), f"only {len(received)} clicks were answered"
        os.killpg(server.pid, signal.SIGKILL)  # mid-load, no chance to flush anything
        for future in futures:
            future.result()
        server.wait()
        answered_before_kill = len(received)
        assert KILL_AFTER <= answered_before_kill < TOTAL

        # A new server picks up the killed one's journal; its own clicks land on a graceful stop.
        server = start_server(environment, tmp_path, port)
        for number in range(TOTAL, TOTAL + AFTER_RESTART):
            click(number)
    os.killpg(server.pid, signal.SIGTERM)
    assert server.wait(timeout=30) == 0

    assert ingest_clicks(clarion_engine).stored == 0  # nothing was left behind
    with clarion_engine.transaction() as session:
        agents = [row.user_agent for row in session.exec(select(Click)).all()]
    assert len(received) == answered_before_kill + AFTER_RESTART
    missing = set(received) - set(agents)
    doubled = {agent for agent in agents if agents.count(agent) > 1}
    assert (missing, doubled) == (set(), set())
    assert list(Path(environment["CLARION_CLICK_JOURNAL_DIR"]).glob("*.jsonl")) == []


def test_no_address_is_stored_anywhere(clarion_engine, code, tmp_path):
    environment = {
        **os.environ,
        "CLARION_DATABASE_URL": clarion_engine.settings.database_url,
        "CLARION_SECRET_KEY": clarion_engine.settings.secret_key,
        "CLARION_CLICK_JOURNAL_DIR": clarion_engine.settings.click_journal_dir or "",
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    port = free_port()
    server = start_server(environment, tmp_path, port)
    try:
        base = f"http://127.0.0.1:{port}/r/{code}"
        headers = {"X-Forwarded-For": CLIENT_ADDRESS}
        assert httpx.get(base, headers={**headers, "User-Agent": BROWSER}).status_code == 302
        assert httpx.get(base, headers={**headers, "User-Agent": "LinkedInBot/1.0"}).status_code == 302
        assert httpx.head(base, headers={**headers, "User-Agent": BROWSER}).status_code == 302
        journal = b"".join(path.read_bytes() for path in Path(environment["CLARION_CLICK_JOURNAL_DIR"]).glob("*"))
        assert CLIENT_ADDRESS.encode() not in journal
        assert b"127.0.0.1" not in journal
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ingest_clicks(clarion_engine)
    with clarion_engine.transaction() as session:
        rows = session.exec(select(Click).order_by(Click.id)).all()
        assert [(row.bot_reason, row.counted) for row in rows] == [
            (None, True),
            ("preview:LinkedInBot", False),
            ("head", False),
        ]
        connection = session.connection()
        found = []
        for table in sa.inspect(connection).get_table_names():
            for column in sa.inspect(connection).get_columns(table):
                if isinstance(column["type"], sa.String | sa.Text | sa.JSON):
                    value = sa.cast(sa.column(column["name"]), sa.Text)
                    hits = connection.execute(
                        sa.select(sa.func.count())
                        .select_from(sa.table(table))
                        .where(sa.or_(value.contains(CLIENT_ADDRESS), value.contains("127.0.0.1")))
                    ).scalar_one()
                    if hits:
                        found.append(f"{table}.{column['name']}")
    assert found == []
    log = (tmp_path / f"serve-{port}.log").read_text()
    assert CLIENT_ADDRESS not in log
