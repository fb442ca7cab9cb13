"""The ``clarion`` command: serve, the job worker, demo data, database, plugins and tokens."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from clarion import __version__
from clarion.config import Settings, load_settings
from clarion.errors import ClarionError

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"clarion: error: {message}", err=True)
    sys.exit(code)


def clean_errors(function: F) -> F:
    """Turn Clarion's errors into one line on stderr and a non-zero exit, never a traceback."""

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ClarionError as exc:
            _fail(exc.detail)
        except SQLAlchemyError as exc:  # a driver error no service translated: still one line
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            _fail(f"database error: {reason[0] if reason else type(exc).__name__}")
        except KeyboardInterrupt:
            _fail("interrupted", 130)

    return wrapper  # type: ignore[return-value]


def _settings(**overrides: Any) -> Settings:
    return load_settings(**overrides)


@contextmanager
def _engine(settings: Settings) -> Iterator[Any]:
    from clarion.engine import Engine

    engine = Engine(settings)
    try:
        yield engine
    finally:
        engine.close()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clarion")
def main() -> None:
    """Clarion: an employee advocacy engine you embed in your own intranet.

    Settings come from CLARION_* environment variables and ./clarion.toml
    (or the file CLARION_CONFIG names).
    """


# -- serve ---------------------------------------------------------------------------------


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--demo", is_flag=True, help="Create or upgrade the database and load the demo programme first.")
@click.option("--no-worker", is_flag=True, help="Do not run the job consumer in this process.")
@clean_errors
def serve(host: str, port: int, workers: int, demo: bool, no_worker: bool) -> None:
    """Run the web server (and, unless disabled, the job consumer)."""
    import uvicorn

    from clarion import schema
    from clarion.db import Database

    settings = _settings(demo=demo or None)
    started = time.perf_counter()
    database = Database(settings.database_url)
    try:
        if demo:
            schema.upgrade(database)
            with _engine(settings) as engine:
                _load_demo_with_progress(engine)
        schema.require_current_schema(database)
    finally:
        database.dispose()
    url = f"http://{host}:{port}/"
    click.echo(f"Clarion {__version__} serving {url} (database {_describe(settings)}, {workers} worker(s))")
    if demo:
        click.echo(f"Open {url} in your browser; the API explorer is at {url}schema/swagger")
    # Workers build their app from the environment: hand them exactly these settings.
    if demo:
        os.environ["CLARION_DEMO"] = "1"
    os.environ["CLARION_DATABASE_URL"] = settings.database_url
    os.environ["CLARION_SECRET_KEY"] = settings.secret_key
    if settings.base_url == Settings.model_fields["base_url"].default:
        # Nobody said where Clarion is reached: tracked links point at this server itself.
        public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        os.environ["CLARION_BASE_URL"] = f"http://{public_host}:{port}"
    click.echo(f"start-up checks took {time.perf_counter() - started:.2f}s", err=True)
    with _jobs_in_process(settings, enabled=settings.run_consumer_in_serve and not no_worker):
        uvicorn.run(
            "clarion.web.app:create_app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            access_log=False,
        )


@contextmanager
def _jobs_in_process(settings: Settings, *, enabled: bool) -> Iterator[None]:
    """Run the job consumer on threads of this process while the block runs (the embedded default)."""
    if not enabled:
        yield
        return
    with _engine(settings) as engine:
        consumer = engine.jobs.start_in_background()
        click.echo(f"job consumer: {settings.workers} thread(s) on {_describe_queue(settings)}", err=True)
        try:
            yield
        finally:
            consumer.stop()


def _describe_queue(settings: Settings) -> str:
    from clarion.db import describe_url
    from clarion.jobs import queue_file

    if settings.redis_url:
        return f"{describe_url(settings.redis_url)} (queue {settings.queue_name})"
    return f"{queue_file(settings)} (queue {settings.queue_name})"


# -- worker --------------------------------------------------------------------------------


@main.command()
@click.option(
    "--workers", default=None, type=click.IntRange(1, 64), help="Consumer threads [default: the workers setting]."
)
@click.option(
    "--no-sweeper", is_flag=True, help="Do not run the periodic tasks (share sweeper, analytics update) in this worker."
)
@clean_errors
def worker(workers: int | None, no_sweeper: bool) -> None:
    """Run the job consumer: publish shares in the background until SIGTERM or Ctrl-C."""
    import logging

    from clarion import schema

    settings = _settings()
    with _engine(settings) as engine:
        schema.require_current_schema(engine.db)
        consumer = engine.jobs.consumer(workers=workers, periodic=not no_sweeper)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        click.echo(
            f"Clarion {__version__} worker: {workers or settings.workers} thread(s) on {_describe_queue(settings)}, "
            f"database {_describe(settings)}"
        )
        consumer.run()
    click.echo("worker stopped")


def _describe(settings: Settings) -> str:
    from clarion.db import describe_url

    return describe_url(settings.database_url)


# -- demo ----------------------------------------------------------------------------------


def _load_demo_with_progress(engine: Any) -> None:
    from clarion.demo import load_demo

    bar: Any = None

    def progress(step: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None or bar.label != step:
            if bar is not None:
                bar.render_finish()
            bar = click.progressbar(length=total, label=step, file=sys.stderr, show_pos=True)
            bar.label = step
        bar.update(done - bar.pos)

    summary = load_demo(engine, progress=progress)
    if bar is not None:
        bar.render_finish()
    click.echo(summary, err=True)


@main.command()
@clean_errors
def demo() -> None:
    """Load the demo programme (idempotent): people, campaigns, content, 90 days of shares."""
    from clarion import schema

    settings = _settings()
    with _engine(settings) as engine:
        schema.upgrade(engine.db)
        _load_demo_with_progress(engine)


# -- db ------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create, migrate and inspect the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@clean_errors
def db_upgrade(revision: str) -> None:
    """Upgrade the schema (to the newest revision by default)."""
    from clarion import schema
    from clarion.db import Database

    settings = _settings()
    database = Database(settings.database_url)
    try:
        database.ping()
        schema.upgrade(database, revision)
        click.echo(f"database {_describe(settings)} is at revision {schema.schema_status(database).current}")
    finally:
        database.dispose()


@db.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask before dropping tables.")
@clean_errors
def db_downgrade(revision: str, yes: bool) -> None:
    """Downgrade the schema to REVISION ('base' removes every table and its data)."""
    from clarion import schema
    from clarion.db import Database

    settings = _settings()
    if not yes and not click.confirm(f"Downgrade {_describe(settings)} to {revision}? Data in dropped tables is lost"):
        _fail("not confirmed")
    database = Database(settings.database_url)
    try:
        database.ping()
        schema.downgrade(database, revision)
        click.echo(f"database {_describe(settings)} is at revision {schema.schema_status(database).current or 'base'}")
    finally:
        database.dispose()


@db.command("current")
@clean_errors
def db_current() -> None:
    """Show the schema revision, and whether it is the newest."""
    from clarion import schema
    from clarion.db import Database

    settings = _settings()
    database = Database(settings.database_url)
    try:
        status = schema.schema_status(database)
    finally:
        database.dispose()
    state = "up to date" if status.up_to_date else f"out of date, newest is {status.head}; run `clarion db upgrade`"
    click.echo(f"{status.current or 'base (empty)'} ({state})")
    if not status.up_to_date:
        sys.exit(3)


# -- analytics -----------------------------------------------------------------------------


@main.group()
def analytics() -> None:
    """Keep the daily analytics rollups current, or rebuild them from the raw data."""


def _folded(report: Any) -> str:
    folded = report.folded
    return (
        f"{folded['share_event']} share(s), {folded['click']} click(s) and {folded['metric_sample']} metric sample(s)"
    )


@analytics.command("update")
@click.option(
    "--batch-size",
    default=None,
    type=click.IntRange(1, 1_000_000),
    help="Raw rows per source and transaction [default: the analytics_batch_size setting].",
)
@clean_errors
def analytics_update(batch_size: int | None) -> None:
    """Fold the raw rows recorded since the last update into the rollups (the worker does it every minute)."""
    from clarion import schema
    from clarion.services import rollups

    with _engine(_settings()) as engine:
        schema.require_current_schema(engine.db)
        report = rollups.update(engine, batch_size=batch_size)
    click.echo(f"folded {_folded(report)} in {report.batches} batch(es)")


@analytics.command("rebuild")
@clean_errors
def analytics_rebuild() -> None:
    """Recompute every rollup from the raw shares, clicks and metric samples (same result as the updates)."""
    from clarion import schema
    from clarion.services import rollups

    with _engine(_settings()) as engine:
        schema.require_current_schema(engine.db)
        started = time.monotonic()
        report = rollups.rebuild(engine)
    click.echo(f"rebuilt the rollups from {_folded(report)} in {time.monotonic() - started:.1f} s")


# -- plugins ---------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@clean_errors
def plugins(as_json: bool) -> None:
    """List every plugin: where it came from, its version and the hooks it implements."""
    from clarion.engine import Engine

    settings = _settings()
    engine = Engine(settings)
    try:
        records = engine.pm.describe()
    finally:
        engine.close()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": r.name,
                        "source": r.source.value,
                        "module": r.module,
                        "version": r.version,
                        "distribution": r.distribution,
                        "blocked": r.blocked,
                        "hooks": r.hooks,
                    }
                    for r in records
                ],
                indent=2,
            )
        )
        return
    width = max(len(r.name) for r in records) if records else 10
    for record in records:
        version = record.version or "-"
        state = "blocked" if record.blocked else ", ".join(h.removeprefix("clarion_") for h in record.hooks)
        click.echo(f"{record.name:<{width}}  {record.source.value:<11}  {version:<8}  {state}")


# -- tokens ---------------------------------------------------------------------------------


@main.command()
@click.argument("external_id")
@click.option("--ttl", default=900, show_default=True, type=int, help="Lifetime in seconds (max 86400).")
@click.option("--name", default=None, help="Display name, used if the person is new.")
@click.option("--email", default=None, help="E-mail, used if the person is new.")
@clean_errors
def token(external_id: str, ttl: int, name: str | None, email: str | None) -> None:
    """Mint a short-lived signed token for EXTERNAL_ID, for trying the API.

    Use it as 'Authorization: Bearer <token>'. Your intranet backend mints the same
    tokens in production (see docs/guides/embed-clarion.md).
    """
    from clarion.tokens import mint_token

    settings = _settings()
    click.echo(mint_token(settings.secret_key, external_id, ttl_seconds=ttl, name=name, email=email))


@main.group("api-token")
def api_token() -> None:
    """Long-lived API tokens for automation (shown once, stored hashed)."""


@api_token.command("create")
@click.argument("name")
@click.option("--as", "external_id", required=True, help="External id of the ambassador the token acts as.")
@clean_errors
def api_token_create(name: str, external_id: str) -> None:
    """Create a token called NAME acting as an existing ambassador."""
    from sqlmodel import select

    from clarion.models import Ambassador
    from clarion.services.api_tokens import create_api_token

    with _engine(_settings()) as engine, engine.transaction() as session:
        ambassador = session.exec(select(Ambassador).where(Ambassador.external_id == external_id)).first()
        if ambassador is None:
            raise ClarionError(f"no ambassador with external id {external_id!r}")
        stored, clear = create_api_token(session, ambassador, name)
    click.echo(clear)
    click.echo(f"token {stored.prefix} acts as {external_id} ({ambassador.role.value}); it is shown only now", err=True)


@api_token.command("list")
@clean_errors
def api_token_list() -> None:
    """List API tokens (never their secrets)."""
    from clarion.services.api_tokens import list_api_tokens

    with _engine(_settings()) as engine, engine.transaction() as session:
        for stored in list_api_tokens(session):
            state = "revoked" if stored.revoked_at else "active"
            used = stored.last_used_at.isoformat(timespec="seconds") if stored.last_used_at else "never"
            click.echo(f"{stored.prefix}  {state:<7}  last used {used}  {stored.name}")


@api_token.command("revoke")
@click.argument("prefix")
@clean_errors
def api_token_revoke(prefix: str) -> None:
    """Revoke the token whose public part is PREFIX (clr_xxxxxxxx)."""
    from clarion.services.api_tokens import revoke_api_token

    with _engine(_settings()) as engine, engine.transaction() as session:
        revoke_api_token(session, prefix)
    click.echo(f"revoked {prefix}")


@main.command("config")
@clean_errors
def show_config() -> None:
    """Show the settings in effect (secrets hidden)."""
    from clarion.db import describe_url

    settings = _settings()
    values = settings.model_dump()
    values["secret_key"] = "<set>" if settings.secret_key else "<missing>"
    values["database_url"] = describe_url(settings.database_url)
    if settings.redis_url:
        values["redis_url"] = describe_url(settings.redis_url)
    values["plugins"] = dict.fromkeys(settings.plugins, "<section>")
    click.echo(json.dumps(values, indent=2, default=str))


if __name__ == "__main__":
    main()
