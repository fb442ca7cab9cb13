"""``create_app(settings)``: the Litestar application of one Clarion engine."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from litestar import Litestar, Response
from litestar.config.app import AppConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins import InitPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from clarion import __version__
from clarion.config import Settings, load_settings
from clarion.engine import Engine
from clarion.services.actors import Actor
from clarion.services.pagination import PageRequest
from clarion.web.ambassadors.controller import AmbassadorController
from clarion.web.auth import provide_actor, provide_engine
from clarion.web.campaigns.controller import CampaignController
from clarion.web.content.controller import ContentController
from clarion.web.me.controller import MeController
from clarion.web.pages import PagesController
from clarion.web.problems import EXCEPTION_HANDLERS
from clarion.web.shares.controller import ShareController
from clarion.web.system.controller import SystemController
from clarion.web.templates_loader import template_environment

STATIC_DIR = Path(__file__).parent / "static"
CONTROLLERS = (
    PagesController,
    SystemController,
    MeController,
    ContentController,
    CampaignController,
    ShareController,
    AmbassadorController,
)


def _security_headers(response: Response[Any]) -> Response[Any]:
    # No page of Clarion may be framed unless a route says otherwise (embed routes will).
    response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response


class ClarionCore(InitPlugin):
    """Joins the engine to Litestar: controllers, dependencies, guards, errors, templates."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(CONTROLLERS)
        app_config.route_handlers.append(
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False)
        )
        app_config.dependencies.update(
            {
                "engine": Provide(provide_engine, sync_to_thread=False),
                "actor": Provide(provide_actor, sync_to_thread=False),
            }
        )
        app_config.exception_handlers.update(EXCEPTION_HANDLERS)
        app_config.after_request = _security_headers
        app_config.signature_types.extend([Engine, Actor, PageRequest])
        app_config.state = State({"engine": self.engine})
        environment = template_environment(
            site_dirs=[Path(path) for path in self.engine.settings.template_dirs],
            plugin_dirs=self.engine.plugin_template_dirs(),
        )
        app_config.template_config = TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))
        app_config.openapi_config = OpenAPIConfig(
            title="Clarion",
            version=__version__,
            description=(
                "Employee advocacy engine. Authenticate with `Authorization: Bearer <token>`: a signed "
                "token from your intranet backend (or `clarion token`), or an API token (`clarion api-token`)."
            ),
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(path="/swagger")],
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
        )
        app_config.on_shutdown.append(lambda: self.engine.close())
        return app_config


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Litestar:
    """The web application for ``settings`` (read from the environment when omitted).

    Args:
        settings: Settings to build the engine from.
        engine: A ready engine (tests and embedding code); wins over ``settings``.
    """
    if engine is None:
        engine = Engine(settings if settings is not None else load_settings())
    # /healthz reads the schema revision on every call; Alembic would log each one.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    return Litestar(plugins=[ClarionCore(engine)], debug=False)


def create_app_from_environment() -> Litestar:
    """Factory for ``uvicorn --factory`` and multi-worker serving: settings from ``CLARION_*``."""
    overrides: dict[str, Any] = {}
    if os.environ.get("CLARION_DEMO") == "1":
        overrides["demo"] = True
    return create_app(load_settings(**overrides))
