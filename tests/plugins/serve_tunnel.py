"""A plugin that prepares ``clarion serve``: a resource living as long as the server, a setting, words."""

from __future__ import annotations

from contextlib import contextmanager

from clarion import hookimpl

EVENTS: list[str] = []


@contextmanager
def tunnel():
    EVENTS.append("opened")
    try:
        yield "https://tunnel.example"
    finally:
        EVENTS.append("closed")


@hookimpl
def clarion_serve_prepare(engine, demo, serve):
    public_url = serve.resources.enter_context(tunnel())
    serve.configure_plugin("connector-mastodon", app_name="Tunnelled")
    serve.environment["CLARION_EMBED_ORIGINS"] = public_url
    serve.lines.append(f"Reachable at {public_url} (demo: {demo}, database: {engine.settings.database_url[:6]})")
