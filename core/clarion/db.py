"""Database engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.exc import OperationalError as SAOperationalError
from sqlmodel import Session

from clarion import inputs
from clarion.errors import ConfigError, DatabaseError, ValidationFailed

AFTER_COMMIT = "clarion.after_commit"
# Events recorded in a session, told to observers once it commits (the after-commit event bus).
PENDING_NOTIFICATIONS = "clarion.new_events"
ENGINE = "clarion.engine"  # the engine whose transaction a session is, for after-commit hooks


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the transaction of ``session`` has committed (never if it rolls back).

    For work that must not see uncommitted rows, such as enqueueing a job about a new share:
    :meth:`clarion.engine.Engine.transaction` runs the callbacks after its commit.
    """
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while one writer writes; foreign keys are off in SQLite by default.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str, **kwargs: Any) -> sa.Engine:
    """An SQLAlchemy engine for ``url`` with Clarion's connection settings.

    Raises:
        ConfigError: for a URL that is malformed or names a driver that is not installed.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(f"CLARION_DATABASE_URL is not a database URL: {url!r}") from exc
    options: dict[str, Any] = {"pool_pre_ping": True}
    if parsed.get_backend_name() == "sqlite":
        options = {"connect_args": {"check_same_thread": False, "timeout": 10}}
    elif parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            raise ConfigError("use the psycopg 3 driver for PostgreSQL: postgresql+psycopg://user@host/db")
        # JIT compiles the feed query for longer than the query runs (1.5 s of 1.8 s measured).
        options["connect_args"] = {"options": "-c jit=off"}
    options.update(kwargs)
    try:
        engine = sa.create_engine(parsed, **options)
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise ConfigError(
            f"no database driver for {parsed.drivername!r}; for PostgreSQL install clarion[postgres]"
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def describe_url(url: str) -> str:
    """The URL with any password hidden, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid url>"


@sa.event.listens_for(Session, "before_flush")
def _refuse_nul(session: Session, _context: Any, _instances: Any) -> None:
    # PostgreSQL cannot store NUL in text, SQLite can: refused here for both, whatever the way in.
    for row in (*session.new, *session.dirty):
        for name, value in vars(row).items():
            if not name.startswith("_") and inputs.has_nul(value):
                raise ValidationFailed(f"{name.replace('_', ' ')} must not contain NUL characters", field=name)


class Database:
    """The engine's database: a connection pool plus session and reachability helpers."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back on any exception."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def ping(self) -> None:
        """Raise :class:`DatabaseError` when the database cannot be reached."""
        try:
            with self.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except SAOperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseError(f"cannot reach the database {describe_url(self.url)}: {reason}") from exc

    def dispose(self) -> None:
        self.engine.dispose()
