"""Alembic owns the schema: migrations build exactly the models, round-trip, and guard start-up."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.db import Database
from clarion.errors import DatabaseError
from clarion.models import CORE_TABLES
from clarion.schema import (
    alembic_config,
    downgrade,
    head_revision,
    require_current_schema,
    schema_drift,
    schema_status,
    upgrade,
)
from clarion.testing import TEST_SECRET, create_scratch_postgres, drop_scratch_postgres, postgres_url

MODEL_TABLES = set(CORE_TABLES)  # plugins' tables have histories of their own
VERSION_TABLE = "alembic_version"


@pytest.fixture(scope="module")
def scratch_postgres() -> Iterator[str]:
    """One scratch PostgreSQL database for this module (creating and dropping one costs a checkpoint)."""
    server = postgres_url()
    assert server is not None
    scratch = create_scratch_postgres(server)
    yield scratch
    drop_scratch_postgres(server, scratch)


def empty_public_schema(url: str) -> None:
    """Drop everything a test made (tables, sequences, types) with the schema that holds it."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture
def empty_database(clarion_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    """A database with nothing in it, on the backend under test."""
    if clarion_backend == "postgresql":
        scratch = request.getfixturevalue("scratch_postgres")
        empty_public_schema(scratch)
        database = Database(scratch)
        try:
            yield database
        finally:
            database.dispose()
        return
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        yield database
    finally:
        database.dispose()


def table_names(database: Database) -> set[str]:
    return set(sa.inspect(database.engine).get_table_names())


def leftovers(database: Database) -> set[str]:
    """Tables, and on PostgreSQL sequences and types, that outlive a downgrade to base."""
    found = table_names(database) - {VERSION_TABLE}
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            found |= {
                f"sequence {name}"
                for name in connection.scalars(
                    sa.text("SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public'")
                )
            }
            found |= {
                f"type {name}"
                for name in connection.scalars(
                    sa.text(
                        "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
                        "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')"
                    )
                )
            }
    return found


def revisions_in_order() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_models_match_migrations(empty_database):
    upgrade(empty_database)
    assert schema_drift(empty_database) == []
    assert table_names(empty_database) == MODEL_TABLES | {VERSION_TABLE}


def test_there_is_one_head():
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    assert head_revision() == script.get_current_head()


def test_upgrade_downgrade_upgrade_round_trips(empty_database):
    upgrade(empty_database)
    downgrade(empty_database, "base")
    assert leftovers(empty_database) == set()
    assert schema_status(empty_database).current is None
    upgrade(empty_database)
    assert schema_drift(empty_database) == []
    assert schema_status(empty_database).up_to_date


def test_every_migration_steps_down_and_up_again(empty_database):
    previous = "base"
    for revision in revisions_in_order():
        upgrade(empty_database, revision)
        assert schema_status(empty_database).current == revision
        downgrade(empty_database, previous)
        assert schema_status(empty_database).current == (None if previous == "base" else previous)
        upgrade(empty_database, revision)
        previous = revision
    assert schema_status(empty_database).up_to_date
    assert schema_drift(empty_database) == []


def test_upgrade_is_idempotent(empty_database):
    upgrade(empty_database)
    upgrade(empty_database)
    assert schema_drift(empty_database) == []


def test_unknown_revision_is_a_database_error(empty_database):
    with pytest.raises(DatabaseError, match="no-such-revision"):
        upgrade(empty_database, "no-such-revision")


# -- start-up guards ------------------------------------------------------------------------


def test_empty_database_needs_an_upgrade(empty_database):
    with pytest.raises(DatabaseError, match="run `clarion db upgrade`") as caught:
        require_current_schema(empty_database)
    assert "no Clarion schema" in caught.value.detail


def test_downgraded_database_needs_an_upgrade(empty_database):
    upgrade(empty_database)
    downgrade(empty_database, "base")
    with pytest.raises(DatabaseError, match="run `clarion db upgrade`"):
        require_current_schema(empty_database)


def test_outdated_database_needs_an_upgrade(empty_database):
    upgrade(empty_database)
    with empty_database.engine.begin() as connection:
        connection.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '0000_older'"))
    with pytest.raises(DatabaseError, match="run `clarion db upgrade`") as caught:
        require_current_schema(empty_database)
    assert "0000_older" in caught.value.detail
    assert str(head_revision()) in caught.value.detail


def test_current_database_passes(empty_database):
    upgrade(empty_database)
    status = require_current_schema(empty_database)
    assert status.up_to_date
    assert status.current == head_revision()


def test_unreachable_database_is_a_database_error():
    database = Database("postgresql+psycopg://nobody:hidden-password@127.0.0.1:1/x")
    try:
        with pytest.raises(DatabaseError, match="cannot reach the database") as caught:
            require_current_schema(database)
        assert "hidden-password" not in caught.value.detail
    finally:
        database.dispose()


# -- /healthz -------------------------------------------------------------------------------


def healthz(database_url: str, tmp_path: Path):
    from litestar.testing import TestClient

    from clarion.web.app import create_app

    settings = load_settings({}, cwd=tmp_path, database_url=database_url, secret_key=TEST_SECRET, plugin_autoload=False)
    with TestClient(create_app(engine=build_engine(settings))) as client:
        return client.get("/healthz")


def test_healthz_is_degraded_on_an_unmigrated_database(empty_database, tmp_path):
    response = healthz(empty_database.url, tmp_path)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["schema_revision"] is None
    assert body["schema_head"] == head_revision()
    assert "clarion db upgrade" in body["detail"]


def test_healthz_is_ok_once_migrated(empty_database, tmp_path):
    settings = load_settings(
        {}, cwd=tmp_path, database_url=empty_database.url, secret_key=TEST_SECRET, plugin_autoload=False
    )
    built_ins = build_engine(settings)
    upgrade(empty_database, "head", built_ins.schemas().values())  # built-in plugins' tables too
    built_ins.close()
    response = healthz(empty_database.url, tmp_path)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["schema_revision"] == head_revision()


def test_healthz_is_degraded_when_the_database_is_unreachable(tmp_path):
    response = healthz("postgresql+psycopg://nobody@127.0.0.1:1/x", tmp_path)
    assert response.status_code == 503
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "unreachable"
