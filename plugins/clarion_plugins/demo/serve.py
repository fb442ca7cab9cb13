"""``clarion serve --demo``: fake networks beside the server, the programme loaded, the accounts connected."""

from __future__ import annotations

import click

from clarion.config import with_plugin_settings
from clarion.contracts import ServeSetup
from clarion.engine import Engine
from clarion_plugins.demo.networks import banner, network_settings, running_demo_networks, set_up_demo

# Where `python examples/intranet/serve.py` listens; the demo lets it embed widgets.
DEMO_INTRANET_ORIGINS = ("http://127.0.0.1:8001", "http://localhost:8001")


def prepare(engine: Engine, serve: ServeSetup) -> None:
    """Start the fake networks for the server's lifetime, point the connectors at them, load and connect."""
    from clarion import schema
    from clarion_plugins.demo.commands import with_progress

    networks = serve.resources.enter_context(running_demo_networks())
    for plugin_name, values in network_settings(networks.urls()).items():
        serve.configure_plugin(plugin_name, **values)
    # The same plugins, their connectors pointed at the fakes: the accounts connect through them.
    pointed = Engine(
        with_plugin_settings(engine.settings, serve.plugin_settings),
        pm=engine.pm,
        clock=engine.clock,
        pipelines=engine.pipelines,
    )
    try:
        schema.upgrade(pointed.db, "head", pointed.schemas().values())
        ready = with_progress(lambda progress: set_up_demo(pointed, progress=progress))
    finally:
        pointed.close()
    click.echo(ready.summary, err=True)
    serve.lines += [
        f"Open {serve.url} in your browser; the API explorer is at {serve.url}schema/swagger",
        f"Editor and admin UI: open {serve.url}admin/signin and pick a demo editor or admin",
        *banner(networks, ready),
    ]
    if not engine.settings.embed_origins:
        # The example intranet (examples/intranet/serve.py) may frame and call this demo.
        serve.environment["CLARION_EMBED_ORIGINS"] = ",".join(DEMO_INTRANET_ORIGINS)
        serve.lines.append(
            f"Example intranet: run `python examples/intranet/serve.py`, open {DEMO_INTRANET_ORIGINS[0]}/"
        )
    serve.demo_loaded = True
