"""Gamification is a plugin like any other: listed with what it owns, and the core runs on without it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient

from clarion.cli import main
from clarion.config import MOVED_TO_PLUGINS, MovedSettingWarning, load_settings
from clarion.errors import ConfigError
from clarion.models import Role
from clarion.plugins import DEFAULT_PLUGINS, ESSENTIAL_PLUGINS
from clarion.points import points as points_service
from clarion.testing import TEST_SECRET
from clarion.web.app import create_app
from clarion_plugins.gamification.settings import settings_of

GAMIFICATION_PATHS = [
    "/api/v1/me/level",
    "/api/v1/me/badges",
    "/api/v1/leaderboards",
    "/api/v1/leaderboards/employee-of-the-month",
    "/api/v1/me/challenges",
    "/api/v1/challenges/",
]


@pytest.fixture
def without_gamification(clarion_engine_factory) -> Iterator[Any]:
    """An application on an engine whose gamification plugin is blocked."""
    engine = clarion_engine_factory(disabled_plugins=("gamification",))
    with TestClient(create_app(engine=engine)) as client:
        yield engine, client


def test_gamification_is_one_built_in_and_not_essential():
    assert DEFAULT_PLUGINS["gamification"] == "clarion_plugins.gamification"
    assert "gamification" not in ESSENTIAL_PLUGINS
    assert DEFAULT_PLUGINS["badges"] == "clarion_plugins.gamification.badge_catalogue"
    assert not {"widget-challenges", "widget-leaderboard"} & set(DEFAULT_PLUGINS)


def test_clarion_plugins_lists_its_routes_tables_and_jobs(clarion_database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_CONFIG": None,
    }
    listed = CliRunner().invoke(main, ["plugins", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    [record] = [record for record in json.loads(listed.output) if record["name"] == "gamification"]
    assert record["source"] == "built-in"
    owns = record["owns"]
    assert {"/api/v1/leaderboards", "/api/v1/challenges"} <= set(owns["routes"])
    assert "/admin/challenges (editor)" in owns["admin pages"]
    assert set(owns["tables"]) == {
        "badge_award",
        "challenge",
        "challenge_participant",
        "challenge_result",
        "period_points",
        "window_totals",
    }
    assert "gamification.freeze_challenges (7 * * * *)" in owns["jobs"]
    assert owns["commands"] == ["challenges"]
    for hook in ("clarion_points_on_change", "clarion_points_on_scored", "clarion_points_on_recompute"):
        assert hook in record["hooks"]
    table = CliRunner().invoke(main, ["plugins"], env=env)
    assert "tables: badge_award, challenge, challenge_participant" in table.output


def test_the_freeze_command_freezes_what_is_due(clarion_database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_CONFIG": None,
    }
    result = CliRunner().invoke(main, ["challenges", "freeze"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output == "0 challenge result(s) frozen\n"
    blocked = CliRunner().invoke(
        main, ["challenges", "freeze"], env={**env, "CLARION_DISABLED_PLUGINS": "gamification"}
    )
    assert blocked.exit_code == 2
    assert "No such command 'challenges'" in blocked.output


def test_blocked_its_routes_answer_404_and_shares_still_score(without_gamification, clarion_people):
    engine, client = without_gamification
    amir = clarion_people("amir")
    erin = clarion_people("erin", Role.EDITOR)
    for path in GAMIFICATION_PATHS:
        assert client.get(path, headers=amir.headers).status_code == 404, path
    assert client.get("/admin/challenges", headers=erin.headers).status_code == 404
    assert client.get("/widgets/leaderboard", headers=amir.headers).status_code == 404
    # The ledger is the core's: a share scores points.
    content = client.post(
        "/api/v1/content", headers=erin.headers, json={"title": "Hello", "url": "https://example.com/a"}
    ).json()
    for action in ("submit", "approve"):
        moved = client.post(
            f"/api/v1/content/{content['id']}/transitions", headers=erin.headers, json={"action": action}
        )
        assert moved.status_code == 200, moved.text
    account = client.post("/api/v1/me/accounts", headers=amir.headers, json={"network": "x", "handle": "@amir"})
    assert account.status_code == 201, account.text
    shared = client.post("/api/v1/shares", headers=amir.headers, json={"content_id": content["id"], "network": "x"})
    assert shared.status_code == 201, shared.text
    points = client.get("/api/v1/me/points", headers=amir.headers).json()
    assert points["balance"] > 0
    assert [item["rule"] for item in points["items"]]
    # Recompute rebuilds the ledger without the plugin's totals.
    assert points_service.recompute(engine).entries == len(points["items"])
    # The my-impact widget leaves out what only gamification knows.
    impact = client.get("/widgets/my-impact", headers=amir.headers)
    assert impact.status_code == 200, impact.text
    assert "data-month-rank" not in impact.text
    assert "cw-badges" not in impact.text
    assert "cw-criteria" not in impact.text


def test_blocked_the_admin_menu_has_no_challenges(without_gamification, clarion_people):
    _engine, client = without_gamification
    ada = clarion_people("ada", Role.ADMIN)
    page = client.get("/admin/content", headers=ada.headers)
    assert page.status_code == 200, page.text
    assert 'href="/admin/campaigns"' in page.text
    assert 'href="/admin/challenges"' not in page.text


def test_loaded_the_admin_menu_shows_challenges(clarion_engine_factory, clarion_people):
    with TestClient(create_app(engine=clarion_engine_factory())) as client:
        page = client.get("/admin/content", headers=clarion_people("ada", Role.ADMIN).headers)
    assert page.status_code == 200, page.text
    assert 'href="/admin/challenges"' in page.text


@pytest.mark.parametrize(
    "old_key", sorted(key for key, (plugin, _) in MOVED_TO_PLUGINS.items() if plugin == "gamification")
)
def test_an_old_setting_key_still_works_with_a_warning(tmp_path, old_key, clarion_engine_factory):
    value = {"curation_criteria": {"points": 7}, "production_criteria": {}, "leaderboards": False}[old_key]
    with pytest.warns(
        MovedSettingWarning, match=rf"'{old_key}' moved to the 'gamification' plugin.*\[plugins\.gamification\]"
    ):
        settings = load_settings({}, cwd=tmp_path, secret_key=TEST_SECRET, **{old_key: value})
    assert settings.plugins["gamification"][MOVED_TO_PLUGINS[old_key][1]] == value
    with pytest.warns(MovedSettingWarning):
        engine = clarion_engine_factory(**{old_key: value})
    assert getattr(settings_of(engine), old_key) == value


def test_an_old_setting_key_in_clarion_toml_moves_too(tmp_path):
    (tmp_path / "clarion.toml").write_text(
        "[clarion]\nleaderboards = false\n\n[plugins.gamification]\ncuration_criteria = { points = 9 }\n"
    )
    with pytest.warns(MovedSettingWarning, match="leaderboards"):
        settings = load_settings({}, cwd=tmp_path, secret_key=TEST_SECRET)
    assert settings.plugins["gamification"] == {"curation_criteria": {"points": 9}, "leaderboards": False}


def test_the_new_key_wins_over_the_old_one(tmp_path):
    with pytest.warns(MovedSettingWarning):
        settings = load_settings(
            {},
            cwd=tmp_path,
            secret_key=TEST_SECRET,
            leaderboards=True,
            plugins={"gamification": {"leaderboards": False}},
        )
    assert settings.plugins["gamification"] == {"leaderboards": False}


@pytest.mark.parametrize(
    ("setting", "value", "fragment"),
    [
        ("curation_criteria", {"logins": 3}, "curation_criteria.logins"),
        ("production_criteria", {"points": 0}, "production_criteria.points"),
    ],
)
def test_level_criteria_are_checked(clarion_engine_factory, setting, value, fragment):
    with pytest.raises(ConfigError, match=rf"^\[plugins\.gamification\] {fragment}"):
        clarion_engine_factory(plugin_settings={"gamification": {setting: value}})
