"""Settings: where each value comes from, what is refused, and ``$env`` secret references."""

from __future__ import annotations

import os
import stat
import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clarion.bootstrap import build_engine
from clarion.config import (
    SECRET_KEY_FILE,
    Settings,
    load_settings,
    plugin_settings_from_environment,
    resolve_env_references,
    with_plugin_settings,
)
from clarion.errors import ConfigError

SECRET = "s3cret-for-tests-0123456789abcdef"


def write_toml(directory: Path, text: str, name: str = "clarion.toml") -> Path:
    path = directory / name
    path.write_text(text)
    return path


# -- precedence ---------------------------------------------------------------------------


def test_defaults_without_file_or_environment(tmp_path):
    settings = load_settings({}, cwd=tmp_path, secret_key=SECRET)
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.database_url == "sqlite:///clarion.db"
    assert settings.plugin_autoload is True
    assert settings.config_path is None
    assert settings.plugins == {}


def test_precedence_overrides_then_environment_then_file_then_defaults(tmp_path):
    write_toml(tmp_path, '[clarion]\nbase_url = "http://toml.test"\ndatabase_url = "sqlite:///toml.db"\n')
    environ = {"CLARION_BASE_URL": "http://env.test", "CLARION_SECRET_KEY": SECRET}
    assert load_settings(environ, cwd=tmp_path, base_url="http://override.test").base_url == "http://override.test"
    assert load_settings(environ, cwd=tmp_path).base_url == "http://env.test"
    assert load_settings({"CLARION_SECRET_KEY": SECRET}, cwd=tmp_path).base_url == "http://toml.test"
    assert load_settings(environ, cwd=tmp_path).database_url == "sqlite:///toml.db", "file beats defaults"
    (tmp_path / "clarion.toml").unlink()
    assert load_settings({"CLARION_SECRET_KEY": SECRET}, cwd=tmp_path).base_url == "http://127.0.0.1:8000"


def test_none_overrides_do_not_hide_lower_layers(tmp_path):
    settings = load_settings({"CLARION_BASE_URL": "http://env.test"}, cwd=tmp_path, secret_key=SECRET, base_url=None)
    assert settings.base_url == "http://env.test"


def test_empty_environment_variables_are_ignored(tmp_path):
    write_toml(tmp_path, '[clarion]\nbase_url = "http://toml.test"\n')
    settings = load_settings({"CLARION_BASE_URL": ""}, cwd=tmp_path, secret_key=SECRET)
    assert settings.base_url == "http://toml.test"


def test_environment_lists_and_flags(tmp_path):
    settings = load_settings(
        {
            "CLARION_PLUGINS": " a.b , c ,,",
            "CLARION_DISABLED_PLUGINS": "connector-x",
            "CLARION_DISABLE_PLUGIN_AUTOLOAD": "yes",
        },
        cwd=tmp_path,
        secret_key=SECRET,
    )
    assert settings.plugin_modules == ("a.b", "c")
    assert settings.disabled_plugins == ("connector-x",)
    assert settings.plugin_autoload is False
    assert load_settings({"CLARION_DISABLE_PLUGIN_AUTOLOAD": "off"}, cwd=tmp_path, secret_key=SECRET).plugin_autoload


def test_settings_are_immutable(tmp_path):
    settings = load_settings({}, cwd=tmp_path, secret_key=SECRET)
    with pytest.raises(Exception, match="frozen"):
        settings.base_url = "http://elsewhere.test"  # type: ignore[misc]


# -- the config file ----------------------------------------------------------------------


def test_clarion_config_names_the_file_and_wins_over_the_working_directory(tmp_path):
    write_toml(tmp_path, '[clarion]\nbase_url = "http://cwd.test"\n')
    elsewhere = tmp_path / "etc"
    elsewhere.mkdir()
    path = write_toml(elsewhere, '[clarion]\nbase_url = "http://named.test"\n', name="site.toml")
    settings = load_settings({"CLARION_CONFIG": str(path)}, cwd=tmp_path, secret_key=SECRET)
    assert settings.base_url == "http://named.test"
    assert settings.config_path == str(path)
    assert load_settings({}, cwd=tmp_path, secret_key=SECRET).config_path == str(tmp_path / "clarion.toml")


def test_missing_named_config_file_is_an_error(tmp_path):
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="does not exist") as caught:
        load_settings({"CLARION_CONFIG": str(missing)}, cwd=tmp_path, secret_key=SECRET)
    assert str(missing) in caught.value.detail


def test_invalid_toml_is_an_error_naming_the_file(tmp_path):
    path = write_toml(tmp_path, "[clarion\nbase_url = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_settings({}, cwd=tmp_path, secret_key=SECRET)
    assert str(path) in caught.value.detail


@pytest.mark.parametrize("section", ["server", "plugin", "Clarion"])
def test_unknown_sections_are_rejected(tmp_path, section):
    write_toml(tmp_path, f"[clarion]\n[{section}]\nport = 1\n")
    with pytest.raises(ConfigError, match="unknown section") as caught:
        load_settings({}, cwd=tmp_path, secret_key=SECRET)
    assert section in caught.value.detail


def test_plugin_sections_are_kept_raw(tmp_path):
    write_toml(tmp_path, '[plugins.my-plugin]\nurl = "https://a.test"\n[plugins.other]\nn = 3\n')
    settings = load_settings({}, cwd=tmp_path, secret_key=SECRET)
    assert settings.plugins == {"my-plugin": {"url": "https://a.test"}, "other": {"n": 3}}


# -- invalid values -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "setting"),
    [
        ("[clarion]\nmax_page_size = 0\n", "max_page_size"),
        ("[clarion]\ndefault_page_size = 5000\n", "default_page_size"),
        ('[clarion]\nplugin_autoload = "sometimes"\n', "plugin_autoload"),
        ("[clarion]\nguidelines_version = " + '"' + "v" * 40 + '"\n', "guidelines_version"),
        ("[clarion]\nbase_url = 3\n", "base_url"),
        ("[clarion]\nport = 8000\n", "port"),
        ("plugins = 3\n", "plugins"),
    ],
)
def test_invalid_values_name_the_setting(tmp_path, toml, setting):
    write_toml(tmp_path, toml)
    with pytest.raises(ConfigError) as caught:
        load_settings({}, cwd=tmp_path, secret_key=SECRET)
    assert setting in caught.value.detail
    assert caught.value.detail.startswith("invalid setting")


def test_invalid_override_names_the_setting(tmp_path):
    with pytest.raises(ConfigError, match="max_page_size"):
        load_settings({}, cwd=tmp_path, secret_key=SECRET, max_page_size=-1)


def test_invalid_environment_flag_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="CLARION_DISABLE_PLUGIN_AUTOLOAD") as caught:
        load_settings({"CLARION_DISABLE_PLUGIN_AUTOLOAD": "maybe"}, cwd=tmp_path, secret_key=SECRET)
    assert "maybe" in caught.value.detail


# -- $env references ----------------------------------------------------------------------


def test_env_references_resolve_in_plugin_sections(tmp_path, monkeypatch):
    monkeypatch.setenv("CLARION_TEST_PROXY_SECRET", "hunter2")
    write_toml(
        tmp_path,
        '[plugins.proxy]\nsecret = { "$env" = "CLARION_TEST_PROXY_SECRET" }\nnested = [{ "$env" = "CLARION_TEST_PROXY_SECRET" }, 1]\n',
    )
    settings = load_settings({}, cwd=tmp_path, secret_key=SECRET)
    assert settings.plugins["proxy"]["secret"] == {"$env": "CLARION_TEST_PROXY_SECRET"}, "kept raw, never stored"
    assert settings.plugin_section("proxy") == {"secret": "hunter2", "nested": ["hunter2", 1]}
    assert settings.plugin_section("absent") == {}


def test_missing_env_reference_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("CLARION_TEST_UNSET", raising=False)
    with pytest.raises(ConfigError) as caught:
        resolve_env_references({"a": [{"b": {"$env": "CLARION_TEST_UNSET"}}]}, path="plugins.p", environ={})
    assert "plugins.p.a[0].b" in caught.value.detail
    assert "CLARION_TEST_UNSET" in caught.value.detail
    assert "not set" in caught.value.detail


def test_env_reference_must_name_a_variable():
    with pytest.raises(ConfigError, match=r"plugins\.p\.x"):
        resolve_env_references({"x": {"$env": 3}}, path="plugins.p", environ={"3": "no"})


def test_plugin_settings_resolve_env_references_at_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("CLARION_TEST_WINDOW", "5")
    settings = load_settings(
        {},
        cwd=tmp_path,
        secret_key=SECRET,
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        plugin_autoload=False,
        plugins={"guardrail-repeat-share": {"window_hours": {"$env": "CLARION_TEST_WINDOW"}}},
    )
    engine = build_engine(settings)
    try:
        assert engine.plugin_config("guardrail-repeat-share").window_hours == 5
    finally:
        engine.close()
    monkeypatch.delenv("CLARION_TEST_WINDOW")
    with pytest.raises(ConfigError, match="CLARION_TEST_WINDOW") as caught:
        build_engine(settings)
    assert "plugins.guardrail-repeat-share.window_hours" in caught.value.detail


def test_plugin_settings_are_validated_at_start_up(tmp_path):
    settings = load_settings(
        {},
        cwd=tmp_path,
        secret_key=SECRET,
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        plugin_autoload=False,
        plugins={"guardrail-repeat-share": {"window_hours": -1}},
    )
    with pytest.raises(ConfigError, match=r"\[plugins.guardrail-repeat-share\] window_hours"):
        build_engine(settings)
    unknown = settings.model_copy(update={"plugins": {"no-such-plugin": {}}})
    with pytest.raises(ConfigError, match=r"\[plugins.no-such-plugin\]"):
        build_engine(unknown)


class Ref:
    """A place in generated data where an ``$env`` reference goes."""

    def __init__(self, name: str) -> None:
        self.name = name


ENVIRON = {f"CLARION_VAR_{index}": f"value-{index}" for index in range(5)}
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10)
keys = st.text(max_size=8) | st.just("$env")
refs = st.sampled_from(sorted(ENVIRON)).map(Ref)


def tree(leaves: st.SearchStrategy) -> st.SearchStrategy:
    return st.recursive(
        leaves,
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(keys, children, max_size=4).filter(lambda d: set(d) != {"$env"})
        ),
        max_leaves=20,
    )


def as_input(value):
    if isinstance(value, Ref):
        return {"$env": value.name}
    if isinstance(value, dict):
        return {key: as_input(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_input(item) for item in value]
    return value


def has_reference(value) -> bool:
    if isinstance(value, dict):
        return set(value) == {"$env"} or any(has_reference(item) for item in value.values())
    if isinstance(value, list):
        return any(has_reference(item) for item in value)
    return False


def as_resolved(value):
    if isinstance(value, Ref):
        return ENVIRON[value.name]
    if isinstance(value, dict):
        return {key: as_resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_resolved(item) for item in value]
    return value


@given(tree(scalars))
def test_resolve_leaves_data_without_references_unchanged(data):
    assert resolve_env_references(data, path="plugins.p", environ=ENVIRON) == data


@given(tree(scalars | refs))
def test_resolve_replaces_every_reference(data):
    resolved = resolve_env_references(as_input(data), path="plugins.p", environ=ENVIRON)
    assert resolved == as_resolved(data)
    assert not has_reference(resolved)


@given(tree(scalars | refs), st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=8))
def test_resolve_refuses_any_unset_reference(data, missing):
    name = f"CLARION_MISSING_{missing}"
    with pytest.raises(ConfigError, match=name):
        resolve_env_references([as_input(data), {"k": {"$env": name}}], path="plugins.p", environ=ENVIRON)


# -- the local secret key -----------------------------------------------------------------


def test_local_secret_key_is_created_once_private_and_reused(tmp_path):
    first = load_settings({}, cwd=tmp_path)
    path = tmp_path / SECRET_KEY_FILE
    assert path.is_file()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first.secret_key) >= 32
    assert path.read_text().strip() == first.secret_key
    modified = path.stat().st_mtime_ns
    second = load_settings({}, cwd=tmp_path)
    assert second.secret_key == first.secret_key
    assert path.stat().st_mtime_ns == modified


def test_existing_secret_key_file_is_used(tmp_path):
    (tmp_path / SECRET_KEY_FILE).write_text("from-the-file\n")
    assert load_settings({}, cwd=tmp_path).secret_key == "from-the-file"


def test_configured_secret_key_creates_no_file(tmp_path):
    assert load_settings({"CLARION_SECRET_KEY": SECRET}, cwd=tmp_path).secret_key == SECRET
    assert not (tmp_path / SECRET_KEY_FILE).exists()
    assert isinstance(load_settings({}, cwd=tmp_path, secret_key=SECRET), Settings)
    assert not (tmp_path / SECRET_KEY_FILE).exists()


def test_different_installations_get_different_keys(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    assert load_settings({}, cwd=one).secret_key != load_settings({}, cwd=two).secret_key


def test_a_serve_run_lays_plugin_settings_over_the_configured_ones(tmp_path):
    settings = load_settings({}, cwd=tmp_path, plugins={"connector-mastodon": {"app_name": "Kestrel"}})
    overridden = with_plugin_settings(settings, {"connector-mastodon": {"default_instance": "http://127.0.0.1:1"}})
    assert overridden.plugins == {
        "connector-mastodon": {"app_name": "Kestrel", "default_instance": "http://127.0.0.1:1"}
    }
    assert settings.plugins == {"connector-mastodon": {"app_name": "Kestrel"}}  # settings stay immutable
    assert plugin_settings_from_environment('{"a": {"b": 1}}') == {"a": {"b": 1}}


@pytest.mark.parametrize(
    ("value", "message"),
    [("not json", "is not JSON"), ('["http://x"]', "must map"), ('{"connector-mastodon": "http://x"}', "must map")],
)
def test_a_bad_serve_plugin_settings_value_is_one_clear_error(value, message):
    with pytest.raises(ConfigError, match=message):
        plugin_settings_from_environment(value)


def test_outbound_allow_networks_come_from_the_environment_and_must_be_networks(tmp_path):
    environ = {"CLARION_OUTBOUND_ALLOW_NETWORKS": "10.20.0.0/16, fd00::/8"}
    settings = load_settings(environ, cwd=tmp_path, secret_key=SECRET)
    assert settings.outbound_allow_networks == ("10.20.0.0/16", "fd00::/8")
    assert load_settings({}, cwd=tmp_path, secret_key=SECRET).outbound_allow_networks == ()
    with pytest.raises(ConfigError, match="intranet"):
        load_settings({"CLARION_OUTBOUND_ALLOW_NETWORKS": "intranet"}, cwd=tmp_path, secret_key=SECRET)


def test_the_demo_allows_loopback_by_name_and_keeps_the_check(tmp_path):
    demo = load_settings({}, cwd=tmp_path, secret_key=SECRET, demo=True, outbound_allow_networks="10.0.0.0/8")
    assert demo.outbound_allow_networks == ("10.0.0.0/8", "127.0.0.0/8", "::1/128")
