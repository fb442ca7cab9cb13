"""OIDC sign-in is a plugin like any other: listed with its routes, configured in its own section,
its button on the sign-in page through the page-sections hook, and gone without a trace when blocked."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from clarion.bootstrap import build_engine
from clarion.cli import main
from clarion.config import (
    MOVED_TO_PLUGINS,
    PLUGIN_ENVIRONMENT,
    IgnoredSettingWarning,
    MovedSettingWarning,
    load_settings,
)
from clarion.plugins import DEFAULT_PLUGINS, ESSENTIAL_PLUGINS
from clarion.testing import TEST_SECRET
from clarion.web.app import create_app
from clarion_plugins.oidc import PLUGIN_NAME

CONFIGURED = {"issuer": "https://idp.example", "client_id": "clarion-intranet"}
OIDC_ROUTES = [("GET", "/auth/oidc/login"), ("GET", "/auth/oidc/callback"), ("POST", "/auth/oidc/logout")]
OLD_KEYS = sorted(key for key, (plugin, _) in MOVED_TO_PLUGINS.items() if plugin == PLUGIN_NAME)
OLD_VALUES = {
    "oidc_issuer": "https://idp.example",
    "oidc_discovery_url": "https://idp.example/discovery",
    "oidc_client_id": "clarion-intranet",
    "oidc_client_secret": "s3cret",
    "oidc_scopes": ["openid", "groups"],
    "oidc_external_id_claim": "email",
    "oidc_redirect_url": "https://clarion.example/auth/oidc/callback",
    "oidc_algorithms": ["ES256"],
    "oidc_timeout_seconds": 3.0,
}


def moved_keys(caught):
    """The old keys the caught :class:`MovedSettingWarning` warnings name, with where each moved."""
    return {
        match[1]: match[2]
        for match in (
            re.search(r"'(\w+)' moved to the 'identity-oidc' plugin: write it as (\w+)", str(w.message)) for w in caught
        )
        if match
    }


def signin_page(engine, language="en"):
    with TestClient(create_app(engine=engine)) as client:
        response = client.get("/admin/signin", headers={"accept-language": language})
    assert response.status_code == 200, response.text
    return response.text


def test_identity_oidc_is_one_built_in_and_not_essential():
    assert DEFAULT_PLUGINS[PLUGIN_NAME] == "clarion_plugins.oidc"
    assert PLUGIN_NAME not in ESSENTIAL_PLUGINS


def test_the_core_does_not_import_the_plugin():
    from pathlib import Path

    core = Path(__file__).resolve().parents[3] / "core" / "clarion"
    importers = [
        str(path.relative_to(core))
        for path in core.rglob("*.py")
        if re.search(r"^\s*(from|import) clarion_plugins\.oidc", path.read_text(), re.MULTILINE)
    ]
    assert importers == []


def test_clarion_plugins_lists_identity_oidc_with_its_routes(clarion_database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_CONFIG": None,
    }
    listed = CliRunner().invoke(main, ["plugins", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    [record] = [record for record in json.loads(listed.output) if record["name"] == PLUGIN_NAME]
    assert record["source"] == "built-in"
    assert record["blocked"] is False
    assert record["hooks"] == ["clarion_config_register", "clarion_page_sections_render", "clarion_routes_register"]
    assert record["owns"] == {"routes": ["/auth/oidc/callback", "/auth/oidc/login", "/auth/oidc/logout"]}
    table = CliRunner().invoke(main, ["plugins"], env=env)
    assert re.search(r"^identity-oidc .*\n\s+routes: /auth/oidc/callback, /auth/oidc/login, /auth/oidc/logout$", table.output, re.MULTILINE), table.output


def test_its_routes_are_owned_by_the_plugin(clarion_engine):
    app = create_app(engine=clarion_engine)
    owned = {
        (method, route.path)
        for route in app.routes
        if route.path.startswith("/auth/oidc")
        for handler in route.route_handlers  # type: ignore[union-attr]
        for method in handler.http_methods
        if method != "OPTIONS"
    }
    assert owned == set(OIDC_ROUTES)
    assert all(
        handler.opt.get("clarion_plugin") == PLUGIN_NAME
        for route in app.routes
        if route.path.startswith("/auth/oidc")
        for handler in route.route_handlers  # type: ignore[union-attr]
    )


@pytest.mark.parametrize("language", ["en", "nl"])
def test_configured_the_signin_page_offers_the_company_account_before_the_form(clarion_engine_factory, language):
    page = signin_page(clarion_engine_factory(plugin_settings={PLUGIN_NAME: CONFIGURED}), language)
    button = {"en": "Sign in with your company account", "nl": "Inloggen met je bedrijfsaccount"}[language]
    heading = {"en": "Company account", "nl": "Bedrijfsaccount"}[language]
    assert f'<a class="button" href="/auth/oidc/login?next=/admin">{button}</a>' in page
    assert f'<h2 id="oidc-heading">{heading}</h2>' in page
    assert page.index('id="oidc-heading"') < page.index('<form method="post" action="/admin/signin"')


@pytest.mark.parametrize("language", ["en", "nl"])
def test_unconfigured_the_signin_page_has_no_button_and_the_routes_say_why(clarion_engine, language):
    page = signin_page(clarion_engine, language)
    assert "/auth/oidc" not in page
    assert "oidc-heading" not in page
    with TestClient(create_app(engine=clarion_engine)) as client:
        response = client.get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 404
    assert "[plugins.identity-oidc]" in response.text


def test_blocked_its_routes_are_404_its_button_gone_and_its_settings_ignored_with_a_warning(clarion_engine_factory):
    with pytest.warns(IgnoredSettingWarning, match=r"\[plugins\.identity-oidc\] is set but .* is blocked"):
        engine = clarion_engine_factory(disabled_plugins=(PLUGIN_NAME,), plugin_settings={PLUGIN_NAME: CONFIGURED})
    assert engine.pm.get_plugin(PLUGIN_NAME) is None
    assert [name for name, _ in engine.routes() if name == PLUGIN_NAME] == []
    for language in ("en", "nl"):
        page = signin_page(engine, language)
        assert "/auth/oidc" not in page
        assert '<form method="post" action="/admin/signin"' in page
    with TestClient(create_app(engine=engine)) as client:
        for method, path in OIDC_ROUTES:
            response = client.request(method, path, follow_redirects=False)
            assert response.status_code == 404, (method, path, response.text)
        # The core's own sign-in is untouched.
        assert client.post("/admin/signin", data={"token": ""}).status_code == 422


def test_blocked_with_the_old_settings_both_warnings_say_what_happened(tmp_path, clarion_database_url):
    with pytest.warns(MovedSettingWarning) as caught:
        settings = load_settings(
            {"CLARION_DATABASE_URL": clarion_database_url},
            cwd=tmp_path,
            secret_key=TEST_SECRET,
            oidc_issuer="https://idp.example",
            oidc_client_id="c",
            disabled_plugins=[PLUGIN_NAME],
        )
    assert moved_keys(caught) == {"oidc_issuer": "issuer", "oidc_client_id": "client_id"}
    with pytest.warns(IgnoredSettingWarning, match=r"identity-oidc.*blocked.*\(client_id, issuer\) are ignored"):
        engine = build_engine(settings)
    engine.close()


@pytest.mark.parametrize("old_key", OLD_KEYS)
def test_an_old_setting_key_still_works_with_a_warning(tmp_path, old_key, clarion_engine_factory):
    assert set(OLD_KEYS) == set(OLD_VALUES)
    given = {"oidc_issuer": "https://idp.example", "oidc_client_id": "clarion-intranet", old_key: OLD_VALUES[old_key]}
    new_key = MOVED_TO_PLUGINS[old_key][1]
    with pytest.warns(MovedSettingWarning) as caught:
        settings = load_settings({}, cwd=tmp_path, secret_key=TEST_SECRET, **given)
    assert moved_keys(caught)[old_key] == new_key
    assert "[plugins.identity-oidc] in clarion.toml" in str(caught[0].message)
    assert settings.plugins[PLUGIN_NAME][new_key] == OLD_VALUES[old_key]
    with pytest.warns(MovedSettingWarning):
        engine = clarion_engine_factory(**given)
    value = getattr(engine.plugin_config(PLUGIN_NAME), new_key)
    if new_key == "client_secret":
        value = value.get_secret_value()
    assert value == (tuple(OLD_VALUES[old_key]) if isinstance(OLD_VALUES[old_key], list) else OLD_VALUES[old_key])


def test_old_keys_in_clarion_toml_move_and_the_new_section_wins(tmp_path):
    (tmp_path / "clarion.toml").write_text(
        "[clarion]\n"
        'oidc_issuer = "https://old.example"\n'
        'oidc_client_secret = { "$env" = "OIDC_SECRET" }\n\n'
        "[plugins.identity-oidc]\n"
        'issuer = "https://new.example"\n'
        'client_id = "c"\n'
    )
    with pytest.warns(MovedSettingWarning) as caught:
        settings = load_settings({}, cwd=tmp_path, secret_key=TEST_SECRET)
    assert moved_keys(caught) == {"oidc_issuer": "issuer", "oidc_client_secret": "client_secret"}
    assert settings.plugins[PLUGIN_NAME] == {
        "issuer": "https://new.example",
        "client_id": "c",
        "client_secret": {"$env": "OIDC_SECRET"},
    }


def test_the_environment_variables_still_work_and_win_over_clarion_toml(tmp_path, clarion_engine_factory, monkeypatch):
    assert set(PLUGIN_ENVIRONMENT) == {"CLARION_OIDC_ISSUER", "CLARION_OIDC_CLIENT_ID", "CLARION_OIDC_CLIENT_SECRET"}
    (tmp_path / "clarion.toml").write_text(
        '[plugins.identity-oidc]\nissuer = "https://toml.example"\nclient_id = "from-toml"\nscopes = ["openid"]\n'
    )
    environ = {
        "CLARION_OIDC_ISSUER": "https://env.example",
        "CLARION_OIDC_CLIENT_ID": "from-env",
        "CLARION_OIDC_CLIENT_SECRET": "env-secret",
    }
    settings = load_settings(environ, cwd=tmp_path, secret_key=TEST_SECRET)  # no warning: they are not deprecated
    assert settings.plugins[PLUGIN_NAME] == {
        "issuer": "https://env.example",
        "client_id": "from-env",
        "client_secret": "env-secret",
        "scopes": ["openid"],
    }
    engine = clarion_engine_factory(plugin_settings=settings.plugins)
    config = engine.plugin_config(PLUGIN_NAME)
    assert (config.issuer, config.client_id, config.secret(), config.scopes) == (
        "https://env.example",
        "from-env",
        "env-secret",
        ("openid",),
    )
