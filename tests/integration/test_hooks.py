"""One test per hook, each showing a plugin from ``tests/plugins/`` used end to end.

The engine of a test is built from the ``extra_plugins`` and ``clarion_toml`` fixtures below;
a test overrides them with ``@pytest.mark.parametrize``, and ``clarion_client`` and
``clarion_people`` (from ``clarion.testing``) then run on that engine. Plugin authors can
use the same pattern.
"""

from __future__ import annotations

import json
import logging
import os

import pytest
import uvicorn
from click.testing import CliRunner
from sqlmodel import select

from clarion.cli import main
from clarion.config import SERVE_PLUGIN_SETTINGS_ENV
from clarion.errors import PluginConflict
from clarion.event_log import list_events, record_event
from clarion.events import EventKind
from clarion.guardrails import ShareDraft, Violation
from clarion.metrics import rollups
from clarion.models import Ambassador, Role
from clarion.scoring import Award
from clarion.testing import TEST_SECRET
from plugins import (
    disclosure_guardrail,
    emv_per_share,
    feed_widget,
    mastodon,
    page_notice,
    portal_identity,
    recorder,
    rookie_badge,
    serve_tunnel,
    share_points,
)


@pytest.fixture
def extra_plugins() -> dict:
    return {}


@pytest.fixture
def clarion_toml() -> str:
    return ""


@pytest.fixture
def clarion_engine(clarion_engine_factory, extra_plugins, clarion_toml, tmp_path):
    if clarion_toml:
        # The settings factory reads ./clarion.toml of tmp_path, as `clarion` reads the working directory's.
        (tmp_path / "clarion.toml").write_text(clarion_toml)
    # The test "mastodon" plugin stands in for the built-in one of the same network.
    blocked = ("connector-mastodon",) if "mastodon" in extra_plugins else ()
    return clarion_engine_factory(plugins=extra_plugins, disabled_plugins=blocked)


def approved_content(client, editor, **fields) -> int:
    body = {"title": "We are hiring", "url": "https://example.com/jobs", **fields}
    created = client.post("/api/v1/content", headers=editor.headers, json=body)
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    for action in ("submit", "approve"):
        moved = client.post(
            f"/api/v1/content/{content_id}/transitions", headers=editor.headers, json={"action": action}
        )
        assert moved.status_code == 200, moved.text
    return content_id


MASTODON_TOML = '[plugins.mastodon]\ninstance = "social.example.com"\nlimit = 80\n'


@pytest.mark.parametrize("extra_plugins", [{"mastodon": mastodon}], ids=["mastodon"])
@pytest.mark.parametrize("clarion_toml", [MASTODON_TOML], ids=["toml"])
def test_hook_config_register(clarion_engine):
    settings = clarion_engine.plugin_config("mastodon")
    assert isinstance(settings, mastodon.Settings)
    assert settings == mastodon.Settings(instance="social.example.com", limit=80)
    # The plugin builds its connector from its validated settings.
    connector = clarion_engine.connector("mastodon")
    assert connector.settings is settings
    assert (connector.key, connector.label) == ("mastodon", "Mastodon")


@pytest.mark.parametrize("extra_plugins", [{"mastodon": mastodon}], ids=["mastodon"])
@pytest.mark.parametrize("clarion_toml", [MASTODON_TOML], ids=["toml"])
def test_hook_connectors_register(clarion_client, clarion_people):
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    networks = clarion_client.get("/api/v1/networks", headers=ambassador.headers)
    assert networks.status_code == 200, networks.text
    assert {"key": "mastodon", "label": "Mastodon", "capabilities": ["intent"]} in networks.json()
    content_id = approved_content(
        clarion_client, editor, share_texts=[{"network": "mastodon", "text": "Come work with me"}]
    )
    share = clarion_client.post(
        "/api/v1/shares", headers=ambassador.headers, json={"content_id": content_id, "network": "mastodon"}
    )
    assert share.status_code == 201, share.text
    body = share.json()
    assert body["network"] == "mastodon"
    assert body["text"] == "Come work with me"
    assert body["share_intent_url"].startswith("https://social.example.com/share?text=Come+work+with+me+http")
    # The connector's text rule (80 characters, links count 23) refuses a long post with 422.
    too_long = clarion_client.post(
        "/api/v1/shares",
        headers=ambassador.headers,
        json={"content_id": content_id, "network": "mastodon", "text": "x" * 60},
    )
    assert too_long.status_code == 422, too_long.text
    assert too_long.json()["field"] == "text"
    assert "Mastodon allows 80 characters; this post counts 84." in too_long.json()["detail"]


@pytest.mark.parametrize("extra_plugins", [{"feed": feed_widget}], ids=["feed"])
def test_hook_widgets_register(clarion_engine):
    widgets = clarion_engine.widgets()
    assert set(widgets) == {
        "feed",
        "onboarding",
        "my-impact",
        "my-queue",
        "profile",
        "campaign",
        "submit",
        "challenges",
        "leaderboard",
        "my-data",
        "picks",
    }  # the built-ins and the plugin's
    widget = widgets["picks"]
    assert (widget.title, widget.template, widget.cache, widget.max_age) == (
        "Content to share",
        "feed.html",
        "private",
        30,
    )
    context = widget.context(clarion_engine, None, {**widget.settings, "limit": 3})
    assert context == {"networks": list(clarion_engine.connectors()), "limit": 3}


@pytest.mark.parametrize("extra_plugins", [{"portal": portal_identity}], ids=["portal"])
def test_hook_identity_compute(clarion_client, clarion_engine):
    me = clarion_client.get("/api/v1/me", headers={"X-Portal-User": "pat", "X-Portal-Name": "Pat Doe"})
    assert me.status_code == 200, me.text
    profile = me.json()["profile"]
    assert (profile["external_id"], profile["name"]) == ("pat", "Pat Doe")
    # First sight provisions the ambassador (not opted in) and records who vouched for them.
    with clarion_engine.transaction() as session:
        ambassador = session.exec(select(Ambassador).where(Ambassador.external_id == "pat")).one()
        assert ambassador.opted_in_at is None
        joined = list_events(session, ambassador_id=ambassador.id, kind=EventKind.AMBASSADOR_JOINED)
    assert [event.payload for event in joined] == [{"provider": "portal"}]
    # A refused credential is a 401 and never falls through to another provider.
    refused = clarion_client.get("/api/v1/me", headers={"X-Portal-User": "mallory"})
    assert refused.status_code == 401
    assert refused.json()["detail"] == "the portal has locked this account"
    # Without the header the built-in providers are asked, and nobody vouches.
    assert clarion_client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("extra_plugins", [{"disclosure": disclosure_guardrail}], ids=["disclosure"])
def test_hook_share_violations_compute(clarion_client, clarion_people, clarion_engine):
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    content_id = approved_content(clarion_client, editor)
    refused = clarion_client.post(
        "/api/v1/shares",
        headers=ambassador.headers,
        json={"content_id": content_id, "network": "linkedin", "text": "Come work with me"},
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["field"] == "text"
    assert refused.json()["detail"] == "Add #ad: this post is about your employer."
    accepted = clarion_client.post(
        "/api/v1/shares",
        headers=ambassador.headers,
        json={"content_id": content_id, "network": "linkedin", "text": "Come work with me #ad"},
    )
    assert accepted.status_code == 201, accepted.text
    draft = ShareDraft(ambassador.id, content_id, "x", "no disclosure", "intent", None)
    with clarion_engine.transaction() as session:
        violations = clarion_engine.share_violations(draft, session)
    assert violations == [Violation("disclosure", "Add #ad: this post is about your employer.")]


@pytest.mark.parametrize("extra_plugins", [{"share-points": share_points}], ids=["share-points"])
def test_hook_awards_compute(clarion_client, clarion_people, clarion_engine):
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    content_id = approved_content(clarion_client, editor)
    share = clarion_client.post(
        "/api/v1/shares", headers=ambassador.headers, json={"content_id": content_id, "network": "x"}
    )
    assert share.status_code == 201, share.text
    with clarion_engine.transaction() as session:
        events = list_events(session)
    by_kind = {event.kind: event for event in events}
    created = by_kind[EventKind.SHARE_CREATED]
    assert created.share_id == share.json()["id"]
    assert clarion_engine.awards(created) == [Award("share-points", ambassador.id, 10, "10 points for share.created")]
    assert clarion_engine.awards(by_kind[EventKind.CONTENT_APPROVED]) == []
    # Rules are pure functions of the event: asking again gives the same awards.
    assert clarion_engine.awards(created) == clarion_engine.awards(created)


OBSERVER = recorder.Recorder()


def record_then_fail(engine) -> None:
    with engine.transaction() as session:
        record_event(session, "custom.aborted", idempotency_key="aborted:1")
        raise RuntimeError("rolled back")


@pytest.mark.parametrize(
    "extra_plugins", [{"recorder": OBSERVER, "failing": recorder.FailingObserver()}], ids=["observers"]
)
def test_hook_event_on_recorded(clarion_client, clarion_people, clarion_engine, caplog):
    OBSERVER.events.clear()
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    content_id = approved_content(clarion_client, editor)
    with caplog.at_level(logging.ERROR, logger="clarion.engine"):
        share = clarion_client.post(
            "/api/v1/shares", headers=ambassador.headers, json={"content_id": content_id, "network": "x"}
        )
    # The failing observer is logged with its name and never fails the request.
    assert share.status_code == 201, share.text
    assert any("observer 'failing' failed" in record.getMessage() for record in caplog.records)
    kinds = [event.kind for event in OBSERVER.events]
    assert kinds == [
        EventKind.CONTENT_CREATED,
        EventKind.CONTENT_SUBMITTED,
        EventKind.CONTENT_APPROVED,
        EventKind.SHARE_CREATED,
    ]
    assert OBSERVER.events[-1].share_id == share.json()["id"]
    # Observers hear of an event once: recording the same key again is a no-op.
    heard = len(OBSERVER.events)
    with clarion_engine.transaction() as session:
        _, created = record_event(session, "custom.replayed", idempotency_key="replay:1")
        assert created
    with clarion_engine.transaction() as session:
        _, created = record_event(session, "custom.replayed", idempotency_key="replay:1")
        assert not created
    assert [event.kind for event in OBSERVER.events[heard:]] == ["custom.replayed"]
    # An aborted transaction tells nobody.
    with pytest.raises(RuntimeError, match="rolled back"):
        record_then_fail(clarion_engine)
    assert [event.kind for event in OBSERVER.events[heard:]] == ["custom.replayed"]


@pytest.mark.parametrize("extra_plugins", [{"per-share": emv_per_share}], ids=["per-share"])
def test_hook_emv_models_register(clarion_client, clarion_people, clarion_engine):
    assert list(clarion_engine.emv_models()) == ["cpc", "cpm", "interactions", "per-share"]
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    content_id = approved_content(clarion_client, editor)
    for network in ("linkedin", "x"):
        share = clarion_client.post(
            "/api/v1/shares", headers=ambassador.headers, json={"content_id": content_id, "network": network}
        )
        assert share.status_code == 201, share.text
        opened = clarion_client.post(f"/api/v1/shares/{share.json()['id']}/opened", headers=ambassador.headers)
        assert opened.status_code == 200, opened.text
    rollups.update(clarion_engine, settle_seconds=0)
    report = clarion_client.get("/api/v1/analytics/programme", headers=editor.headers)
    assert report.status_code == 200, report.text
    per_share = next(value for value in report.json()["emv"] if value["model"] == "per-share")
    assert per_share == {
        "model": "per-share",
        "label": "Flat value per share",
        "currency": "EUR",
        "amount_minor": 300,
        "formula": "EMV = EUR 1.50 * shares",
        "rates": {"default": 150},
    }


def test_two_emv_models_with_one_key_stop_start_up(clarion_engine_factory):
    with pytest.raises(
        PluginConflict, match="two plugins register the EMV model 'cpc': 'again' and 'emv-cpc'; block one"
    ):
        clarion_engine_factory(plugins={"again": "plugins.emv_cpc_again"})


@pytest.mark.parametrize("extra_plugins", [{"rookie-badge": rookie_badge}], ids=["rookie-badge"])
def test_hook_badges_register(clarion_engine, clarion_client, clarion_people):
    assert "second-share" in clarion_engine.badges()
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")

    def badge():
        body = clarion_client.get("/api/v1/me/badges", headers=ambassador.headers).json()
        return next(item for item in body["items"] if item["name"] == "second-share")

    for number in range(2):
        assert not badge()["earned"]
        content_id = approved_content(clarion_client, editor, url=f"https://example.com/jobs/{number}")
        share = clarion_client.post(
            "/api/v1/shares", headers=ambassador.headers, json={"content_id": content_id, "network": "x"}
        )
        assert share.status_code == 201, share.text
        verified = clarion_client.post(
            f"/api/v1/shares/{share.json()['id']}/verify",
            headers=ambassador.headers,
            json={"post_url": f"https://x.com/amir/status/{number + 1}"},
        )
        assert verified.status_code == 200, verified.text
    earned = badge()
    assert (earned["earned"], earned["current"], earned["threshold"]) == (True, 2, 2)
    with clarion_engine.db.session() as session:
        events = list_events(session, kind="badge.awarded")
    assert [event.payload["badge"] for event in events].count("second-share") == 1


@pytest.mark.parametrize("extra_plugins", [{"page-notice": page_notice}], ids=["page-notice"])
def test_hook_page_sections_render(clarion_client):
    home = clarion_client.get("/", headers={"x-visitor": "<Ann>"})
    assert home.status_code == 200
    assert '<p class="note">Welcome, &lt;Ann&gt;.</p>' in home.text  # escaped by the plugin
    assert "Mint a short-lived token" in home.text  # an unfilled slot keeps the page's own words
    signin = clarion_client.get("/admin/signin", headers={"accept-language": "nl"}).text
    before, form, after = (
        signin.index('data-slot="before-form"'),
        signin.index('<form method="post" action="/admin/signin" class="card">'),
        signin.index('data-slot="after-form"'),
    )
    assert before < form < after
    assert '<p class="page-notice" data-slot="after-form">Inloggen</p>' in signin  # its template, in Dutch


# What `clarion serve` hands its web workers through the environment.
SERVE_ENVIRONMENT = (
    "CLARION_DEMO",
    SERVE_PLUGIN_SETTINGS_ENV,
    "CLARION_DATABASE_URL",
    "CLARION_SECRET_KEY",
    "CLARION_BASE_URL",
    "CLARION_EMBED_ORIGINS",
)


def test_hook_serve_prepare(clarion_engine, clarion_database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in SERVE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)  # restored after the test, whatever serve sets
    started: dict = {}

    def run(app, **options):  # the server itself is not under test: what it would start with is
        started.update(
            {name: os.environ.get(name) for name in SERVE_ENVIRONMENT},
            events=list(serve_tunnel.EVENTS),
            proxy_headers=options.get("proxy_headers"),
        )

    monkeypatch.setattr(uvicorn, "run", run)
    serve_tunnel.EVENTS.clear()
    env = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_PLUGINS": "plugins.serve_tunnel",
        "CLARION_RUN_CONSUMER_IN_SERVE": "0",
        "CLARION_INGEST_CLICKS_IN_SERVE": "0",
        "CLARION_CONFIG": None,
    }
    result = CliRunner().invoke(main, ["serve", "--port", "8123"], env=env)
    assert result.exit_code == 0, result.output
    assert "Reachable at https://tunnel.example (demo: False, database: " in result.stdout
    assert started["events"] == ["opened"]  # the resource lives while the server runs...
    assert serve_tunnel.EVENTS == ["opened", "closed"]  # ...and is closed after it
    assert started["CLARION_EMBED_ORIGINS"] == "https://tunnel.example"
    assert json.loads(started[SERVE_PLUGIN_SETTINGS_ENV]) == {"connector-mastodon": {"app_name": "Tunnelled"}}
    assert started["CLARION_DEMO"] is None
    assert started["proxy_headers"] is False  # uvicorn must not rewrite the peer from X-Forwarded-For
