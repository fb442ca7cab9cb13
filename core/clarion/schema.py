"""The database schema's version: upgrade, downgrade, where it stands, and drift from the models.

The core's history lives in ``clarion/migrations`` (version table ``alembic_version``); each plugin
that owns tables brings its own history (:class:`clarion.contracts.Schema`) recorded in its own
version table, upgraded after the core's. A plugin removed later leaves its tables and its version
table alone: nothing here touches a history no installed plugin claims.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
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
from clarion.contracts import Schema
from clarion.db import Database, describe_url
from clarion.errors import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"
CORE_VERSION_TABLE = "alembic_version"


def alembic_config(database_url: str, plugin_schema: Schema | None = None) -> Config:
    """Alembic's configuration for the core's history, or for one plugin's (its folder, its version table)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))  # env.py and the revision template
    config.set_main_option("path_separator", "os")
    versions = plugin_schema.migrations if plugin_schema is not None else MIGRATIONS / "versions"
    config.set_main_option("version_locations", str(versions))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["version_table"] = plugin_schema.version_table if plugin_schema else CORE_VERSION_TABLE
    config.attributes["tables"] = (
        {table.name for table in plugin_schema.tables} if plugin_schema is not None else set(models.CORE_TABLES)
    )
    return config


def head_revision(plugin_schema: Schema | None = None) -> str | None:
    """The newest revision of the core's history, or of a plugin's."""
    return ScriptDirectory.from_config(alembic_config("sqlite://", plugin_schema)).get_current_head()


def _run(database: Database, action: str, revision: str, plugin_schema: Schema | None = None) -> None:
    config = alembic_config(database.url, plugin_schema)
    action_name = f"{action} the tables of {plugin_schema.branch!r}" if plugin_schema is not None else action
    try:
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            getattr(command, action)(config, revision)
    except CommandError as exc:
        raise DatabaseError(f"cannot {action_name} to {revision!r}: {exc}") from exc
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise DatabaseError(f"cannot {action_name} in the database {describe_url(database.url)}: {reason}") from exc


def upgrade(database: Database, revision: str = "head", plugin_schemas: Iterable[Schema] = ()) -> None:
    """Bring the core's schema up to ``revision`` (the newest by default), then every plugin's to its newest.

    Plugins' tables may refer to the core's, so they follow it; an older core revision leaves the
    plugins' histories as they are.
    """
    _run(database, "upgrade", revision)
    if revision == "head":
        for plugin_schema in plugin_schemas:
            upgrade_plugin(database, plugin_schema)


def upgrade_plugin(database: Database, plugin_schema: Schema) -> None:
    """Bring one plugin's tables to their newest revision (the core's must be current)."""
    _run(database, "upgrade", "head", plugin_schema)


def downgrade_plugin(database: Database, plugin_schema: Schema, revision: str = "base") -> None:
    """Take one plugin's tables down to ``revision`` (``base`` drops them and their data)."""
    _run(database, "downgrade", revision, plugin_schema)


def downgrade(database: Database, revision: str, plugin_schemas: Iterable[Schema] = ()) -> None:
    """Take the core's schema down to ``revision``; ``base`` first removes every plugin's tables too."""
    if revision == "base":
        for plugin_schema in reversed(list(plugin_schemas)):
            downgrade_plugin(database, plugin_schema)
    _run(database, "downgrade", revision)


@dataclass(frozen=True)
class BranchStatus:
    """How far one history (the core's or a plugin's) is applied, against this code's newest revision."""

    branch: str
    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


@dataclass(frozen=True)
class SchemaStatus:
    """The core's revision and head, and each installed plugin's."""

    current: str | None
    head: str | None
    plugins: tuple[BranchStatus, ...] = field(default_factory=tuple)

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head and all(plugin.up_to_date for plugin in self.plugins)

    def describe(self) -> str:
        """``<core revision>`` followed by ``; <branch>: <revision>`` for each plugin."""
        text = self.current or "base (empty)"
        for plugin in self.plugins:
            text += f"; {plugin.branch}: {plugin.current or 'base (empty)'}"
        return text


def _current(connection: sa.Connection, version_table: str) -> str | None:
    return MigrationContext.configure(connection, opts={"version_table": version_table}).get_current_revision()


def schema_status(database: Database, plugin_schemas: Iterable[Schema] = ()) -> SchemaStatus:
    """Where the database's schema stands compared with this code's migrations.

    Raises:
        DatabaseError: when the database cannot be reached.
    """
    database.ping()
    with database.engine.connect() as connection:
        current = _current(connection, CORE_VERSION_TABLE)
        plugins = tuple(
            BranchStatus(
                plugin_schema.branch, _current(connection, plugin_schema.version_table), head_revision(plugin_schema)
            )
            for plugin_schema in plugin_schemas
        )
    return SchemaStatus(current, head_revision(), plugins)


def require_current_schema(database: Database, plugin_schemas: Iterable[Schema] = ()) -> SchemaStatus:
    """Raise a :class:`DatabaseError` that says how to fix an out-of-date schema."""
    status = schema_status(database, plugin_schemas)
    if status.current is None:
        raise DatabaseError(
            f"the database {describe_url(database.url)} has no Clarion schema yet; "
            "run `clarion db upgrade` (or `clarion serve --demo` for a demo)"
        )
    if status.current != status.head:
        raise DatabaseError(
            f"the database schema is at revision {status.current}, this Clarion needs {status.head}; "
            "run `clarion db upgrade`"
        )
    for plugin in status.plugins:
        if not plugin.up_to_date:
            raise DatabaseError(
                f"the tables of plugin schema {plugin.branch!r} are at revision {plugin.current or 'base (none)'}, "
                f"this Clarion needs {plugin.head}; run `clarion db upgrade`"
            )
    return status


def _expression_indexes(tables: set[str]) -> dict[str, str]:
    """Index name → table for indexes on expressions, which autogenerate cannot compare everywhere."""
    return {
        str(index.name): table.name
        for table in models.metadata.sorted_tables
        if table.name in tables
        for index in table.indexes
        if any(not isinstance(expression, sa.Column) for expression in index.expressions)
    }


def _index_names(connection: sa.Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return set(connection.exec_driver_sql(query).scalars())


def owned_tables(plugin_schemas: Iterable[Schema] = ()) -> set[str]:
    """The names of the core's tables and of the given plugins' tables."""
    return set(models.CORE_TABLES) | {table.name for plugin_schema in plugin_schemas for table in plugin_schema.tables}


def schema_drift(database: Database, plugin_schemas: Iterable[Schema] = ()) -> list[Any]:
    """Differences autogenerate would write between the models and the migrated database.

    Only the core's tables and the given plugins' are compared: a removed plugin's tables stay in
    the database without being drift. Expression indexes are checked by name on every database,
    since SQLite cannot reflect them.
    """
    tables = owned_tables(plugin_schemas)
    version_tables = {CORE_VERSION_TABLE} | {plugin_schema.version_table for plugin_schema in plugin_schemas}

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ != "table":
            return True
        if reflected and compare_to is None:  # only in the database: someone's table, not drift
            return name in tables and name not in version_tables
        return name in tables

    expression_indexes = _expression_indexes(tables)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "compare_server_default": True, "include_object": include},
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*expression-based index")
            drift = list(compare_metadata(context, models.metadata))
        present = _index_names(connection)
        if connection.dialect.name == "sqlite":
            drift.extend(
                ("missing_autoincrement", table)
                for table in _tables_without_autoincrement(connection)
                if table in tables
            )
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
