"""Databases for tests: which backends run, and scratch PostgreSQL databases created and dropped."""

from __future__ import annotations

import os
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url

POSTGRES_ENV = "CLARION_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The PostgreSQL server tests may use (``CLARION_TEST_POSTGRES_URL``), or ``None``."""
    return os.environ.get(POSTGRES_ENV) or None


def database_backends() -> list[str]:
    """``["sqlite"]``, plus ``"postgresql"`` when the PostgreSQL test URL is set."""
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


def create_scratch_postgres(server_url: str) -> str:
    """Create an empty database next to ``server_url``'s and return its URL."""
    url = make_url(server_url)
    name = f"clarion_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_scratch_postgres(server_url: str, scratch_url: str) -> None:
    """Drop a database made by :func:`create_scratch_postgres`, even with connections left open."""
    name = make_url(scratch_url).database
    admin = sa.create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
