"""``create_app(settings)``: the Litestar application of one Clarion engine."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import ImproperlyConfiguredException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Schema, SecurityScheme
from litestar.plugins import InitPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.pydantic import PydanticSchemaPlugin
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import Message, Scope
from litestar.typing import FieldDefinition
from swagger_ui_bundle import swagger_ui_path

from clarion import __version__
from clarion.actors import Actor
from clarion.ambassadors.api.ambassadors.controller import AmbassadorController
from clarion.ambassadors.api.me.controller import MeController
from clarion.bootstrap import build_engine
from clarion.config import (
    SERVE_PLUGIN_SETTINGS_ENV,
    Settings,
    load_settings,
    plugin_settings_from_environment,
    with_plugin_settings,
)
from clarion.content.api.campaigns.controller import CampaignController
from clarion.content.api.content.controller import ContentController
from clarion.content.api.guidelines.controller import GuidelinesController
from clarion.engine import Engine
from clarion.errors import PluginConflict, PluginError
from clarion.metrics.api.metrics.controller import MetricsController
from clarion.pagination import PageRequest
from clarion.points.api.points.controller import PointsController
from clarion.shares.api.links import LinkController, RedirectController, RedirectFastPath
from clarion.shares.api.shares.controller import ShareController
from clarion.web.admin.controller import AdminController
from clarion.web.admin.kit import admin_router
from clarion.web.auth import PUBLIC, origin_guard, provide_actor, provide_engine, role_guard
from clarion.web.embed.controller import SessionController, WidgetController
from clarion.web.embed.security import EMBED_PATH_PREFIX, cors_config
from clarion.web.pages import PagesController
from clarion.web.problems import EXCEPTION_HANDLERS
from clarion.web.system.controller import SystemController
from clarion.web.templates_loader import template_environment

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator

STATIC_DIR = Path(__file__).parent / "static"
SWAGGER_UI_ASSETS = "/static/swagger-ui"
SWAGGER_UI = SwaggerRenderPlugin(
    path="/swagger",
    js_url=f"{SWAGGER_UI_ASSETS}/swagger-ui-bundle.js",
    css_url=f"{SWAGGER_UI_ASSETS}/swagger-ui.css",
    standalone_preset_js_url=f"{SWAGGER_UI_ASSETS}/swagger-ui-standalone-preset.js",
    favicon="",
)
PLUGIN_OPT = "clarion_plugin"  # the name of the plugin that owns a route, set on its router
CONTROLLERS = (
    PagesController,
    RedirectController,
    LinkController,
    SystemController,
    MeController,
    ContentController,
    CampaignController,
    ShareController,
    AmbassadorController,
    MetricsController,
    PointsController,
    SessionController,
    WidgetController,
    AdminController,
    GuidelinesController,
)


SECURITY_HEADERS = {
    # No page of Clarion may be framed unless a route says otherwise (the /embed/ pages do).
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
}
# Browsers that predate frame-ancestors; never sent on /embed/, whose CSP names who may frame it.
LEGACY_FRAME_HEADER = ("x-frame-options", "DENY")


_RAW_SECURITY_HEADERS = tuple((name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items())
_RAW_LEGACY_FRAME_HEADER = (LEGACY_FRAME_HEADER[0].encode(), LEGACY_FRAME_HEADER[1].encode())


async def _security_headers(message: Message, scope: Scope) -> None:
    """On every response, errors and router 404/405 included (``after_request`` misses those)."""
    if message["type"] != "http.response.start":
        return
    # One pass over the raw headers: this runs on every response, the redirect's included.
    raw = list(message.get("headers", ()))
    present = {name.lower() for name, _ in raw}
    raw += [(name, value) for name, value in _RAW_SECURITY_HEADERS if name not in present]
    if not str(scope.get("path", "")).startswith(EMBED_PATH_PREFIX):
        raw = [(name, value) for name, value in raw if name.lower() != _RAW_LEGACY_FRAME_HEADER[0]]
        raw.append(_RAW_LEGACY_FRAME_HEADER)
    message["headers"] = raw


class StrictPydanticSchemaPlugin(PydanticSchemaPlugin):
    """Says ``additionalProperties: false`` for request models that refuse unknown fields."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        model = field_definition.annotation
        if isinstance(model, type) and getattr(model, "model_config", {}).get("extra") == "forbid":
            schema.additional_properties = False  # the registered component itself
        return schema


class ClarionCore(InitPlugin):
    """Joins the engine to Litestar: controllers, dependencies, guards, errors, templates."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(CONTROLLERS)
        app_config.route_handlers.append(
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False)
        )
        # The API explorer's scripts ship in a wheel and are served from here: no CDN (decision "local API explorer").
        app_config.route_handlers.append(
            create_static_files_router(path=SWAGGER_UI_ASSETS, directories=[swagger_ui_path], include_in_schema=False)
        )
        app_config.route_handlers.extend(plugin_routers(self.engine))
        app_config.dependencies.update(
            {
                "engine": Provide(provide_engine, sync_to_thread=False),
                "actor": Provide(provide_actor, sync_to_thread=False),
            }
        )
        app_config.exception_handlers.update(EXCEPTION_HANDLERS)
        app_config.before_send.append(_security_headers)
        app_config.cors_config = cors_config(self.engine.settings)
        app_config.signature_types.extend([Engine, Actor, PageRequest])
        app_config.state = State({"engine": self.engine})
        environment = template_environment(
            site_dirs=[Path(path) for path in self.engine.settings.template_dirs],
            plugin_dirs=self.engine.plugin_template_dirs(),
            locale_dirs=self.engine.plugin_locale_dirs(),
        )
        # Pages show what a plugin adds only while it is loaded (the admin menu's Challenges entry).
        app_config.template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))
        app_config.openapi_config = OpenAPIConfig(
            title="Clarion",
            version=__version__,
            description=(
                "Employee advocacy engine. Authenticate with `Authorization: Bearer <token>`: a signed "
                "token from your intranet backend (or `clarion token`), or an API token (`clarion api-token`)."
            ),
            path="/schema",
            render_plugins=[SWAGGER_UI],
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
        )
        app_config.on_shutdown.append(lambda: self.engine.close())
        return app_config


def plugin_routers(engine: Engine) -> list[Router]:
    """Each plugin's routes, admin pages and static files, behind the core's guards, tagged with the plugin's name.

    Raises:
        PluginConflict: two plugins, or a plugin and the core, claim one path and method.
        PluginError: a plugin's route declares no role.
    """
    by_plugin: dict[str, list[Any]] = {}
    for plugin_name, handler in engine.routes():
        by_plugin.setdefault(plugin_name, []).append(handler)
    routers = [
        Router(path="/", route_handlers=handlers, guards=[origin_guard, role_guard], opt={PLUGIN_OPT: plugin_name})
        for plugin_name, handlers in by_plugin.items()
    ]
    for plugin_name, admin_page in engine.admin_pages():
        routers.append(admin_router(plugin_name, admin_page, {PLUGIN_OPT: plugin_name}))
    for plugin_name, directory in engine.plugin_static_dirs().items():
        routers.append(
            Router(
                path="/",
                route_handlers=[
                    create_static_files_router(
                        path=f"/static/plugins/{plugin_name}", directories=[directory], include_in_schema=False
                    )
                ],
                opt={PLUGIN_OPT: plugin_name, "role": PUBLIC},
            )
        )
    return routers


def _check_plugin_routes(app: Litestar) -> None:
    """Every plugin route declares a role, and no two owners share a path and method."""
    owners: dict[tuple[str, str], str] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            owner = handler.opt.get(PLUGIN_OPT, "the core")
            methods = getattr(handler, "http_methods", None) or {"WEBSOCKET"}
            if methods == {"OPTIONS"}:
                continue  # Litestar's automatic answer to CORS preflights, one per path
            if owner != "the core" and handler.opt.get("role") is None:
                raise PluginError(f"plugin {owner!r}: route {route.path} ({handler.handler_name}) declares no role")
            for method in methods:
                key = (route.path, method)
                if key in owners and owners[key] != owner:
                    raise PluginConflict(f"{owners[key]} and plugin {owner!r} both answer {method} {route.path}")
                owners[key] = owner


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Litestar:
    """The web application for ``settings`` (read from the environment when omitted).

    Args:
        settings: Settings to build the engine from.
        engine: A ready engine (tests and embedding code); wins over ``settings``.
    """
    if engine is None:
        engine = build_engine(settings if settings is not None else load_settings())
    # /healthz reads the schema revision on every call; Alembic would log each one.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    try:
        app = Litestar(plugins=[ClarionCore(engine), StrictPydanticSchemaPlugin()], debug=False)
    except ImproperlyConfiguredException as exc:
        # Litestar refuses a second handler for a path and method: say which plugin brought it.
        raise PluginConflict(f"a plugin's route clashes with another route: {exc.detail}") from exc
    _check_plugin_routes(app)
    # The redirect's fast path sits in front of the router (and its exception and CORS wrappers):
    # Litestar offers no hook there, and app middleware runs only after routing.
    app.asgi_handler = RedirectFastPath(app.asgi_handler)
    return app


def create_app_from_environment() -> Litestar:
    """Factory for ``uvicorn --factory`` and multi-worker serving: settings from ``CLARION_*``."""
    overrides: dict[str, Any] = {}
    if os.environ.get("CLARION_DEMO") == "1":
        overrides["demo"] = True
    settings = load_settings(**overrides)
    if os.environ.get(SERVE_PLUGIN_SETTINGS_ENV):
        # What plugins set for this `clarion serve` run (the demo's fake networks, say): the same here.
        settings = with_plugin_settings(
            settings, plugin_settings_from_environment(os.environ[SERVE_PLUGIN_SETTINGS_ENV])
        )
    return create_app(settings)
