"""Pytest fixtures for Clarion and its plugins, registered as the ``clarion`` pytest plugin.

A company writing a connector or a scoring rule tests it the way Clarion tests itself::

    def test_my_connector(clarion_engine_factory):
        engine = clarion_engine_factory(plugins={"my-connector": my_connector_module})
        assert "mynetwork" in engine.connectors()

Every test that uses a database fixture runs on SQLite, and again on PostgreSQL when
``CLARION_TEST_POSTGRES_URL`` points at a server (a scratch database is created there and
dropped afterwards; the database in the URL is never touched).

Fixtures:
    clarion_database_url: URL of a migrated, empty database for this test.
    clarion_settings_factory: settings for that database, autoload off, with overrides.
    clarion_engine_factory: engines on that database, with extra plugins.
    clarion_engine: the default engine (built-in plugins only).
    clarion_client: a Litestar test client for ``clarion_engine``.
    clarion_people: creates ambassadors and returns their ``Authorization`` headers.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from clarion.config import Settings, load_settings
from clarion.db import Database
from clarion.engine import Engine
from clarion.models import AdvocacyLevel, Ambassador, Role, metadata, utcnow
from clarion.schema import upgrade
from clarion.tokens import mint_token

POSTGRES_ENV = "CLARION_TEST_POSTGRES_URL"
TEST_SECRET = "clarion-test-secret-key-0123456789"


def postgres_url() -> str | None:
    return os.environ.get(POSTGRES_ENV) or None


def database_backends() -> list[str]:
    """``["sqlite"]``, plus ``"postgresql"`` when the PostgreSQL test URL is set."""
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "clarion_backend" in metafunc.fixturenames:
        metafunc.parametrize("clarion_backend", database_backends(), indirect=True, scope="session")


@pytest.fixture(scope="session")
def clarion_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


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
    name = make_url(scratch_url).database
    admin = sa.create_engine(make_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def _clarion_migrated_template(clarion_backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database per backend and session: a SQLite file to copy, or a scratch PostgreSQL db."""
    if clarion_backend == "postgresql":
        server = postgres_url()
        if server is None:
            pytest.skip(f"{POSTGRES_ENV} is not set")
        scratch = create_scratch_postgres(server)
        database = Database(scratch)
        try:
            upgrade(database)
        finally:
            database.dispose()
        yield scratch
        drop_scratch_postgres(server, scratch)
        return
    path = tmp_path_factory.mktemp("clarion-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    try:
        upgrade(database)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    yield str(path)


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    try:
        names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        engine.dispose()


@pytest.fixture
def clarion_database_url(clarion_backend: str, _clarion_migrated_template: str, tmp_path: Path) -> str:
    """A migrated database with no rows, private to this test."""
    if clarion_backend == "postgresql":
        _empty_postgres(_clarion_migrated_template)
        return _clarion_migrated_template
    path = tmp_path / "clarion.db"
    shutil.copyfile(_clarion_migrated_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clarion_settings_factory(clarion_database_url: str, tmp_path: Path) -> Callable[..., Settings]:
    """``factory(**overrides) -> Settings`` on the test database, with entry-point autoloading off."""

    def factory(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": clarion_database_url,
            "secret_key": TEST_SECRET,
            "plugin_autoload": False,
            "base_url": "http://clarion.test",
            # The job queue lives with the test, whatever the database (PostgreSQL has no file).
            "queue_path": str(tmp_path / "clarion-queue.db"),
            "click_journal_dir": str(tmp_path / "clarion-clicks"),
            # A change to content shows on its tracked link at once (tests change and follow).
            "link_cache_seconds": 0,
        }
        values.update(overrides)
        return load_settings({}, cwd=tmp_path, **values)

    return factory


@pytest.fixture
def clarion_engine_factory(clarion_settings_factory: Callable[..., Settings]) -> Iterator[Callable[..., Engine]]:
    """``factory(plugins=None, plugin_settings=None, **settings) -> Engine``, closed after the test.

    ``plugins`` are extra plugins to register (name → module, module path or object);
    ``plugin_settings`` are ``[plugins.<name>]`` sections.
    """
    engines: list[Engine] = []

    def factory(
        plugins: dict[str, Any] | None = None,
        *,
        plugin_settings: dict[str, dict[str, Any]] | None = None,
        **overrides: Any,
    ) -> Engine:
        if plugin_settings is not None:
            overrides["plugins"] = plugin_settings
        engine = Engine(clarion_settings_factory(**overrides), extra_plugins=plugins)
        engines.append(engine)
        return engine

    yield factory
    for engine in engines:
        engine.close()


@pytest.fixture
def clarion_engine(clarion_engine_factory: Callable[..., Engine]) -> Engine:
    return clarion_engine_factory()


@pytest.fixture
def clarion_client(clarion_engine: Engine) -> Iterator[Any]:
    from litestar.testing import TestClient

    from clarion.web.app import create_app

    with TestClient(create_app(engine=clarion_engine)) as client:
        yield client


@dataclass
class Person:
    """An ambassador created for a test, with the headers that authenticate as them."""

    id: int
    external_id: str
    role: Role
    headers: dict[str, str]


def make_person(
    engine: Engine, external_id: str, role: Role | str = Role.AMBASSADOR, *, opted_in: bool = True, **fields: Any
) -> Person:
    """An ambassador in ``engine``'s database and the headers that authenticate as them."""
    with engine.transaction() as session:
        ambassador = Ambassador(
            external_id=external_id,
            name=fields.pop("name", external_id.title()),
            role=Role(role),
            advocacy_level=fields.pop("advocacy_level", AdvocacyLevel.ENGAGEMENT),
            opted_in_at=utcnow() if opted_in else None,
            guidelines_version=engine.settings.guidelines_version if opted_in else None,
            **fields,
        )
        session.add(ambassador)
        session.flush()
        assert ambassador.id is not None
        ambassador_id = ambassador.id
    token = mint_token(engine.settings.secret_key, external_id)
    return Person(ambassador_id, external_id, Role(role), {"Authorization": f"Bearer {token}"})


@pytest.fixture
def clarion_people(clarion_engine: Engine) -> Callable[..., Person]:
    """``person(external_id, role="ambassador", opted_in=True, **fields) -> Person``."""

    def person(external_id: str, role: Role | str = Role.AMBASSADOR, **options: Any) -> Person:
        return make_person(clarion_engine, external_id, role, **options)

    return person
