"""``clarion worker`` and the job consumer inside ``clarion serve``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import uvicorn
from click.testing import CliRunner

from clarion.cli import main

SECRET = "clarion-cli-worker-secret-0123456789"


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    database_url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLARION_")}
    env.update(
        CLARION_DATABASE_URL=database_url,
        CLARION_SECRET_KEY=SECRET,
        CLARION_DISABLE_PLUGIN_AUTOLOAD="1",
        CLARION_QUEUE_PATH=str(tmp_path / "queue.db"),
    )
    # The core's schema and every built-in plugin's: the worker refuses a database behind either.
    upgraded = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    return env


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_worker_runs_until_signalled_then_stops_cleanly(environment, tmp_path, stop_signal):
    process = subprocess.Popen(
        [sys.executable, "-m", "clarion", "worker", "--workers", "2", "--no-sweeper"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "worker: 2 thread(s) on" in first, first
        assert "queue.db" in first
        assert process.stderr is not None
        for line in process.stderr:  # the consumer says when its signal handlers are in place
            if "Ready: SIGINT or SIGTERM stops the worker" in line:
                break
        else:
            pytest.fail("the worker never said it was ready")
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "worker stopped" in out
    assert "Traceback" not in err


def test_the_worker_refuses_an_out_of_date_database(tmp_path):
    env = {
        "CLARION_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",
        "CLARION_SECRET_KEY": SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_QUEUE_PATH": str(tmp_path / "queue.db"),
        "CLARION_REDIS_URL": None,
    }
    result = CliRunner().invoke(main, ["worker"], env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith("clarion: error: ")


@pytest.mark.parametrize(
    ("args", "env", "consumer"),
    [
        ((), {}, True),
        (("--no-worker",), {}, False),
        ((), {"CLARION_RUN_CONSUMER_IN_SERVE": "false"}, False),
    ],
)
def test_serve_runs_the_consumer_unless_told_not_to(environment, tmp_path, monkeypatch, args, env, consumer):
    seen: list[bool] = []

    def fake_run(*_args, **_kwargs):
        seen.append(any(thread.name.startswith("Worker-") for thread in __import__("threading").enumerate()))

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # serve exports settings for its web workers
    result = CliRunner().invoke(main, ["serve", *args], env={**environment, **env})
    assert result.exit_code == 0, (result.output, result.exception)
    assert seen == [consumer]
    assert ("job consumer: 2 thread(s)" in result.stderr) is consumer


def test_config_hides_the_redis_password(environment, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {**environment, "CLARION_REDIS_URL": "redis://:hunter2@queue.internal:6379/0", "CLARION_WORKERS": "3"}
    result = CliRunner().invoke(main, ["config"], env=env)
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert "queue.internal" in result.output
    assert '"workers": 3' in result.output
