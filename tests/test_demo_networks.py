"""Handing the demo's fake networks to the connectors, and to web workers through the environment."""

from __future__ import annotations

import json

import pytest

from clarion.demo_networks import (
    DEMO_NETWORKS_ENV,
    demo_networks_from_environment,
    running_demo_networks,
    with_demo_networks,
)
from clarion.errors import ConfigError
from clarion.web.app import create_app_from_environment

URLS = {"mastodon": "http://127.0.0.1:4001", "bluesky": "http://127.0.0.1:4002"}


def test_the_connectors_point_at_the_fakes_and_keep_their_other_settings(clarion_settings_factory):
    settings = clarion_settings_factory(plugins={"connector-mastodon": {"app_name": "Kestrel"}})
    pointed = with_demo_networks(settings, URLS)
    assert pointed.plugins["connector-mastodon"] == {"app_name": "Kestrel", "default_instance": URLS["mastodon"]}
    assert pointed.plugins["connector-bluesky"] == {"default_service": URLS["bluesky"]}
    assert settings.plugins == {"connector-mastodon": {"app_name": "Kestrel"}}  # settings stay immutable


@pytest.mark.parametrize(
    ("value", "message"),
    [("not json", "is not JSON"), ('["http://x"]', "must name"), ('{"mastodon": "http://x"}', "must name")],
)
def test_a_bad_environment_value_is_one_clear_error(value, message):
    with pytest.raises(ConfigError, match=message):
        demo_networks_from_environment(value)


def test_web_workers_use_the_fakes_serve_demo_started(clarion_database_url, monkeypatch, tmp_path):
    with running_demo_networks() as networks:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("CLARION_DATABASE_URL", clarion_database_url)
        monkeypatch.setenv("CLARION_DEMO", "1")
        monkeypatch.setenv(DEMO_NETWORKS_ENV, networks.environment())
        app = create_app_from_environment()
        engine = app.state.engine
        try:
            assert json.loads(networks.environment()) == networks.urls()
            assert engine.plugin_config("connector-mastodon").default_instance == networks.mastodon.url
            assert engine.plugin_config("connector-bluesky").default_service == networks.bluesky.url
        finally:
            engine.close()
