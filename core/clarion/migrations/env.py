"""Alembic environment: runs against the connection or URL Clarion hands it."""

from __future__ import annotations

import warnings
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection

from clarion import models
from clarion.db import create_db_engine

config = context.config
target_metadata = models.metadata

# SQLite batch operations reflect related tables, whose expression indexes SQLAlchemy cannot
# reflect. Migrations that rebuild such a table drop and recreate those indexes themselves,
# and the drift check (clarion.schema.schema_drift) fails if one is ever missing.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    # SQLModel's AutoString is a plain VARCHAR; render it as one so migrations need no sqlmodel.
    if type_ == "type" and type(obj).__name__ == "AutoString":
        length = getattr(obj, "length", None)
        return f"sa.String(length={length})" if length else "sa.String()"
    if type_ == "type" and isinstance(obj, models.UTCDateTime):
        return "clarion.models.types.UTCDateTime()"
    return False


# The history being run: the core's (alembic_version) or one plugin's (alembic_version_<branch>),
# and the tables it owns, so autogenerate in one history never proposes another's tables.
VERSION_TABLE: str = config.attributes.get("version_table", "alembic_version")
OWNED_TABLES: set[str] = config.attributes.get("tables") or set(models.CORE_TABLES)


def _include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return type_ != "table" or name in OWNED_TABLES


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=VERSION_TABLE,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
        compare_server_default=True,
        render_item=_render_item,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_db_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
