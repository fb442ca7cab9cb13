"""The widget baseline: a bare Litestar route rendering Clarion's fragment template from constant data.

At start-up it builds each benchmarked widget's context once (from the benchmark database, for
the ambassador named by ``CLARION_BENCH_AMBASSADOR``), then answers ``/widgets/{name}`` by
rendering the same Jinja2 template with that constant context: no identity, no database, no
widget code per request.
"""

from __future__ import annotations

import os
from typing import Any

from litestar import Litestar, Response, get
from sqlmodel import Session

from clarion.actors import Actor
from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.models import Ambassador
from clarion.web import widgets as widget_service
from clarion.web.embed.controller import _fragment_context
from clarion.web.templates_loader import template_environment


def create_app() -> Litestar:
    names = os.environ["CLARION_BENCH_WIDGETS"].split(",")
    engine = build_engine(load_settings())
    try:
        with Session(engine.db.engine) as session:
            ambassador = session.get(Ambassador, int(os.environ["CLARION_BENCH_AMBASSADOR"]))
            assert ambassador is not None
            actor = Actor.of(ambassador)
        contexts: dict[str, dict[str, Any]] = {
            name: _fragment_context(engine, widget_service.build_view(engine, actor, name, {})) for name in names
        }
        environment = template_environment(plugin_dirs=engine.plugin_template_dirs())
    finally:
        engine.close()
    template = environment.get_template("widget_fragment.html")

    @get("/widgets/{name:str}", sync_to_thread=False)
    def fragment(name: str) -> Response[str]:
        return Response(template.render(**contexts[name]), media_type="text/html")

    @get("/healthz", sync_to_thread=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return Litestar(route_handlers=[fragment, healthz])
