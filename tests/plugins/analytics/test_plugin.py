"""The analytics plugin as a plugin: what it owns, and the core without it.

Blocking it removes the reports API, the dashboards and ``clarion analytics``; the admin home, the
widgets and the rollups (the metrics domain) go on as before.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

from api_fixtures import cli
from clarion.metrics import rollups
from clarion.models import Role
from clarion.plugins import DEFAULT_PLUGINS, ESSENTIAL_PLUGINS
from clarion.testing import make_person
from clarion.web.app import create_app

API_PATHS = (
    "/api/v1/analytics/programme",
    "/api/v1/analytics/campaigns/{campaign_id}",
    "/api/v1/analytics/content/{content_id}",
    "/api/v1/analytics/teams/{team}",
    "/api/v1/analytics/networks/{network}",
    "/api/v1/analytics/ambassadors/{ambassador_id}",
    "/api/v1/analytics/breakdown",
    "/api/v1/me/analytics",
    "/api/v1/me/analytics/content",
)
# One address per route of the plugin, as a request names it.
ADDRESSES = (
    "/api/v1/analytics/programme",
    "/api/v1/analytics/campaigns/1",
    "/api/v1/analytics/content/1",
    "/api/v1/analytics/teams/Platform",
    "/api/v1/analytics/networks/linkedin",
    "/api/v1/analytics/ambassadors/1",
    "/api/v1/analytics/breakdown?by=team",
    "/api/v1/me/analytics",
    "/api/v1/me/analytics/content",
    "/admin/analytics",
    "/admin/analytics/campaigns/1",
    "/admin/analytics/teams/Platform",
    "/admin/analytics/networks/linkedin",
    "/admin/analytics/content/1",
)


def test_analytics_is_a_built_in_that_may_be_blocked():
    assert DEFAULT_PLUGINS["analytics"] == "clarion_plugins.analytics"
    assert "analytics" not in ESSENTIAL_PLUGINS


def test_clarion_plugins_lists_its_routes_and_command(clarion_database_url):
    result = cli(clarion_database_url, "plugins", "--json")
    assert result.exit_code == 0, result.output
    found = {entry["name"]: entry for entry in json.loads(result.output)}["analytics"]
    assert (found["source"], found["module"], found["blocked"]) == ("built-in", "clarion_plugins.analytics", False)
    assert found["hooks"] == ["clarion_admin_pages_register", "clarion_commands_register", "clarion_routes_register"]
    # Every path it answers; the dashboards are an admin page.
    assert found["owns"] == {
        "routes": sorted(
            path.replace("_id}", "_id:int}").replace("{team}", "{team:str}").replace("{network}", "{network:str}")
            for path in API_PATHS
        ),
        "commands": ["analytics"],
        "admin pages": ["/admin/analytics (editor)"],
    }
    table = cli(clarion_database_url, "plugins").output
    assert "    routes: /api/v1/analytics/ambassadors/{ambassador_id:int}, /api/v1/analytics/breakdown, " in table
    assert "    commands: analytics\n" in table
    assert "    admin pages: /admin/analytics (editor)\n" in table


def test_its_routes_keep_the_api_contract(clarion_client):
    document = clarion_client.get("/schema/openapi.json").json()
    for path in API_PATHS:
        operation = document["paths"][path]["get"]
        assert operation["tags"] == (["me"] if path.startswith("/api/v1/me/") else ["analytics"]), path
    assert not any(path.startswith("/admin") for path in document["paths"]), "admin pages stay out of the API"


@pytest.fixture
def blocked(clarion_engine_factory) -> Any:
    """An application whose engine blocks the analytics plugin."""
    engine = clarion_engine_factory(disabled_plugins=["analytics"])
    with TestClient(create_app(engine=engine)) as client:
        yield engine, client


def test_blocked_its_routes_answer_404(blocked):
    engine, client = blocked
    editor = make_person(engine, "erin", Role.EDITOR)
    for address in ADDRESSES:
        response = client.get(address, headers=editor.headers)
        assert response.status_code == 404, (address, response.text)
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert not [path for path in paths if "analytics" in path]


def test_blocked_the_admin_home_shows_the_figures_without_a_link_to_the_dashboards(blocked):
    engine, client = blocked
    editor = make_person(engine, "erin", Role.EDITOR)
    page = client.get("/admin", headers=editor.headers)
    assert page.status_code == 200, page.text
    assert 'data-figure="shares"' in page.text  # the home's summary comes from the metrics domain
    assert 'data-figure="potential_reach"' in page.text
    assert "/admin/analytics" not in page.text  # neither the menu entry nor the link
    assert 'href="/admin/content"' in page.text


def test_loaded_the_admin_menu_and_home_link_the_dashboards(api, cast):
    page = api.get("/admin/content", cast.erin).text
    assert '<a href="/admin/analytics">Analytics</a>' in page


def test_blocked_the_widgets_keep_their_figures(blocked):
    engine, client = blocked
    amir = make_person(engine, "amir")
    response = client.get("/widgets/my-impact", headers=amir.headers)
    assert response.status_code == 200, response.text
    assert 'data-figure="shares"' in response.text


def test_blocked_the_rollups_still_update_and_the_command_is_gone(blocked, clarion_database_url):
    engine, _client = blocked
    assert rollups.update(engine, settle_seconds=0).total == 0
    result = cli(clarion_database_url, "analytics", "update", CLARION_DISABLED_PLUGINS="analytics")
    assert result.exit_code == 2
    assert "No such command 'analytics'" in result.output
    assert cli(clarion_database_url, "plugins", CLARION_DISABLED_PLUGINS="analytics").exit_code == 0
