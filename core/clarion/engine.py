"""The engine: settings, database and plugins of one Clarion instance, behind typed methods.

Only this module calls ``pm.hook.*``; everything else asks the engine. The engine imports no
service: it is handed a ready plugin manager (:func:`clarion.bootstrap.build_engine` builds one),
and process-wide helpers such as the job queue attach themselves as lazily built resources
(:meth:`Engine.resource`).
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, col

from clarion.badges import Badge
from clarion.clock import Clock, default_clock, using
from clarion.config import IgnoredSettingWarning, Settings
from clarion.connectors import Connector
from clarion.contracts import AdminPage, Erasure, Job, PersonRows, Schema, ServeSetup
from clarion.db import AFTER_COMMIT, ENGINE, PENDING_NOTIFICATIONS, Database
from clarion.emv import EmvModel
from clarion.errors import (
    ConfigError,
    Conflict,
    DatabaseError,
    NotAuthenticated,
    PluginConflict,
    PluginError,
    ValidationFailed,
)
from clarion.events import RecordedEvent
from clarion.guardrails import ShareDraft, Violation
from clarion.identity import Identity, RequestInfo
from clarion.models import Event, PointsEntry
from clarion.plugin_manager import ClarionPluginManager
from clarion.scoring import Award, PointsMoved
from clarion.widgets import Widget

if TYPE_CHECKING:
    import click
    from litestar import Request
    from litestar.types import ControllerRouterHandler

    from clarion.actors import Actor

logger = logging.getLogger("clarion.engine")

# A core subscriber to the after-commit event bus: called with the engine and each committed event.
Pipeline = Callable[["Engine", RecordedEvent], object]


def _name_of(pipeline: Pipeline) -> str:
    return f"{getattr(pipeline, '__module__', '?')}.{getattr(pipeline, '__qualname__', repr(pipeline))}"


T = TypeVar("T")


class Engine:
    """One Clarion instance. Build it once per process (or per test) and share it.

    Build it with :func:`clarion.bootstrap.build_engine`, which loads the plugins first.

    Args:
        settings: The instance's settings.
        pm: A ready plugin manager, its plugins loaded and checked.
        database: A ready database; built from ``settings.database_url`` when omitted.
        clock: Where "now" comes from (:mod:`clarion.clock`); the process default (the system
            clock) when omitted. Services read ``engine.clock``; :meth:`transaction` binds it.
        pipelines: The core's own subscribers to the after-commit event bus, called for every
            committed event before plugin observers (the points ledger is one;
            :func:`clarion.bootstrap.build_engine` passes it). A pipeline's failure is logged.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        pm: ClarionPluginManager,
        database: Database | None = None,
        clock: Clock | None = None,
        pipelines: Sequence[Pipeline] = (),
    ) -> None:
        self.settings = settings
        self.pipelines: tuple[Pipeline, ...] = tuple(pipelines)
        self.clock: Clock = clock if clock is not None else default_clock()
        self.pm = pm
        self._plugin_configs = self._validate_plugin_configs()
        self._connectors: dict[str, Connector] = self._collect_named(
            "clarion_connectors_register", lambda connector: connector.key, "connector"
        )
        self._widgets: dict[str, Widget] = self._collect_named(
            "clarion_widgets_register", lambda widget: widget.name, "widget"
        )
        self._emv_models: dict[str, EmvModel] = self._collect_named(
            "clarion_emv_models_register", lambda model: model.key, "EMV model"
        )
        self._badges: dict[str, Badge] = self._collect_named(
            "clarion_badges_register", lambda badge: badge.name, "badge"
        )
        self._schemas: dict[str, Schema] = self._collect_schemas()
        # Opened last, so a start-up refused above leaves no connection pool behind.
        self.db = database if database is not None else Database(settings.database_url)
        self._resources: dict[str, Any] = {}
        self._resources_lock = threading.Lock()

    def resource(self, key: str, factory: Callable[[Engine], T]) -> T:
        """The process-wide helper named ``key``, built by ``factory(engine)`` on first use.

        The job queue, click capture and plugins' own clients (an identity provider's, say)
        attach themselves this way, so the engine needs to know none of them; each is built once
        per engine (request threads ask concurrently) and closed, newest first, by :meth:`close`
        when it has a ``close()``.
        """
        with self._resources_lock:
            if key not in self._resources:
                self._resources[key] = factory(self)
            built: T = self._resources[key]
            return built

    # -- building -----------------------------------------------------------------------

    def _impl_results(self, hook_name: str, **kwargs: Any) -> Iterable[tuple[str, Any]]:
        """Call each implementation of a register hook on its own, to know who said what."""
        caller = getattr(self.pm.hook, hook_name)
        for impl in reversed(caller.get_hookimpls()):
            arguments = {name: kwargs[name] for name in impl.argnames}
            try:
                result = impl.function(**arguments)
            except PluginError:
                raise
            except Exception as exc:
                raise PluginError(
                    f"plugin {impl.plugin_name!r} failed in {hook_name}: {type(exc).__name__}: {exc}"
                ) from exc
            yield impl.plugin_name, result

    def _collect_named(self, hook_name: str, key: Callable[[T], str], kind: str) -> dict[str, T]:
        found: dict[str, T] = {}
        owners: dict[str, str] = {}
        for plugin_name, items in self._impl_results(hook_name, engine=self):
            for item in items or ():
                name = key(item)
                if name in found:
                    raise PluginConflict(
                        f"two plugins register the {kind} {name!r}: "
                        f"{owners[name]!r} and {plugin_name!r}; block one of them"
                    )
                found[name] = item
                owners[name] = plugin_name
        return dict(sorted(found.items()))

    def _collect_schemas(self) -> dict[str, Schema]:
        found: dict[str, Schema] = {}
        owners: dict[str, str] = {}
        for plugin_name, schema in self._impl_results("clarion_tables_register", engine=self):
            if schema is None:
                continue
            if not isinstance(schema, Schema):
                raise PluginError(
                    f"plugin {plugin_name!r}: clarion_tables_register must return a clarion.contracts.Schema"
                )
            if schema.branch in found:
                raise PluginConflict(
                    f"two plugins register the schema branch {schema.branch!r}: "
                    f"{owners[schema.branch]!r} and {plugin_name!r}; block one of them"
                )
            found[schema.branch] = schema
            owners[schema.branch] = plugin_name
        self._schema_owners = owners
        return found

    def _validate_plugin_configs(self) -> dict[str, Any]:
        schemas: dict[str, type[BaseModel]] = {}
        for plugin_name, schema in self._impl_results("clarion_config_register", engine=self):
            if schema is not None:
                schemas[plugin_name] = schema
        configured = set(self.settings.plugins)
        for name in sorted(name for name in configured if self.pm.is_blocked(name) and self.settings.plugins[name]):
            warnings.warn(
                f"[plugins.{name}] is set but the {name!r} plugin is blocked (disabled_plugins): "
                f"its settings ({', '.join(sorted(self.settings.plugins[name]))}) are ignored",
                IgnoredSettingWarning,
                stacklevel=2,
            )
        unknown = sorted(name for name in configured - set(schemas) if not self.pm.is_blocked(name))
        if unknown:
            raise ConfigError(
                f"[plugins.{unknown[0]}] in the configuration matches no plugin that takes settings "
                f"(loaded plugins: {', '.join(sorted(self.pm.records))})"
            )
        validated: dict[str, Any] = {}
        for plugin_name, schema in schemas.items():
            raw = self.settings.plugin_section(plugin_name)
            accepted = {name for name, field in schema.model_fields.items()} | {
                field.alias for field in schema.model_fields.values() if field.alias
            }
            unknown_keys = sorted(set(raw) - accepted)
            if unknown_keys:
                raise ConfigError(
                    f"[plugins.{plugin_name}] {unknown_keys[0]}: no such setting "
                    f"(accepted: {', '.join(sorted(accepted)) or 'none'})"
                )
            try:
                validated[plugin_name] = schema.model_validate(raw)
            except ValidationError as exc:
                first = exc.errors()[0]
                where = ".".join(str(part) for part in first["loc"])  # empty for a check across fields
                message = first["msg"].removeprefix("Value error, ")  # a validator's own sentence
                raise ConfigError(f"[plugins.{plugin_name}] {f'{where}: ' if where else ''}{message}") from exc
        return validated

    # -- typed façade over the hooks ------------------------------------------------------

    def plugin_config(self, plugin_name: str) -> Any:
        """The validated settings object of a plugin that declared a config schema."""
        try:
            return self._plugin_configs[plugin_name]
        except KeyError:
            raise ConfigError(f"plugin {plugin_name!r} declares no settings") from None

    def plugin_template_dirs(self) -> list[Path]:
        """``templates/`` folders shipped next to plugin modules, in registration order."""
        found = []
        for _name, plugin in self.pm.list_name_plugin():
            module_file = getattr(plugin, "__file__", None)
            if module_file is None:
                continue
            candidate = Path(module_file).parent / "templates"
            if candidate.is_dir() and candidate not in found:
                found.append(candidate)
        return found

    def plugin_locale_dirs(self) -> list[Path]:
        """``locale/`` folders shipped next to plugin modules: the catalogs of their templates' words."""
        found = []
        for _name, plugin in self.pm.list_name_plugin():
            module_file = getattr(plugin, "__file__", None)
            if module_file is None:
                continue
            candidate = Path(module_file).parent / "locale"
            if candidate.is_dir() and candidate not in found:
                found.append(candidate)
        return found

    def plugin_static_dirs(self) -> dict[str, Path]:
        """Plugin name → the ``static/`` folder next to its module, served at ``/static/plugins/<name>/``."""
        found: dict[str, Path] = {}
        for name, plugin in self.pm.list_name_plugin():
            module_file = getattr(plugin, "__file__", None)
            if module_file is None:
                continue
            candidate = Path(module_file).parent / "static"
            if candidate.is_dir():
                found[name] = candidate
        return dict(sorted(found.items()))

    def connectors(self) -> dict[str, Connector]:
        """Every connector, keyed by network."""
        return self._connectors

    def connector(self, network: str) -> Connector:
        """The connector for ``network``.

        Raises:
            ValidationFailed: when no plugin provides that network.
        """
        try:
            return self._connectors[network]
        except KeyError:
            known = ", ".join(self._connectors) or "none"
            raise ValidationFailed(f"unknown network {network!r}; known networks: {known}", field="network") from None

    def emv_models(self) -> dict[str, EmvModel]:
        """Every earned-media-value model, keyed by its key."""
        return self._emv_models

    def widgets(self) -> dict[str, Widget]:
        """Every widget, keyed by name."""
        return self._widgets

    def badges(self) -> dict[str, Badge]:
        """Every badge, keyed by name, in registration order."""
        return self._badges

    def schemas(self) -> dict[str, Schema]:
        """Every plugin's own tables and migrations, keyed by branch, in registration order."""
        return self._schemas

    def routes(self) -> list[tuple[str, ControllerRouterHandler]]:
        """Every plugin's web routes with the name of the plugin that owns them."""
        return [
            (plugin_name, handler)
            for plugin_name, handlers in self._impl_results("clarion_routes_register", engine=self)
            for handler in handlers or ()
        ]

    def admin_pages(self) -> list[tuple[str, AdminPage]]:
        """Every plugin's admin pages with the name of the plugin that owns them, in menu order.

        Raises:
            PluginConflict: two pages claim one path.
        """
        owners: dict[str, str] = {}
        found: list[tuple[str, AdminPage]] = []
        for plugin_name, pages in self._impl_results("clarion_admin_pages_register", engine=self):
            for page in pages or ():
                if page.path in owners:
                    raise PluginConflict(
                        f"two plugins register the admin page {page.path!r}: "
                        f"{owners[page.path]!r} and {plugin_name!r}; block one of them"
                    )
                owners[page.path] = plugin_name
                found.append((plugin_name, page))
        return sorted(found, key=lambda item: (item[1].order, item[1].path))

    def commands(self) -> list[tuple[str, click.Command]]:
        """Every plugin's ``clarion`` sub-commands with the name of the plugin that owns them."""
        return [
            (plugin_name, command)
            for plugin_name, commands in self._impl_results("clarion_commands_register", engine=self)
            for command in commands or ()
        ]

    def jobs_registered(self) -> dict[str, Job]:
        """Every plugin's background jobs, keyed by name.

        Raises:
            PluginConflict: two plugins register a job of the same name.
        """
        return self._collect_named("clarion_jobs_register", lambda job: job.name, "job")

    def plugin_parts(self) -> dict[str, dict[str, list[str]]]:
        """Plugin name → what it owns (routes, tables, jobs, commands, admin pages), for ``clarion plugins``."""
        parts: dict[str, dict[str, list[str]]] = {}

        def add(plugin_name: str, kind: str, item: str) -> None:
            parts.setdefault(plugin_name, {}).setdefault(kind, []).append(item)

        for plugin_name, handler in self.routes():
            for path in _handler_paths(handler):
                add(plugin_name, "routes", path)
        for owned in parts.values():
            owned["routes"] = sorted(set(owned["routes"]))
        for branch, schema in self._schemas.items():
            for table in schema.tables:
                add(self._schema_owners[branch], "tables", table.name)
        for plugin_name, jobs in self._impl_results("clarion_jobs_register", engine=self):
            for job in jobs or ():
                add(plugin_name, "jobs", f"{job.name} ({job.schedule})" if job.schedule else job.name)
        for plugin_name, command in self.commands():
            add(plugin_name, "commands", command.name or "")
        for plugin_name, page in self.admin_pages():
            add(plugin_name, "admin pages", f"{page.path} ({page.role})")
        return parts

    def prepare_serving(self, serve: ServeSetup, *, demo: bool) -> None:
        """Let every plugin adjust a ``clarion serve`` run before the server starts.

        Raises:
            PluginError: naming the plugin whose preparation failed.
        """
        for _ in self._impl_results("clarion_serve_prepare", engine=self, demo=demo, serve=serve):
            pass  # implementations adjust ``serve`` and return nothing

    def page_sections(self, page: str, slot: str, *, request: Request[Any, Any, Any], language: str) -> list[str]:
        """The HTML sections plugins put in ``slot`` of ``page``, in call order."""
        results = self.pm.hook.clarion_page_sections_render(
            engine=self, page=page, slot=slot, request=request, language=language
        )
        return [section for result in results for section in (result or ())]

    def identify(self, request: RequestInfo) -> Identity | None:
        """Ask the identity providers who sent ``request``; ``None`` when nobody knows.

        Raises:
            NotAuthenticated: a provider recognised and refused the request's credential.
        """
        result = self.pm.hook.clarion_identity_compute(engine=self, request=request)
        if result is not None and not isinstance(result, Identity):
            raise NotAuthenticated("identity provider returned something that is not an Identity")
        return result

    def share_violations(self, draft: ShareDraft, session: Session) -> list[Violation]:
        """Every guardrail's objections to ``draft``, read inside the caller's transaction."""
        results = self.pm.hook.clarion_share_violations_compute(engine=self, draft=draft, session=session)
        return [violation for result in results for violation in (result or ())]

    def awards(self, event: RecordedEvent) -> list[Award]:
        """Every scoring rule's awards for ``event``, in a stable order."""
        results = self.pm.hook.clarion_awards_compute(engine=self, event=event)
        awards = [award for result in results for award in (result or ())]
        return sorted(awards, key=lambda award: (award.rule, award.ambassador_id))

    def notify(self, event: RecordedEvent) -> None:
        """The after-commit event bus: the core's pipelines, then plugin observers, hear of ``event``.

        The pipelines (the points ledger) run first, so an observer sees the points an event earned.
        A failure is logged, never raised: the action that recorded the event has committed.
        """
        for pipeline in self.pipelines:
            try:
                pipeline(self, event)
            except Exception:
                logger.exception("pipeline %r failed on event %s (%s)", _name_of(pipeline), event.id, event.kind)
        caller = self.pm.hook.clarion_event_on_recorded
        for impl in reversed(caller.get_hookimpls()):  # pluggy's call order, as for every hook
            arguments = {"engine": self, "event": event}
            try:
                impl.function(**{name: arguments[name] for name in impl.argnames})
            except Exception:
                logger.exception("observer %r failed on event %s (%s)", impl.plugin_name, event.id, event.kind)

    def points_changed(self, session: Session, changes: Sequence[PointsMoved]) -> None:
        """Tell plugins that awarded points moved, inside the ledger's transaction; their errors roll it back."""
        self.pm.hook.clarion_points_on_change(engine=self, session=session, changes=list(changes))

    def points_scored(self, event: RecordedEvent, entries: Sequence[PointsEntry]) -> None:
        """Tell plugins an event was scored (after commit); a plugin's failure is logged, never raised."""
        caller = self.pm.hook.clarion_points_on_scored
        for impl in reversed(caller.get_hookimpls()):
            arguments = {"engine": self, "event": event, "entries": list(entries)}
            try:
                impl.function(**{name: arguments[name] for name in impl.argnames})
            except Exception:
                logger.exception("plugin %r failed after scoring event %s (%s)", impl.plugin_name, event.id, event.kind)

    def points_recomputed(self, session: Session) -> None:
        """Let plugins rebuild what they derive from the ledger, inside the recompute's transaction."""
        self.pm.hook.clarion_points_on_recompute(engine=self, session=session)

    def widget_context(self, widget: str, viewer: Actor, session: Session) -> dict[str, Any]:
        """What plugins add to the context of ``widget`` for ``viewer``, merged in call order."""
        results = self.pm.hook.clarion_widget_context_compute(
            engine=self, widget=widget, viewer=viewer, session=session
        )
        merged: dict[str, Any] = {}
        for result in reversed(results):  # pluggy answers last-registered first; later plugins win
            if result is not None and not isinstance(result, Mapping):
                raise PluginError(f"clarion_widget_context_compute must return a mapping, not {type(result).__name__}")
            merged.update(result or {})
        return merged

    def person_export(self, session: Session, ambassador_id: int) -> list[PersonRows]:
        """Every plugin's rows about one person, in call order."""
        results = self.pm.hook.clarion_person_export_compute(engine=self, session=session, ambassador_id=ambassador_id)
        found: list[PersonRows] = []
        for result in reversed(results):
            for item in result or ():
                if not isinstance(item, PersonRows):
                    raise PluginError(
                        f"clarion_person_export_compute must return PersonRows, not {type(item).__name__}"
                    )
                found.append(item)
        return found

    def person_erase(self, session: Session, erasure: Erasure) -> None:
        """Let every plugin erase its rows about ``erasure.ambassador_id`` (errors roll the erasure back)."""
        self.pm.hook.clarion_person_erase_prepare(engine=self, session=session, erasure=erasure)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A database session that commits at the end, then tells observers of new events.

        Inside the block :func:`clarion.clock.utcnow` reads :attr:`clock` (default timestamps too).
        """
        try:
            with using(self.clock), self.db.session() as session:
                session.info[ENGINE] = self
                yield session
                pending = session.info.pop(PENDING_NOTIFICATIONS, [])
                callbacks = session.info.pop(AFTER_COMMIT, [])
        except sa_exc.OperationalError as exc:
            raise DatabaseError(f"the database failed: {_first_line(exc)}") from exc
        except sa_exc.DataError as exc:
            # The database refused a value the checks let through (e.g. out of range).
            raise ValidationFailed(f"a value is not acceptable to the database: {_first_line(exc)}") from exc
        except sa_exc.IntegrityError as exc:
            raise Conflict(f"the change clashes with existing data: {_first_line(exc)}") from exc
        for event in self._committed(pending):
            self.notify(event)
        for callback in callbacks:
            try:
                callback()
            except Exception:
                # The change is committed; a lost follow-up (say, an enqueue while Redis is down)
                # is picked up by the job sweeper, so the caller's request still succeeds.
                logger.exception("after-commit callback %r failed", callback)

    def _committed(self, pending: list[RecordedEvent]) -> list[RecordedEvent]:
        """The pending events that survived the commit: a rolled-back savepoint drops its events."""
        if not pending:
            return []
        with self.db.session() as session:
            rows = session.execute(
                sa.select(col(Event.id), col(Event.idempotency_key)).where(
                    col(Event.id).in_([event.id for event in pending])
                )
            ).all()
        # Compare keys too: an id freed by a rollback may already belong to a newer event.
        stored = {(event_id, key) for event_id, key in rows}
        return [event for event in pending if (event.id, event.idempotency_key) in stored]

    def close(self) -> None:
        """Close every resource built for this engine (newest first), then the database."""
        with self._resources_lock:
            resources = list(self._resources.values())
            self._resources.clear()
        for resource in reversed(resources):
            closer = getattr(resource, "close", None)
            if closer is not None:
                closer()
        self.db.dispose()


def _handler_paths(handler: Any) -> list[str]:
    """The full paths a Litestar controller, router or route handler answers (for listings only)."""
    base = str(getattr(handler, "path", "") or "")
    if isinstance(handler, type):  # a controller: its route handlers are class attributes
        children = [value for klass in handler.__mro__ for value in vars(klass).values() if hasattr(value, "paths")]
    else:  # a router holds route handlers; a route handler answers its own paths
        children = list(getattr(handler, "route_handlers", ()))
    if children:
        return sorted({_joined(base, path) for child in children for path in _handler_paths(child)})
    paths = getattr(handler, "paths", None)
    if paths:
        return sorted(str(path) for path in paths)
    return [base] if base else [getattr(handler, "__name__", repr(handler))]


def _joined(base: str, path: str) -> str:
    return "/" + "/".join(part for part in (*base.split("/"), *path.split("/")) if part)


def _first_line(error: sa_exc.DBAPIError) -> str:
    original = str(error.orig) if error.orig is not None else str(error)
    return original.strip().splitlines()[0] if original.strip() else type(error).__name__


def hook_names(pm: pluggy.PluginManager) -> list[str]:
    """The names of every hook specification, sorted."""
    return sorted(name for name in dir(pm.hook) if name.startswith("clarion_"))
