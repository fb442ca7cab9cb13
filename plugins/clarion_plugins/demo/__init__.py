"""The demo: a made-up company's programme, ``clarion demo``, ``clarion serve --demo`` and its fake networks.

A built-in plugin like any other: blocking it (``CLARION_DISABLED_PLUGINS=demo``) leaves a
core with no demo, where ``clarion demo`` is unknown and ``clarion serve --demo`` refuses to
start. Tests and scripts load the programme with :func:`load`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from clarion import hookimpl

if TYPE_CHECKING:
    import click
    from litestar import Request

    from clarion.contracts import ServeSetup
    from clarion.engine import Engine

PLUGIN_NAME = "demo"
DEMO_ADMIN = "demo-admin"
DEMO_EDITOR = "demo-editor"
DEMO_AMBASSADOR = "demo-ambassador"


def load(
    engine: Engine,
    *,
    progress: Callable[[str, int, int], None] | None = None,
    seed: int = 2026,
    now: datetime | None = None,
) -> str:
    """Load the demo programme into ``engine``'s database (idempotent); what ``clarion demo`` does.

    See :func:`clarion_plugins.demo.loader.load_demo` for the arguments. Returns one paragraph
    saying what was added and whom to try the demo as.
    """
    from clarion_plugins.demo.loader import load_demo

    return load_demo(engine, progress=progress, seed=seed, now=now)


@hookimpl
def clarion_commands_register(engine: Engine) -> Sequence[click.Command]:
    from clarion_plugins.demo.commands import demo_command

    return [demo_command(engine)]


@hookimpl
def clarion_serve_prepare(engine: Engine, demo: bool, serve: ServeSetup) -> None:
    if demo:
        from clarion_plugins.demo.serve import prepare

        prepare(engine, serve)


@hookimpl
def clarion_page_sections_render(
    engine: Engine, page: str, slot: str, request: Request[Any, Any, Any], language: str
) -> Sequence[str] | None:
    if not engine.settings.demo:  # the plugin is loaded everywhere; it shows itself only when serving the demo
        return None
    from clarion_plugins.demo import pages

    return pages.sections(engine, page, slot, request, language)
