"""The ``clarion`` pytest plugin: databases on SQLite (and PostgreSQL), settings, engines, clients, people, a clock.

Loaded through :mod:`clarion.testing` (its ``pytest11`` entry point); see that module for the list.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from clarion.bootstrap import build_engine
from clarion.clock import FrozenClock, SystemClock, set_default_clock
from clarion.config import Settings, load_settings
from clarion.contracts import Schema
from clarion.db import Database
from clarion.engine import Engine
from clarion.models import Role, metadata
from clarion.schema import upgrade, upgrade_plugin
from clarion.testing import TEST_SECRET
from clarion.testing.databases import (
    POSTGRES_ENV,
    create_scratch_postgres,
    database_backends,
    drop_scratch_postgres,
    postgres_url,
)
from clarion.testing.people import Person, make_person


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "clarion_backend" in metafunc.fixturenames:
        metafunc.parametrize("clarion_backend", database_backends(), indirect=True, scope="session")


@pytest.fixture(scope="session")
def clarion_backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@functools.cache
def _builtin_schemas() -> tuple[Schema, ...]:
    """The tables of the built-in plugins, which every test database carries (as a real install does)."""
    engine = build_engine(load_settings({}, database_url="sqlite://", secret_key=TEST_SECRET, plugin_autoload=False))
    try:
        return tuple(engine.schemas().values())
    finally:
        engine.close()


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
            upgrade(database, "head", _builtin_schemas())
        finally:
            database.dispose()
        yield scratch
        drop_scratch_postgres(server, scratch)
        return
    path = tmp_path_factory.mktemp("clarion-template") / "template.db"
    database = Database(f"sqlite:///{path}")
    try:
        upgrade(database, "head", _builtin_schemas())
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        database.dispose()
    yield str(path)


# One server-side round trip empties a test database: it deletes the rows of the tables that have
# any (children before parents) and rewinds every sequence something advanced. TRUNCATE of every
# table costs PostgreSQL a file swap per table and per index (about 0.3 s for Clarion's schema on
# an idle machine); most tests write to a handful of tables, so DELETE of those is far cheaper.
_EMPTY_POSTGRES = """
DO $clarion$
DECLARE
    name text;
    has_rows boolean;
    sequence record;
BEGIN
    -- The audit log is append-only; a purge row lets its entries go (the purge row goes last).
    IF to_regclass('audit_purge') IS NOT NULL THEN
        INSERT INTO audit_purge (purge_before, purged_at, purged_by) VALUES ('infinity', now(), 'tests');
    END IF;
    FOREACH name IN ARRAY {tables} LOOP
        CONTINUE WHEN to_regclass(quote_ident(name)) IS NULL;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', name) INTO has_rows;
        IF has_rows THEN
            EXECUTE format('DELETE FROM %I', name);
        END IF;
    END LOOP;
    FOR sequence IN
        SELECT schemaname, sequencename FROM pg_sequences
        WHERE schemaname = current_schema() AND last_value IS NOT NULL
    LOOP
        EXECUTE format('ALTER SEQUENCE %I.%I RESTART', sequence.schemaname, sequence.sequencename);
    END LOOP;
END
$clarion$
"""


class _PostgresEmptier:
    """Empties the session's PostgreSQL test database between tests, on one kept connection pool."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, poolclass=sa.pool.StaticPool)

    def empty(self) -> None:
        # Children first: tables of plugins a test migrated itself join ``metadata`` and go too;
        # tables no migration made are skipped.
        names = [table.name for table in reversed(metadata.sorted_tables)]
        names.sort(key=lambda name: name == "audit_purge")  # stable: the purge permit is deleted last
        block = _EMPTY_POSTGRES.replace("{tables}", _text_array(names))
        try:
            with self.engine.begin() as connection:
                # The driver's own cursor: the block's format() patterns are no parameters.
                connection.connection.driver_connection.execute(block)
        except sa.exc.DBAPIError:
            # A row a table outside ``metadata`` still points at: TRUNCATE ... CASCADE clears it.
            self._truncate()

    def _truncate(self) -> None:
        with self.engine.begin() as connection:
            present = set(sa.inspect(connection).get_table_names())
            names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables if table.name in present)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def close(self) -> None:
        self.engine.dispose()


def _text_array(names: list[str]) -> str:
    quoted = ", ".join("'" + name.replace("'", "''") + "'" for name in names)
    return f"ARRAY[{quoted}]::text[]"


@pytest.fixture(scope="session")
def _clarion_postgres_emptier(_clarion_migrated_template: str) -> Iterator[_PostgresEmptier]:
    emptier = _PostgresEmptier(_clarion_migrated_template)
    yield emptier
    emptier.close()


@pytest.fixture
def clarion_database_url(
    clarion_backend: str, _clarion_migrated_template: str, tmp_path: Path, request: pytest.FixtureRequest
) -> str:
    """A migrated database with no rows, private to this test."""
    if clarion_backend == "postgresql":
        request.getfixturevalue("_clarion_postgres_emptier").empty()
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
            # The fake networks listen on loopback: allowed by name, the outbound check stays on.
            "outbound_allow_networks": ("127.0.0.0/8", "::1/128"),
        }
        values.update(overrides)
        return load_settings({}, cwd=tmp_path, **values)

    return factory


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """A :class:`~clarion.clock.FrozenClock`, stopped at the moment the test starts (whole seconds).

    Every engine the test builds (``clarion_engine``, ``clarion_engine_factory``) reads it as
    ``engine.clock``, and it is the process default for the test (the fake networks, connectors
    and table defaults read it too). Move it instead of sleeping::

        def test_a_token_expires(clock, clarion_engine):
            ...
            clock.move(timedelta(minutes=6))
    """
    frozen = FrozenClock(SystemClock().now().replace(microsecond=0))
    previous = set_default_clock(frozen)
    try:
        yield frozen
    finally:
        set_default_clock(previous)


@pytest.fixture
def clarion_engine_factory(
    clarion_settings_factory: Callable[..., Settings], request: pytest.FixtureRequest
) -> Iterator[Callable[..., Engine]]:
    """``factory(plugins=None, plugin_settings=None, **settings) -> Engine``, closed after the test.

    ``plugins`` are extra plugins to register (name → module, module path or object);
    ``plugin_settings`` are ``[plugins.<name>]`` sections. When the test uses the ``clock``
    fixture, the engines read that clock, whatever order the fixtures are named in.
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
        frozen = request.getfixturevalue("clock") if "clock" in request.fixturenames else None
        engine = build_engine(clarion_settings_factory(**overrides), extra_plugins=plugins, clock=frozen)
        engines.append(engine)
        builtin = {plugin_schema.branch for plugin_schema in _builtin_schemas()}
        for plugin_schema in engine.schemas().values():
            if plugin_schema.branch not in builtin:  # a test's own plugin: its tables, migrated now
                upgrade_plugin(engine.db, plugin_schema)
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


@pytest.fixture
def clarion_people(clarion_engine: Engine) -> Callable[..., Person]:
    """``person(external_id, role="ambassador", opted_in=True, **fields) -> Person``."""

    def person(external_id: str, role: Role | str = Role.AMBASSADOR, **options: Any) -> Person:
        return make_person(clarion_engine, external_id, role, **options)

    return person
