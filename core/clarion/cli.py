"""The ``clarion`` command: serve, the job worker, database, plugins and tokens; plugins add their own."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from clarion import __version__
from clarion.config import SERVE_PLUGIN_SETTINGS_ENV, Settings, load_settings, with_plugin_settings
from clarion.errors import ClarionError, ConfigError

if TYPE_CHECKING:
    from clarion.contracts import ServeSetup
    from clarion.engine import Engine

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
def open_engine(settings: Settings | None = None) -> Iterator[Engine]:
    """An engine built from ``settings`` (read from the environment when omitted), closed at the end."""
    from clarion.bootstrap import build_engine

    engine = build_engine(settings if settings is not None else _settings())
    try:
        yield engine
    finally:
        engine.close()


class ClarionGroup(click.Group):
    """The ``clarion`` group: the core's commands, then every plugin's (``clarion_commands_register``).

    Plugin commands are looked up only when a name is not the core's (or for ``--help``), so the
    core's commands run, and report broken settings themselves, without loading any plugin command.
    """

    _META = "clarion.plugin_commands"

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        found: dict[str, click.Command] | None = ctx.meta.get(self._META)
        if found is not None:
            return found
        found = {}
        ctx.meta[self._META] = found
        from clarion.bootstrap import build_engine

        try:
            engine = build_engine(_settings())
        except ClarionError as exc:
            click.echo(f"clarion: warning: plugin commands are unavailable: {exc.detail}", err=True)
            return found
        ctx.call_on_close(engine.close)
        owners: dict[str, str] = {}
        for plugin_name, command in engine.commands():
            name = command.name or ""
            if name in self.commands:
                _fail(f"plugin {plugin_name!r} adds the command {name!r}, which is the core's; block the plugin")
            if name in found:
                _fail(f"plugins {owners[name]!r} and {plugin_name!r} both add the command {name!r}; block one")
            found[name] = command
            owners[name] = plugin_name
        return found

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._plugin_commands(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._plugin_commands(ctx).get(cmd_name)


@click.group(cls=ClarionGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
@click.option(
    "--demo",
    is_flag=True,
    help="Create or upgrade the database and load the demo programme; the demo plugin runs fake Mastodon and "
    "Bluesky networks beside the server.",
)
@click.option("--no-worker", is_flag=True, help="Do not run the job consumer in this process.")
@clean_errors
def serve(host: str, port: int, workers: int, demo: bool, no_worker: bool) -> None:
    """Run the web server (and, unless disabled, the job consumer)."""
    import uvicorn

    from clarion.contracts import ServeSetup

    settings = _settings(demo=demo or None)
    started = time.perf_counter()
    url = f"http://{host}:{port}/"
    # What plugins start here (the demo's fake networks) lives as long as the server: stopped after it.
    with ExitStack() as running:
        setup = ServeSetup(url=url, resources=running)
        _prepare_serving(settings, setup, demo=demo)
        settings = with_plugin_settings(settings, setup.plugin_settings)
        click.echo(f"Clarion {__version__} serving {url} (database {_describe(settings)}, {workers} worker(s))")
        for line in setup.lines:
            click.echo(line)
        # Workers build their app from the environment: hand them exactly these settings.
        if demo:
            os.environ["CLARION_DEMO"] = "1"
        if setup.plugin_settings:
            os.environ[SERVE_PLUGIN_SETTINGS_ENV] = json.dumps(setup.plugin_settings)
        for name, value in setup.environment.items():
            os.environ.setdefault(name, value)
        os.environ["CLARION_DATABASE_URL"] = settings.database_url
        os.environ["CLARION_SECRET_KEY"] = settings.secret_key
        if settings.base_url == Settings.model_fields["base_url"].default:
            # Nobody said where Clarion is reached: tracked links point at this server itself.
            public_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
            os.environ["CLARION_BASE_URL"] = f"http://{public_host}:{port}"
        click.echo(f"start-up checks took {time.perf_counter() - started:.2f}s", err=True)
        # uvicorn shuts down gracefully on SIGTERM, then raises it again with the handler it found:
        # make that handler an orderly exit, so the job consumer and click ingester stop cleanly too.
        previous = signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            with (
                _jobs_in_process(settings, enabled=settings.run_consumer_in_serve and not no_worker),
                _click_ingester_in_process(settings, enabled=settings.ingest_clicks_in_serve),
            ):
                uvicorn.run(
                    "clarion.web.app:create_app_from_environment",
                    factory=True,
                    host=host,
                    port=port,
                    workers=workers,
                    log_level="info",
                    access_log=False,
                    # The peer stays the peer: Clarion reads X-Forwarded-For itself, from trusted_proxies only.
                    proxy_headers=False,
                )
        finally:
            signal.signal(signal.SIGTERM, previous)


def _prepare_serving(settings: Settings, setup: ServeSetup, *, demo: bool) -> None:
    """Let plugins prepare the run (``clarion_serve_prepare``: with ``--demo``, the demo loads), then check the schema."""
    from clarion import schema

    with open_engine(settings) as engine:
        engine.prepare_serving(setup, demo=demo)
        if demo and not setup.demo_loaded:
            state = "is blocked" if engine.pm.is_blocked("demo") else "is not loaded"
            raise ConfigError(
                f"--demo needs the demo plugin, which {state}; unblock it (CLARION_DISABLED_PLUGINS) "
                "or serve without --demo"
            )
        schema.require_current_schema(engine.db, engine.schemas().values())


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(0)


@contextmanager
def _jobs_in_process(settings: Settings, *, enabled: bool) -> Iterator[None]:
    """Run the job consumer on threads of this process while the block runs (the embedded default)."""
    if not enabled:
        yield
        return
    with open_engine(settings) as engine:
        from clarion.jobs import job_queue

        consumer = job_queue(engine).start_in_background()
        click.echo(f"job consumer: {settings.workers} thread(s) on {_describe_queue(settings)}", err=True)
        try:
            yield
        finally:
            consumer.stop()


@contextmanager
def _click_ingester_in_process(settings: Settings, *, enabled: bool) -> Iterator[None]:
    """Run ``clarion clicks ingest --follow`` beside the server while the block runs.

    A process of its own, not a thread: ingestion is CPU work that would otherwise compete with
    the redirect for the interpreter lock. It exits with its parent, and makes a last pass when
    stopped.
    """
    if not enabled:
        yield
        return
    import subprocess

    from clarion.shares.click_journal import journal_dir

    command = [sys.executable, "-m", "clarion.cli", "clicks", "ingest", "--follow", "--parent", str(os.getpid())]
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    click.echo(
        f"click ingester: every {settings.click_ingest_interval_seconds:g}s from {journal_dir(settings)} "
        f"(process {child.pid})",
        err=True,
    )
    try:
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=60)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        # The child may have been stopped before its first pass (a stop right after start-up):
        # one pass here makes a graceful stop leave nothing in the journal, whatever happened.
        from clarion.shares.clicks import ingest_clicks

        with open_engine(settings) as engine:
            ingest_clicks(engine, wait=True)


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
    with open_engine(settings) as engine:
        schema.require_current_schema(engine.db, engine.schemas().values())
        from clarion.jobs import job_queue

        consumer = job_queue(engine).consumer(workers=workers, periodic=not no_sweeper)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
        click.echo(
            f"Clarion {__version__} worker: {workers or settings.workers} thread(s) on {_describe_queue(settings)}, "
            f"database {_describe(settings)}"
        )
        consumer.run()
    click.echo("worker stopped")


@main.command("rate-limits")
@click.option("--network", default=None, help="Only this network's budgets (its key, e.g. mastodon).")
@clean_errors
def rate_limits(network: str | None) -> None:
    """List the call budgets networks reported, and which hold shares back until when."""
    from clarion.shares.rate_limits import budgets

    with open_engine() as engine, engine.transaction() as session:
        rows = budgets(session, network)
        now = engine.clock.now()
    if not rows:
        click.echo("no rate limits reported" + (f" by {network}" if network else ""))
        return
    for row in rows:
        left = "?" if row.remaining is None else str(row.remaining)
        of = f"/{row.window_limit}" if row.window_limit is not None else ""
        reset = row.reset_at.isoformat(timespec="seconds") if row.reset_at else "-"
        held = row.blocked_until is not None and row.blocked_until > now
        state = (
            f"waiting until {row.blocked_until.isoformat(timespec='seconds')}" if held and row.blocked_until else "ok"
        )
        click.echo(f"{row.network:<12}  {row.scope:<16}  {left + of:>11} left  reset {reset}  {state}")


def _describe(settings: Settings) -> str:
    from clarion.db import describe_url

    return describe_url(settings.database_url)


# -- clicks --------------------------------------------------------------------------------


@main.group()
def clicks() -> None:
    """Tracked-link clicks: move them from the journal into the database, re-check bots."""


@clicks.command("ingest")
@click.option("--no-wait", is_flag=True, help="Exit at once if another ingester is running here.")
@click.option("--follow", is_flag=True, help="Keep ingesting every click_ingest_interval_seconds until SIGTERM.")
@click.option("--parent", type=int, default=None, help="With --follow: also stop when process PARENT is gone.")
@clean_errors
def clicks_ingest(no_wait: bool, follow: bool, parent: int | None) -> None:
    """Move journalled clicks into the database (also done by `clarion serve` and the worker).

    Safe to run at any time, as often as you like: clicks already stored are skipped, and
    journals left by a killed server are picked up.
    """
    from clarion import schema
    from clarion.shares.click_journal import journal_dir
    from clarion.shares.clicks import ClickIngestLoop, ingest_clicks

    settings = _settings()
    if follow:
        previous = signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            with open_engine(settings) as engine:
                schema.require_current_schema(engine.db, engine.schemas().values())
                loop = ClickIngestLoop(engine).start()
                try:
                    while parent is None or os.getppid() == parent:
                        time.sleep(0.5)
                except (SystemExit, KeyboardInterrupt):
                    pass
                finally:
                    loop.stop()  # one last pass: a graceful stop leaves nothing behind
        except (SystemExit, KeyboardInterrupt):
            pass  # stopped while starting: nothing was read yet, the journal keeps everything
        finally:
            signal.signal(signal.SIGTERM, previous)
        return
    with open_engine(settings) as engine:
        schema.require_current_schema(engine.db, engine.schemas().values())
        report = ingest_clicks(engine, wait=not no_wait)
    if report.busy:
        _fail(f"another ingester is working on {journal_dir(settings)}; try again or drop --no-wait", 75)
    click.echo(
        f"{report.stored} click(s) stored ({report.counted} counted), {report.already_stored} already stored, "
        f"{report.orphaned} for deleted shares, {report.unreadable} unreadable; "
        f"{report.segments_removed} journal file(s) removed, {report.keys_destroyed} visitor key(s) destroyed"
    )


@clicks.command("reclassify")
@click.option(
    "--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Only clicks from this UTC day on."
)
@clean_errors
def clicks_reclassify(since: Any) -> None:
    """Run the bot detector again over stored clicks, after the bot lists changed.

    Counted clicks now recognised as bots stop counting and get a click.discounted event.
    """
    from datetime import UTC

    from clarion import schema
    from clarion.shares.clicks import reclassify_clicks

    settings = _settings()
    with open_engine(settings) as engine:
        schema.require_current_schema(engine.db, engine.schemas().values())
        report = reclassify_clicks(engine, since=since.replace(tzinfo=UTC) if since else None)
    click.echo(f"{report.checked} click(s) checked, {report.now_bots} now bots, {report.discounted} discounted")
    for reason, count in sorted(report.reasons.items()):
        click.echo(f"  {count:>6}  {reason}")


# -- db ------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create, migrate and inspect the database schema."""


@db.command("upgrade")
@click.argument("revision", default="head")
@clean_errors
def db_upgrade(revision: str) -> None:
    """Upgrade the schema (to the newest revision by default), then every plugin's tables."""
    from clarion import schema

    settings = _settings()
    with open_engine(settings) as engine:
        engine.db.ping()
        plugin_schemas = list(engine.schemas().values())
        schema.upgrade(engine.db, revision, plugin_schemas)
        status = schema.schema_status(engine.db, plugin_schemas)
    click.echo(f"database {_describe(settings)} is at revision {status.describe()}")


@db.command("downgrade")
@click.argument("revision")
@click.option("--yes", is_flag=True, help="Do not ask before dropping tables.")
@clean_errors
def db_downgrade(revision: str, yes: bool) -> None:
    """Downgrade the core's schema to REVISION ('base' removes every table, plugins' too, and its data)."""
    from clarion import schema

    settings = _settings()
    if not yes and not click.confirm(f"Downgrade {_describe(settings)} to {revision}? Data in dropped tables is lost"):
        _fail("not confirmed")
    with open_engine(settings) as engine:
        engine.db.ping()
        plugin_schemas = list(engine.schemas().values())
        schema.downgrade(engine.db, revision, plugin_schemas)
        status = schema.schema_status(engine.db, plugin_schemas)
    click.echo(f"database {_describe(settings)} is at revision {status.describe()}")


@db.command("current")
@clean_errors
def db_current() -> None:
    """Show the schema revision of the core and of every plugin's tables, and whether they are the newest."""
    from clarion import schema

    with open_engine() as engine:
        status = schema.schema_status(engine.db, engine.schemas().values())
    if status.up_to_date:
        state = "up to date"
    else:
        behind = [f"core (newest {status.head})"] if status.current != status.head else []
        behind += [f"{plugin.branch} (newest {plugin.head})" for plugin in status.plugins if not plugin.up_to_date]
        state = f"out of date: {', '.join(behind)}; run `clarion db upgrade`"
    click.echo(f"{status.describe()} ({state})")
    if not status.up_to_date:
        sys.exit(3)


# -- plugins ---------------------------------------------------------------------------------


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@clean_errors
def plugins(as_json: bool) -> None:
    """List every plugin: where it came from, its version and the hooks it implements."""

    with open_engine() as engine:
        records = engine.pm.describe()
        parts = engine.plugin_parts()
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
                        "owns": parts.get(r.name, {}),
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
        for kind, items in parts.get(record.name, {}).items():
            click.echo(f"{'':<{width}}    {kind}: {', '.join(items)}")


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

    from clarion.ambassadors.api_tokens import create_api_token
    from clarion.models import Ambassador

    with open_engine() as engine, engine.transaction() as session:
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
    from clarion.ambassadors.api_tokens import list_api_tokens

    with open_engine() as engine, engine.transaction() as session:
        for stored in list_api_tokens(session):
            state = "revoked" if stored.revoked_at else "active"
            used = stored.last_used_at.isoformat(timespec="seconds") if stored.last_used_at else "never"
            click.echo(f"{stored.prefix}  {state:<7}  last used {used}  {stored.name}")


@api_token.command("revoke")
@click.argument("prefix")
@clean_errors
def api_token_revoke(prefix: str) -> None:
    """Revoke the token whose public part is PREFIX (clr_xxxxxxxx)."""
    from clarion.ambassadors.api_tokens import revoke_api_token

    with open_engine() as engine, engine.transaction() as session:
        revoke_api_token(session, prefix)
    click.echo(f"revoked {prefix}")


# -- metrics -------------------------------------------------------------------------------


@main.group()
def metrics() -> None:
    """Poll networks for share metrics (the metrics-import plugin adds `clarion import-metrics`)."""


@metrics.command("sync")
@click.option("--share", "share_id", type=click.IntRange(1, 2**31 - 1), help="Poll this share now, due or not.")
@click.option("--dry-run", is_flag=True, help="Show what is due; ask no network and store nothing.")
@clean_errors
def metrics_sync(share_id: int | None, dry_run: bool) -> None:
    """Ask the networks for the figures of every share that is due (what the worker does every 10 minutes)."""
    from clarion import schema
    from clarion.metrics import metric_sync

    with open_engine() as engine:
        schema.require_current_schema(engine.db, engine.schemas().values())
        report = metric_sync.sync(engine, share_id=share_id, dry_run=dry_run)
    for plan in report.plans:
        where = f"ambassador {plan.ambassador_id} on {plan.network}"
        if plan.skipped_reason:
            click.echo(f"{where}: skipped, {plan.skipped_reason}")
            continue
        later = f" ({plan.over_budget} more next run)" if plan.over_budget else ""
        ids = ", ".join(str(item.share_id) for item in plan.shares)
        click.echo(f"{where}: {'would poll' if dry_run else 'polled'} share(s) {ids}{later}")
    if dry_run:
        click.echo(f"{report.due} share(s) due; nothing was asked or stored (dry run)")
        return
    for message in report.messages:
        click.echo(message, err=True)
    click.echo(
        f"{report.polled} post(s) polled, {report.samples} new sample(s), {report.deferred} deferred, "
        f"{report.failed} failed"
    )


@main.group()
def scores() -> None:
    """The points ledger."""


@scores.command("recompute")
@clean_errors
def scores_recompute() -> None:
    """Rebuild the points ledger from the event log with the current rules and settings.

    Runs in one transaction: readers see the previous ledger until it commits. Held points an
    admin released or rejected stay decided, as those decisions are events too.
    """
    import time

    from clarion.points.points import recompute

    with open_engine() as engine:
        started = time.perf_counter()
        result = recompute(engine)
        seconds = time.perf_counter() - started
    click.echo(f"recomputed the ledger: {result.events} events scored into {result.entries} entries in {seconds:.1f} s")


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
