"""The engine: settings, database and plugins of one Clarion instance, behind typed methods.

Only this module calls ``pm.hook.*``; everything else asks the engine.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, col

from clarion.badges import Badge
from clarion.config import Settings
from clarion.connectors import Connector
from clarion.db import AFTER_COMMIT, Database
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
from clarion.models import Event
from clarion.plugins import ClarionPluginManager, build_plugin_manager
from clarion.scoring import Award
from clarion.services.events import PENDING_NOTIFICATIONS
from clarion.services.links import LinkCache
from clarion.widgets import Widget

if TYPE_CHECKING:
    from clarion.jobs import Jobs
    from clarion.services.clicks import ClickCapture
    from clarion.services.oidc import OidcClient

logger = logging.getLogger("clarion.engine")

T = TypeVar("T")


class Engine:
    """One Clarion instance. Build it once per process (or per test) and share it.

    Args:
        settings: The instance's settings.
        pm: A ready plugin manager; built from ``settings`` when omitted.
        database: A ready database; built from ``settings.database_url`` when omitted.
        extra_plugins: Plugins to register besides built-ins, entry points and configured
            modules (name → module, module path or object).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        pm: ClarionPluginManager | None = None,
        database: Database | None = None,
        extra_plugins: dict[str, Any] | None = None,
    ) -> None:
        self.settings = settings
        self.pm = pm if pm is not None else build_plugin_manager(settings, extra_plugins=extra_plugins)
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
        if settings.oidc_enabled:
            settings.oidc_secret()  # an unset $env reference stops the start, not the first sign-in
        self._badges: dict[str, Badge] = self._collect_named(
            "clarion_badges_register", lambda badge: badge.name, "badge"
        )
        # Opened last, so a start-up refused above leaves no connection pool behind.
        self.db = database if database is not None else Database(settings.database_url)
        self._jobs: Jobs | None = None
        self._jobs_lock = threading.Lock()
        self._clicks: ClickCapture | None = None
        self._oidc: OidcClient | None = None
        self.link_cache = LinkCache(settings.link_cache_seconds)

    @property
    def jobs(self) -> Jobs:
        """The background job queue; its storage is opened on first use, not at start-up."""
        with self._jobs_lock:  # request threads enqueue concurrently: build one queue, not two
            if self._jobs is None:
                from clarion.jobs import Jobs

                self._jobs = Jobs(self)
            return self._jobs

    @property
    def clicks(self) -> ClickCapture:
        """Click capture of this process: its journal segment is opened on the first click."""
        with self._jobs_lock:
            if self._clicks is None:
                from clarion.services.clicks import ClickCapture

                self._clicks = ClickCapture(self)
            return self._clicks

    @property
    def oidc(self) -> OidcClient:
        """The OIDC client of this process (discovery and keys cached).

        Raises:
            NotFound: OIDC sign-in is not configured.
        """
        with self._jobs_lock:
            if self._oidc is None:
                from clarion.services.oidc import OidcClient

                self._oidc = OidcClient(self.settings)
            return self._oidc

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

    def _validate_plugin_configs(self) -> dict[str, Any]:
        schemas: dict[str, type[BaseModel]] = {}
        for plugin_name, schema in self._impl_results("clarion_config_register", engine=self):
            if schema is not None:
                schemas[plugin_name] = schema
        configured = set(self.settings.plugins)
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
                where = ".".join(str(part) for part in first["loc"])
                message = first["msg"].removeprefix("Value error, ")  # a validator's own sentence
                raise ConfigError(f"[plugins.{plugin_name}] {where}: {message}") from exc
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
        """Tell observers about ``event``; an observer's failure is logged, never raised."""
        caller = self.pm.hook.clarion_event_on_recorded
        for impl in reversed(caller.get_hookimpls()):  # pluggy's call order, as for every hook
            arguments = {"engine": self, "event": event}
            try:
                impl.function(**{name: arguments[name] for name in impl.argnames})
            except Exception:
                logger.exception("observer %r failed on event %s (%s)", impl.plugin_name, event.id, event.kind)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A database session that commits at the end, then tells observers of new events."""
        try:
            with self.db.session() as session:
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
        if self._oidc is not None:
            self._oidc.close()
        if self._clicks is not None:
            self._clicks.close()
        if self._jobs is not None:
            self._jobs.close()
        self.db.dispose()


def _first_line(error: sa_exc.DBAPIError) -> str:
    original = str(error.orig) if error.orig is not None else str(error)
    return original.strip().splitlines()[0] if original.strip() else type(error).__name__


def hook_names(pm: pluggy.PluginManager) -> list[str]:
    """The names of every hook specification, sorted."""
    return sorted(name for name in dir(pm.hook) if name.startswith("clarion_"))
