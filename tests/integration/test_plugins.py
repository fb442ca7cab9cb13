"""The plugin manager: where plugins come from, blocking, collisions, load errors and plugin settings."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from clarion import __version__
from clarion.bootstrap import build_engine
from clarion.cli import main
from clarion.config import IgnoredSettingWarning, load_settings
from clarion.engine import Engine
from clarion.errors import ConfigError, PluginConflict, PluginLoadError
from clarion.identity import RequestInfo
from clarion.models import Role
from clarion.plugins import DEFAULT_PLUGINS, ENTRY_POINT_GROUP, ESSENTIAL_PLUGINS, PluginSource
from clarion.testing import TEST_SECRET
from plugins import (
    configured,
    disclosure_guardrail,
    feed_widget,
    feed_widget_again,
    linkedin_again,
    misspelled_hook,
    rookie_badge_again,
)

REPO = Path(__file__).resolve().parents[2]


def records(engine: Engine) -> dict:
    return {record.name: record for record in engine.pm.describe()}


# -- where plugins come from -------------------------------------------------------------------


def test_builtins_load_with_source_builtin(clarion_engine):
    described = records(clarion_engine)
    assert set(DEFAULT_PLUGINS) <= set(described)
    for name, module in DEFAULT_PLUGINS.items():
        record = described[name]
        assert record.source is PluginSource.BUILTIN
        assert record.module == module
        assert record.version == __version__
        assert not record.blocked
        assert record.hooks, f"built-in {name} implements no hook"
    assert "clarion_connectors_register" in described["connector-linkedin"].hooks
    connector_plugins = [name for name in DEFAULT_PLUGINS if name.startswith("connector-")]
    assert set(clarion_engine.connectors()) == {name.removeprefix("connector-") for name in connector_plugins}


def test_builtins_are_listed_in_one_place():
    """DEFAULT_PLUGINS is the only list: pyproject.toml declares no built-in as an entry point."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    declared = pyproject["project"].get("entry-points", {}).get(ENTRY_POINT_GROUP, {})
    assert not set(declared.values()) & set(DEFAULT_PLUGINS.values())


@pytest.mark.parametrize("name", sorted(ESSENTIAL_PLUGINS))
def test_essential_plugins_refuse_to_be_disabled(clarion_settings_factory, name):
    with pytest.raises(ConfigError, match=rf"plugin '{name}' is essential and cannot be disabled"):
        build_engine(clarion_settings_factory(disabled_plugins=[name]))


def test_essential_plugins_are_built_ins():
    assert set(DEFAULT_PLUGINS) >= ESSENTIAL_PLUGINS


def test_tests_never_autoload_entry_points(clarion_engine):
    assert clarion_engine.settings.plugin_autoload is False
    assert {record.source for record in clarion_engine.pm.describe()} == {PluginSource.BUILTIN}


def test_disabled_plugins_setting_blocks_builtins(clarion_engine_factory):
    engine = clarion_engine_factory(disabled_plugins=("connector-x", "guardrail-repeat-share"))
    assert "x" not in engine.connectors()
    assert engine.pm.get_plugin("connector-x") is None
    described = records(engine)
    for name in ("connector-x", "guardrail-repeat-share"):
        assert described[name].blocked
        assert described[name].hooks == []
        assert described[name].source is PluginSource.BUILTIN
    assert not described["connector-linkedin"].blocked
    with pytest.raises(ConfigError, match="guardrail-repeat-share"):
        engine.plugin_config("guardrail-repeat-share")


def test_disabled_plugins_from_the_environment(clarion_database_url, tmp_path):
    settings = load_settings(
        {
            "CLARION_DATABASE_URL": clarion_database_url,
            "CLARION_SECRET_KEY": TEST_SECRET,
            "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
            "CLARION_DISABLED_PLUGINS": " connector-facebook, identity-api-token ,",
        },
        cwd=tmp_path,
    )
    assert settings.disabled_plugins == ("connector-facebook", "identity-api-token")
    engine = build_engine(settings)
    try:
        assert "facebook" not in engine.connectors()
        described = records(engine)
        assert described["connector-facebook"].blocked
        assert described["identity-api-token"].blocked
        assert [name for name, record in described.items() if record.blocked] == [
            "connector-facebook",
            "identity-api-token",
        ]
    finally:
        engine.close()


def test_a_section_for_a_blocked_plugin_is_not_an_error_but_a_warning(clarion_settings_factory):
    settings = clarion_settings_factory(
        disabled_plugins=("guardrail-repeat-share",), plugins={"guardrail-repeat-share": {"window_hours": 1}}
    )
    with pytest.warns(
        IgnoredSettingWarning,
        match=r"^\[plugins\.guardrail-repeat-share\] is set but the 'guardrail-repeat-share' plugin is blocked "
        r"\(disabled_plugins\): its settings \(window_hours\) are ignored$",
    ):
        engine = build_engine(settings)
    engine.close()


def test_module_listed_in_settings_loads_with_source_config(clarion_engine_factory):
    engine = clarion_engine_factory(plugin_modules=("plugins.disclosure_guardrail",))
    record = records(engine)["plugins.disclosure_guardrail"]
    assert record.source is PluginSource.CONFIG
    assert record.module == "plugins.disclosure_guardrail"
    assert record.hooks == ["clarion_share_violations_compute"]
    assert engine.pm.get_plugin("plugins.disclosure_guardrail") is disclosure_guardrail


def test_modules_from_clarion_plugins_env(clarion_database_url, tmp_path):
    settings = load_settings(
        {
            "CLARION_DATABASE_URL": clarion_database_url,
            "CLARION_PLUGINS": "plugins.disclosure_guardrail,plugins.share_points",
            "CLARION_DISABLE_PLUGIN_AUTOLOAD": "true",
        },
        cwd=tmp_path,
        secret_key=TEST_SECRET,
    )
    engine = build_engine(settings)
    try:
        described = records(engine)
        assert described["plugins.disclosure_guardrail"].source is PluginSource.CONFIG
        assert described["plugins.share_points"].hooks == ["clarion_awards_compute"]
    finally:
        engine.close()


def test_plugins_handed_in_by_code_are_registered(clarion_engine_factory):
    engine = clarion_engine_factory(plugins={"feed": feed_widget, "portal": "plugins.portal_identity"})
    described = records(engine)
    assert described["feed"].source is PluginSource.REGISTERED
    assert described["portal"].source is PluginSource.REGISTERED
    assert described["portal"].hooks == ["clarion_identity_compute"]


# -- collisions and load errors fail at start-up -----------------------------------------------


def test_two_connectors_for_one_network_fail_naming_both(clarion_engine_factory):
    with pytest.raises(PluginConflict) as caught:
        clarion_engine_factory(plugins={"linkedin-again": linkedin_again})
    message = caught.value.detail
    assert "'linkedin'" in message
    assert "'connector-linkedin'" in message
    assert "'linkedin-again'" in message


def test_blocking_the_builtin_resolves_the_connector_conflict(clarion_engine_factory):
    engine = clarion_engine_factory(
        plugins={"linkedin-again": linkedin_again}, disabled_plugins=("connector-linkedin",)
    )
    assert engine.connector("linkedin").label == "LinkedIn (corporate)"


def test_two_widgets_with_one_name_fail_naming_both(clarion_engine_factory):
    with pytest.raises(PluginConflict) as caught:
        clarion_engine_factory(plugins={"feed": feed_widget, "feed-again": feed_widget_again})
    message = caught.value.detail
    assert "widget 'picks'" in message
    assert "'feed'" in message
    assert "'feed-again'" in message


def test_two_badges_with_one_name_fail_naming_both(clarion_engine_factory):
    with pytest.raises(PluginConflict) as caught:
        clarion_engine_factory(plugins={"rookie-badge-again": rookie_badge_again})
    assert "badge 'first-share'" in caught.value.detail
    assert "'badges'" in caught.value.detail
    assert "'rookie-badge-again'" in caught.value.detail


def test_two_plugins_with_one_name_fail_naming_both(clarion_engine_factory):
    with pytest.raises(PluginConflict) as caught:
        clarion_engine_factory(plugins={"connector-x": linkedin_again})
    message = caught.value.detail
    assert "'connector-x'" in message
    assert "clarion_plugins.connectors.x" in message
    assert "plugins.linkedin_again" in message


def test_import_failure_names_the_plugin_and_the_error(clarion_engine_factory):
    with pytest.raises(PluginLoadError) as caught:
        clarion_engine_factory(plugin_modules=("plugins.broken_import",))
    message = caught.value.detail
    assert "'plugins.broken_import'" in message
    assert "ImportError" in message
    assert "acme_sdk" in message


def test_import_failure_of_a_registered_module_path(clarion_engine_factory):
    with pytest.raises(PluginLoadError, match=r"plugin 'acme' \(registered\) failed to import plugins\.broken_import"):
        clarion_engine_factory(plugins={"acme": "plugins.broken_import"})


def test_misspelled_hook_fails_check_pending_naming_the_plugin(clarion_engine_factory):
    with pytest.raises(PluginLoadError) as caught:
        clarion_engine_factory(plugins={"typo": misspelled_hook})
    message = caught.value.detail
    assert "'typo'" in message
    assert "clarion_conectors_register" in message


def test_misspelled_hook_in_a_configured_module(clarion_engine_factory):
    with pytest.raises(PluginLoadError, match=r"'plugins\.misspelled_hook'.*clarion_conectors_register"):
        clarion_engine_factory(plugin_modules=("plugins.misspelled_hook",))


def test_tracing_prints_hook_calls(clarion_engine_factory, monkeypatch, capsys):
    monkeypatch.setenv("CLARION_TRACE_PLUGINS", "1")
    engine = clarion_engine_factory()
    capsys.readouterr()
    engine.identify(RequestInfo("GET", "/", {}, None))
    captured = capsys.readouterr()
    assert "clarion_identity_compute" in captured.err
    assert captured.out == ""  # stdout stays clean for `clarion plugins --json`


# -- `clarion plugins` ---------------------------------------------------------------------------


@pytest.fixture
def cli_env(clarion_database_url, tmp_path, monkeypatch):
    """Run the CLI in-process in a scratch directory (it may write .clarion-secret there)."""
    monkeypatch.chdir(tmp_path)
    return {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_CONFIG": None,
    }


def test_cli_plugins_lists_every_plugin(cli_env):
    env = {**cli_env, "CLARION_PLUGINS": "plugins.disclosure_guardrail", "CLARION_DISABLED_PLUGINS": "connector-x"}
    result = CliRunner().invoke(main, ["plugins"], env=env)
    assert result.exit_code == 0, result.output
    # One line per plugin; what a plugin owns follows on indented lines.
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if not line.startswith(" ")}
    assert set(lines) == {*DEFAULT_PLUGINS, "plugins.disclosure_guardrail"}
    assert "built-in" in lines["connector-linkedin"]
    assert lines["connector-linkedin"].endswith("connectors_register")
    assert lines["connector-x"].endswith("blocked")
    assert "config" in lines["plugins.disclosure_guardrail"]


def test_cli_plugins_json_matches_describe(cli_env, clarion_engine_factory):
    env = {**cli_env, "CLARION_PLUGINS": "plugins.disclosure_guardrail"}
    result = CliRunner().invoke(main, ["plugins", "--json"], env=env)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    engine = clarion_engine_factory(plugin_modules=("plugins.disclosure_guardrail",))
    assert listed == [
        {
            "name": record.name,
            "source": str(record.source),
            "module": record.module,
            "version": record.version,
            "distribution": record.distribution,
            "blocked": record.blocked,
            "hooks": record.hooks,
            "owns": engine.plugin_parts().get(record.name, {}),
        }
        for record in engine.pm.describe()
    ]


def test_cli_plugins_import_failure_is_one_line_and_fails(cli_env):
    result = CliRunner().invoke(main, ["plugins"], env={**cli_env, "CLARION_PLUGINS": "plugins.broken_import"})
    assert result.exit_code != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("clarion: error: plugin 'plugins.broken_import'")
    assert "acme_sdk" in lines[0]


# -- plugin settings -------------------------------------------------------------------------------


def write_config(directory: Path, text: str) -> None:
    """clarion_settings_factory reads ./clarion.toml of the test's tmp_path, as `clarion` would."""
    (directory / "clarion.toml").write_text(text)


def test_plugin_settings_default_without_a_section(clarion_engine_factory):
    engine = clarion_engine_factory(plugins={"configured": configured})
    assert engine.plugin_config("configured") == configured.Settings()


def test_plugin_section_is_validated_into_the_model(clarion_engine_factory, tmp_path):
    write_config(tmp_path, '[plugins.configured]\ngreeting = "Hoi"\nmax_items = 7\n')
    engine = clarion_engine_factory(plugins={"configured": configured})
    settings = engine.plugin_config("configured")
    assert isinstance(settings, configured.Settings)
    assert (settings.greeting, settings.max_items) == ("Hoi", 7)
    assert engine.settings.config_path == str(tmp_path / "clarion.toml")


def test_builtin_plugin_section(clarion_settings_factory):
    settings = clarion_settings_factory(plugins={"guardrail-repeat-share": {"window_hours": 0}})
    engine = build_engine(settings)
    try:
        assert engine.plugin_config("guardrail-repeat-share").window_hours == 0
    finally:
        engine.close()


def test_invalid_plugin_setting_names_plugin_and_field(clarion_engine_factory, tmp_path):
    write_config(tmp_path, "[plugins.configured]\nmax_items = 0\n")
    with pytest.raises(ConfigError) as caught:
        clarion_engine_factory(plugins={"configured": configured})
    assert caught.value.detail.startswith("[plugins.configured] max_items:")
    assert "greater than or equal to 1" in caught.value.detail


def test_section_for_an_unknown_plugin_is_an_error(clarion_engine_factory, tmp_path):
    write_config(tmp_path, '[plugins.mastodonn]\ninstance = "social.example.com"\n')
    with pytest.raises(ConfigError, match=r"\[plugins\.mastodonn\] .* matches no plugin"):
        clarion_engine_factory()


def test_section_for_a_plugin_without_settings_is_an_error(clarion_engine_factory, tmp_path):
    write_config(tmp_path, "[plugins.connector-x]\nlimit = 500\n")
    with pytest.raises(ConfigError, match=r"\[plugins\.connector-x\]"):
        clarion_engine_factory()


def test_env_references_are_resolved(clarion_engine_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("CONFIGURED_API_KEY", "s3cret-from-env")
    write_config(tmp_path, '[plugins.configured]\napi_key = { "$env" = "CONFIGURED_API_KEY" }\n')
    engine = clarion_engine_factory(plugins={"configured": configured})
    assert engine.plugin_config("configured").api_key == "s3cret-from-env"
    # The raw section keeps the reference, so the secret never sits in the settings object.
    assert engine.settings.plugins["configured"]["api_key"] == {"$env": "CONFIGURED_API_KEY"}


def test_missing_env_reference_is_an_error(clarion_engine_factory, tmp_path, monkeypatch):
    monkeypatch.delenv("CONFIGURED_API_KEY", raising=False)
    write_config(tmp_path, '[plugins.configured]\napi_key = { "$env" = "CONFIGURED_API_KEY" }\n')
    with pytest.raises(ConfigError, match=r"plugins\.configured\.api_key refers to environment variable"):
        clarion_engine_factory(plugins={"configured": configured})


def test_plugin_config_of_a_plugin_without_settings(clarion_engine):
    with pytest.raises(ConfigError, match="'connector-facebook' declares no settings"):
        clarion_engine.plugin_config("connector-facebook")


# -- GET /api/v1/plugins --------------------------------------------------------------------------


def test_plugins_api_lists_what_describe_lists(clarion_client, clarion_people, clarion_engine):
    admin = clarion_people("ada", Role.ADMIN)
    response = clarion_client.get("/api/v1/plugins", headers=admin.headers)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "name": record.name,
            "source": str(record.source),
            "module": record.module,
            "version": record.version,
            "distribution": record.distribution,
            "blocked": record.blocked,
            "hooks": record.hooks,
        }
        for record in clarion_engine.pm.describe()
    ]


def test_plugins_api_is_for_admins_only(clarion_client, clarion_people):
    ambassador = clarion_people("amir")
    response = clarion_client.get("/api/v1/plugins", headers=ambassador.headers)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
