"""The database schema's version: upgrade, downgrade, where it stands, and drift from the models."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.exc import OperationalError

from clarion import models
from clarion.db import Database, describe_url
from clarion.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(MIGRATIONS / "versions"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _run(database: Database, action: str, revision: str) -> None:
    config = alembic_config(database.url)
    try:
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    except CommandError as exc:
        raise DatabaseError(f"cannot {action} to {revision!r}: {exc}") from exc
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise DatabaseError(f"cannot {action} the database {describe_url(database.url)}: {reason}") from exc


def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (the newest by default)."""
    _run(database, "upgrade", revision)


def downgrade(database: Database, revision: str) -> None:
    """Take the schema down to ``revision`` (``base`` removes every table)."""
    _run(database, "downgrade", revision)


@dataclass(frozen=True)
class SchemaStatus:
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def schema_status(database: Database) -> SchemaStatus:
    """Where the database's schema stands compared with this code's migrations.

    Raises:
        DatabaseError: when the database cannot be reached.
    """
    database.ping()
    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current, head_revision())


def require_current_schema(database: Database) -> SchemaStatus:
    """Raise a :class:`DatabaseError` that says how to fix an out-of-date schema."""
    status = schema_status(database)
    if status.current is None:
        raise DatabaseError(
            f"the database {describe_url(database.url)} has no Clarion schema yet; "
            "run `clarion db upgrade` (or `clarion serve --demo` for a demo)"
        )
    if not status.up_to_date:
        raise DatabaseError(
            f"the database schema is at revision {status.current}, this Clarion needs {status.head}; "
            "run `clarion db upgrade`"
        )
    return status


def _expression_indexes() -> dict[str, str]:
    """Index name → table for indexes on expressions, which autogenerate cannot compare everywhere."""
    return {
        str(index.name): table.name
        for table in models.metadata.sorted_tables
        for index in table.indexes
        if any(not isinstance(expression, sa.Column) for expression in index.expressions)
    }


def _index_names(connection: sa.Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return set(connection.exec_driver_sql(query).scalars())


def schema_drift(database: Database) -> list[Any]:
    """Differences autogenerate would write between the models and the migrated database.

    Expression indexes are checked by name on every database, since SQLite cannot reflect them.
    """
    expression_indexes = _expression_indexes()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": True},
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*expression-based index")
            drift = list(compare_metadata(context, models.metadata))
        present = _index_names(connection)
        if connection.dialect.name == "sqlite":
            drift.extend(("missing_autoincrement", table) for table in _tables_without_autoincrement(connection))
    drift.extend(("missing_index", name, table) for name, table in expression_indexes.items() if name not in present)
    return drift


def _tables_without_autoincrement(connection: sa.Connection) -> list[str]:
    """Tables the models declare AUTOINCREMENT for but SQLite created without it.

    Alembic's batch mode rebuilds SQLite tables from reflection, which forgets AUTOINCREMENT;
    a migration that rebuilds such a table must pass ``table_kwargs={"sqlite_autoincrement": True}``.
    """
    wanted = [table.name for table in models.metadata.sorted_tables if table.kwargs.get("sqlite_autoincrement")]
    rows = connection.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'table'").all()
    created: dict[str, str | None] = {row[0]: row[1] for row in rows}
    return [name for name in wanted if name in created and "AUTOINCREMENT" not in (created[name] or "").upper()]
