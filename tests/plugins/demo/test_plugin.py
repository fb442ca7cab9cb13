"""The demo is a plugin: it shows in `clarion plugins`, it adds its sections to the pages, and blocking it leaves a core that runs."""

from __future__ import annotations

import json

import pytest
import uvicorn
from click.testing import CliRunner
from litestar.testing import TestClient

from clarion.cli import main
from clarion.models import Role
from clarion.testing import TEST_SECRET
from clarion.web.app import create_app


@pytest.fixture
def run(clarion_engine, clarion_database_url, tmp_path, monkeypatch):
    """``run(*args, **env)``: the ``clarion`` command on the test database (its schema current)."""
    monkeypatch.chdir(tmp_path)
    for name in ("CLARION_DEMO", "CLARION_DATABASE_URL", "CLARION_SECRET_KEY", "CLARION_BASE_URL"):
        monkeypatch.delenv(name, raising=False)  # `clarion serve` hands these to its workers
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)  # what runs before the server is under test
    base = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_RUN_CONSUMER_IN_SERVE": "0",
        "CLARION_INGEST_CLICKS_IN_SERVE": "0",
        "CLARION_CONFIG": None,
    }
    return lambda *args, **env: CliRunner().invoke(main, list(args), env={**base, **env})


def test_clarion_plugins_shows_the_demo_and_its_command(run):
    listed = run("plugins", "--json")
    assert listed.exit_code == 0, listed.output
    [demo] = [plugin for plugin in json.loads(listed.stdout) if plugin["name"] == "demo"]
    assert (demo["source"], demo["module"], demo["blocked"]) == ("built-in", "clarion_plugins.demo", False)
    assert demo["owns"] == {"commands": ["demo"]}
    assert set(demo["hooks"]) == {
        "clarion_commands_register",
        "clarion_page_sections_render",
        "clarion_serve_prepare",
    }
    assert "commands: demo" in run("plugins").stdout


def test_with_the_demo_blocked_the_core_runs_and_serve_demo_refuses(run):
    blocked = {"CLARION_DISABLED_PLUGINS": "demo"}
    refused = run("serve", "--demo", "--port", "8124", **blocked)
    assert refused.exit_code == 1
    assert refused.stderr == (
        "clarion: error: --demo needs the demo plugin, which is blocked; unblock it (CLARION_DISABLED_PLUGINS) "
        "or serve without --demo\n"
    )
    assert "Traceback" not in refused.output
    unknown = run("demo", **blocked)
    assert unknown.exit_code == 2
    assert "No such command 'demo'" in unknown.output
    served = run("serve", "--port", "8124", **blocked)
    assert served.exit_code == 0, served.output
    assert "serving http://127.0.0.1:8124/" in served.stdout
    listed = json.loads(run("plugins", "--json", **blocked).stdout)
    assert [plugin["blocked"] for plugin in listed if plugin["name"] == "demo"] == [True]


def page_texts(engine) -> tuple[str, str]:
    with TestClient(create_app(engine=engine)) as client:
        return client.get("/").text, client.get("/admin/signin").text


def test_serving_the_demo_adds_its_sections_to_the_home_and_sign_in_pages(clarion_engine_factory, clarion_people):
    clarion_people("noor")
    clarion_people("erin", role=Role.EDITOR)
    home, signin = page_texts(clarion_engine_factory(demo=True))
    assert (
        '<p class="note">This is the <strong>demo programme</strong>: made-up people, content and history.</p>' in home
    )
    assert "Demo tokens, valid for eight hours." in home
    assert "<td>editor</td><td>Erin" in home
    assert 'curl -H "Authorization: Bearer $TOKEN" http://testserver.local/api/v1/me/feed' in home
    assert "Mint a short-lived token" not in home
    assert "Sign in as Erin" in signin
    # The demo plugin blocked: the same demo-mode server shows the core's own pages.
    home, signin = page_texts(clarion_engine_factory(demo=True, disabled_plugins=("demo",)))
    assert "demo programme" not in home
    assert "Mint a short-lived token" in home
    assert "Demo programme" not in signin
    # Not serving the demo: the plugin keeps quiet.
    home, signin = page_texts(clarion_engine_factory())
    assert "demo programme" not in home
    assert "Demo programme" not in signin
