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


# Where `python examples/intranet/serve.py` listens; `clarion serve --demo` lets it embed widgets.
DEMO_INTRANET_ORIGINS = ("http://127.0.0.1:8001", "http://localhost:8001")


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
        click.echo(f"Editor and admin UI: open {url}admin/signin and pick a demo editor or admin")
        if not settings.embed_origins:
            # The example intranet (examples/intranet/serve.py) may frame and call this demo.
            os.environ["CLARION_EMBED_ORIGINS"] = ",".join(DEMO_INTRANET_ORIGINS)
            click.echo(f"Example intranet: run `python examples/intranet/serve.py`, open {DEMO_INTRANET_ORIGINS[0]}/")
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
@click.option("--no-sweeper", is_flag=True, help="Do not run the periodic sweeper in this worker.")
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
@click.option(
    "--single-use",
    is_flag=True,
    help="A token to exchange once for a session (the admin sign-in page, widgets): unique id, at most 300 s.",
)
@clean_errors
def token(external_id: str, ttl: int, name: str | None, email: str | None, single_use: bool) -> None:
    """Mint a short-lived signed token for EXTERNAL_ID, for trying the API.

    Use it as 'Authorization: Bearer <token>'. Your intranet backend mints the same
    tokens in production (see docs/guides/embed-clarion.md). With --single-use, paste it
    into /admin/signin to open the editor and admin UI.
    """
    import secrets

    from clarion.tokens import EXCHANGE_MAX_TTL_SECONDS, mint_token

    settings = _settings()
    if single_use:
        ttl = min(ttl, EXCHANGE_MAX_TTL_SECONDS)
    jti = secrets.token_urlsafe(16) if single_use else None
    click.echo(mint_token(settings.secret_key, external_id, ttl_seconds=ttl, name=name, email=email, jti=jti))


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
