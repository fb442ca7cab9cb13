"""Handing the demo's fake networks to the connectors, and to web workers through the environment."""

from __future__ import annotations

import json
from contextlib import ExitStack

from clarion.config import SERVE_PLUGIN_SETTINGS_ENV
from clarion.contracts import ServeSetup
from clarion.web.app import create_app_from_environment
from clarion_plugins.demo.networks import running_demo_networks, with_demo_networks

URLS = {"mastodon": "http://127.0.0.1:4001", "bluesky": "http://127.0.0.1:4002"}


def test_the_connectors_point_at_the_fakes_and_keep_their_other_settings(clarion_settings_factory):
    settings = clarion_settings_factory(plugins={"connector-mastodon": {"app_name": "Kestrel"}})
    pointed = with_demo_networks(settings, URLS)
    assert pointed.plugins["connector-mastodon"] == {"app_name": "Kestrel", "default_instance": URLS["mastodon"]}
    assert pointed.plugins["connector-bluesky"] == {
        "default_service": URLS["bluesky"],
        "public_appview": f"{URLS['bluesky']}/appview",
    }
    assert settings.plugins == {"connector-mastodon": {"app_name": "Kestrel"}}  # settings stay immutable


def test_web_workers_use_the_fakes_serve_demo_started(clarion_database_url, monkeypatch, tmp_path):
    with running_demo_networks() as networks, ExitStack() as resources:
        # What the demo's clarion_serve_prepare asks of the run, handed over as `clarion serve` does.
        setup = ServeSetup(url="http://127.0.0.1:8000/", resources=resources)
        setup.configure_plugin("connector-mastodon", default_instance=networks.mastodon.url)
        setup.configure_plugin("connector-bluesky", default_service=networks.bluesky.url)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("CLARION_DATABASE_URL", clarion_database_url)
        monkeypatch.setenv("CLARION_DEMO", "1")
        monkeypatch.setenv(SERVE_PLUGIN_SETTINGS_ENV, json.dumps(setup.plugin_settings))
        app = create_app_from_environment()
        engine = app.state.engine
        try:
            assert engine.settings.demo
            assert engine.plugin_config("connector-mastodon").default_instance == networks.mastodon.url
            assert engine.plugin_config("connector-bluesky").default_service == networks.bluesky.url
        finally:
            engine.close()
