"""Developer sessions: ``nox -s tests lint typecheck migrations fuzz bench docs demo peers``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["lint", "typecheck", "tests", "migrations"]
nox.options.default_venv_backend = "venv"

PYTHON = ["3.11"]


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """The whole suite on SQLite, and on PostgreSQL too when CLARION_TEST_POSTGRES_URL is set."""
    session.install("-e", ".[test]")
    if not os.environ.get("CLARION_TEST_POSTGRES_URL"):
        session.log("CLARION_TEST_POSTGRES_URL is not set: PostgreSQL runs are skipped")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff>=0.5,<1")
    session.run("ruff", "check", "core", "plugins", "tests", "examples", "contrib")
    session.run("ruff", "format", "--check", "core", "plugins")


@nox.session(python=PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy on the core."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python=PYTHON)
def migrations(session: nox.Session) -> None:
    """Fails when the models and the migrations disagree (on every configured database)."""
    session.install("-e", ".[test]")
    session.run("pytest", "tests/integration/test_migrations.py", *session.posargs)


@nox.session(python=PYTHON)
def fuzz(session: nox.Session) -> None:
    """Schemathesis over the OpenAPI as an admin and as an ambassador, on SQLite and PostgreSQL.

    The suite runs the same test with 2 requests per operation; this one sends many more
    (``CLARION_FUZZ_EXAMPLES``, 100 by default). PostgreSQL needs CLARION_TEST_POSTGRES_URL.
    """
    session.install("-e", ".[test]")
    if not os.environ.get("CLARION_TEST_POSTGRES_URL"):
        session.error("set CLARION_TEST_POSTGRES_URL: the fuzz session covers SQLite and PostgreSQL")
    session.env["CLARION_FUZZ_EXAMPLES"] = os.environ.get("CLARION_FUZZ_EXAMPLES", "100")
    session.run("pytest", "tests/integration/api/test_fuzz_openapi.py", *session.posargs)


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Benchmarks: ratios against baselines measured in the same run."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.benchmarks", *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Regenerate the hook reference from the hookspecs and check the docs' links and examples."""
    session.install("-e", ".[test]")
    session.run("python", "docs/build.py")
    session.run("pytest", "tests/docs")


@nox.session(python=PYTHON)
def demo(session: nox.Session) -> None:
    """Serve the demo programme on http://127.0.0.1:8000/."""
    session.install("-e", ".")
    session.run("clarion", "serve", "--demo", *session.posargs)


# The AT Protocol reference servers (PLC, PDS, AppView) as their authors test with them.
ATPROTO_DEV_ENV = "@atproto/dev-env@0.6.7"


@nox.session(python=PYTHON)
def peers(session: nox.Session) -> None:
    """The Bluesky connector against the AT Protocol reference servers from npm, on loopback.

    Publishes, reads back, reads metrics (signed in and from the public AppView), deletes,
    refreshes and revokes (``tests/peers``). Needs node 22 or later with npm, PostgreSQL
    (``DB_POSTGRES_URL``, or ``CLARION_TEST_POSTGRES_URL``) and Redis (``REDIS_HOST``, default
    ``127.0.0.1:6379``).
    """
    session.install("-e", ".[test]")
    postgres = os.environ.get("DB_POSTGRES_URL") or os.environ.get("CLARION_TEST_POSTGRES_URL", "")
    if not postgres:
        session.error("set DB_POSTGRES_URL (or CLARION_TEST_POSTGRES_URL): the AppView keeps its index in PostgreSQL")
    workdir = Path(session.create_tmp()) / "atproto"
    workdir.mkdir(exist_ok=True)
    shutil.copy("contrib/peers/atproto.mjs", workdir)
    (workdir / "package.json").write_text('{"private": true}')
    with session.chdir(workdir):
        session.run("npm", "install", "--no-audit", "--no-fund", ATPROTO_DEV_ENV, external=True)
    environment = {
        **os.environ,
        "DB_POSTGRES_URL": postgres.replace("postgresql+psycopg://", "postgresql://"),
        "REDIS_HOST": os.environ.get("REDIS_HOST", "127.0.0.1:6379"),
    }
    servers = subprocess.Popen(["node", "atproto.mjs"], cwd=workdir, env=environment, stdout=subprocess.PIPE, text=True)
    try:
        assert servers.stdout is not None
        started = json.loads(servers.stdout.readline() or "{}")
        if not started:
            session.error("the reference servers did not start (see the output above)")
        session.run(
            "pytest",
            "tests/peers",
            *session.posargs,
            env={
                "CLARION_PEERS_PDS": started["pds"],
                "CLARION_PEERS_APPVIEW": started["appview"],
                "CLARION_PEERS_HANDLE": started["handle"],
                "CLARION_PEERS_APP_PASSWORD": started["app_password"],
            },
        )
    finally:
        servers.terminate()
        servers.wait(timeout=30)
