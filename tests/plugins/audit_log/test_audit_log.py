"""The audit log: what the core records, that the database refuses to change it, and the admins' reading of it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from clarion import audit
from clarion.actors import Actor
from clarion.ambassadors.api_tokens import create_api_token
from clarion.models import Ambassador, AuditEntry, AuditPurge, Role
from clarion.plugins import DEFAULT_PLUGINS, ESSENTIAL_PLUGINS
from clarion.testing import TEST_SECRET
from clarion.web.admin.forms import admin_csrf_token
from clarion_plugins.audit_log.service import purge
from plugins.audit_listener import AuditListener


def entries(engine) -> list[AuditEntry]:
    with engine.transaction() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))


def test_it_is_an_essential_built_in():
    assert DEFAULT_PLUGINS["audit-log"] == "clarion_plugins.audit_log"
    assert "audit-log" in ESSENTIAL_PLUGINS


def test_content_campaign_and_role_changes_say_who_when_and_what(api, cast, clarion_engine, clock):
    content = api.approved_content(cast.erin, title="Launch")
    campaign = api.create_campaign(cast.erin)
    renamed = api.patch(f"/api/v1/campaigns/{campaign['id']}", cast.erin, {"name": "Summer"})
    assert renamed.status_code == 200, renamed.text
    promoted = api.patch(f"/api/v1/ambassadors/{cast.amir.id}", cast.ada, {"role": "editor"})
    assert promoted.status_code == 200, promoted.text
    renamed_person = api.patch(f"/api/v1/ambassadors/{cast.amir.id}", cast.ada, {"name": "Amir B.", "team": "Sales"})
    assert renamed_person.status_code == 200, renamed_person.text
    own = api.patch("/api/v1/me", cast.amir, {"time_zone": "Europe/Amsterdam"})
    assert own.status_code == 200, own.text  # someone's own preference is no admin change

    names = {person.id: person.external_id for person in cast.everyone()}
    found = [(e.action, e.subject_type, e.subject_id, names[e.actor_id], e.via) for e in entries(clarion_engine)]
    assert found == [
        ("content.created", "content", str(content["id"]), "erin", "api:identity-signed-token"),
        ("content.submitted", "content", str(content["id"]), "erin", "api:identity-signed-token"),
        ("content.approved", "content", str(content["id"]), "erin", "api:identity-signed-token"),
        ("campaign.created", "campaign", str(campaign["id"]), "erin", "api:identity-signed-token"),
        ("campaign.updated", "campaign", str(campaign["id"]), "erin", "api:identity-signed-token"),
        ("ambassador.role_changed", "ambassador", str(cast.amir.id), "ada", "api:identity-signed-token"),
        ("ambassador.updated", "ambassador", str(cast.amir.id), "ada", "api:identity-signed-token"),
    ]
    by_action = {e.action: e for e in entries(clarion_engine)}
    assert (by_action["campaign.updated"].before, by_action["campaign.updated"].after) == (
        {"name": "Spring"},
        {"name": "Summer"},
    )
    assert (by_action["ambassador.role_changed"].before, by_action["ambassador.role_changed"].after) == (
        {"role": "ambassador"},
        {"role": "editor"},
    )
    # Personal data never enters the append-only log: only that it changed.
    assert by_action["ambassador.updated"].after == {"name": "(changed)", "team": "(changed)"}
    assert by_action["content.approved"].after == {"status": "approved"}
    assert by_action["content.approved"].occurred_at == clock.now()


def test_the_database_refuses_to_change_or_delete_an_entry(clarion_engine):
    with clarion_engine.transaction() as session:
        entry = audit.record(session, None, "settings.changed", "", before={"a": 1}, after={"a": 2}, via="cli")
    assert (entry.actor_id, entry.via, entry.before, entry.after) == (None, "cli", {"a": 1}, {"a": 2})
    for statement in (
        sa.update(AuditEntry).values(action="nothing.happened"),
        sa.delete(AuditEntry),
    ):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), clarion_engine.db.session() as session:
            session.execute(statement)
    assert [e.action for e in entries(clarion_engine)] == ["settings.changed"]


def test_a_retention_purge_deletes_old_entries_only_and_is_kept(clarion_engine, clock):
    with clarion_engine.transaction() as session:
        audit.record(session, None, "old.thing", 1, via="cli")
    clock.move(timedelta(days=400))
    with clarion_engine.transaction() as session:
        audit.record(session, None, "new.thing", 2, via="cli")
    with clarion_engine.transaction() as session:
        assert purge(session, clock.now() - timedelta(days=365), by="retention") == 1
    assert [e.action for e in entries(clarion_engine)] == ["new.thing"]
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), clarion_engine.db.session() as session:
        session.execute(sa.delete(AuditEntry))
    with clarion_engine.transaction() as session:
        assert [p.purged_by for p in session.exec(select(AuditPurge))] == ["retention"]


def test_hook_audit_on_recorded(clarion_engine):
    """A plugin hears of each entry after its transaction commits, never of a rolled-back one."""
    listener = AuditListener()
    clarion_engine.pm.register(listener, name="audit-listener")
    try:
        actor = Actor(1, "ada", Role.ADMIN, "admin")
        with clarion_engine.transaction() as session:
            audit.record(session, actor, "kudos.created", 3, after={"text": "thanks"})
            assert listener.heard == []
        assert listener.heard == ["kudos.created"]

        def rolled_back() -> None:
            with clarion_engine.transaction() as session:
                audit.record(session, actor, "kudos.updated", 3)
                raise RuntimeError("rolled back")

        with pytest.raises(RuntimeError):
            rolled_back()
        assert listener.heard == ["kudos.created"]
    finally:
        clarion_engine.pm.unregister(listener)


def test_only_admins_read_the_log_in_the_api(api, cast):
    api.create_campaign(cast.erin)
    for who in (cast.amir, cast.erin):
        api.problem(api.get("/api/v1/audit", who), 403)
    api.problem(api.get("/api/v1/audit"), 401)
    read = api.get("/api/v1/audit", cast.ada)
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["total"] == 1
    assert body["items"][0]["action"] == "campaign.created"
    assert body["items"][0]["actor"] == "erin"


def test_the_api_filters_pages_and_exports(api, cast):
    api.create_campaign(cast.erin)
    content = api.approved_content(cast.erin)
    by_prefix = api.get("/api/v1/audit?action=content&limit=2", cast.ada).json()
    assert (by_prefix["total"], [item["action"] for item in by_prefix["items"]]) == (
        3,
        ["content.approved", "content.submitted"],
    )
    exact = api.get("/api/v1/audit?action=content.approved", cast.ada).json()
    assert [item["subject_id"] for item in exact["items"]] == [str(content["id"])]
    subject = api.get(f"/api/v1/audit?subject_type=content&subject_id={content['id']}", cast.ada).json()
    assert subject["total"] == 3
    assert api.get(f"/api/v1/audit?actor={cast.erin.id}", cast.ada).json()["total"] == 4
    assert api.get("/api/v1/audit?actor=nobody", cast.ada).json()["total"] == 0
    assert api.get("/api/v1/audit?since=9999-12-31&until=9999-12-31", cast.ada).json()["total"] == 0
    assert api.get("/api/v1/audit?since=0001-01-01&until=9999-12-31", cast.ada).json()["total"] == 4
    api.problem(api.get("/api/v1/audit?since=yesterday", cast.ada), 400)
    api.problem(api.get("/api/v1/audit?limit=0", cast.ada), 400)
    exported = api.get("/admin/audit/export.csv?action=campaign", cast.ada)
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(row["action"], row["actor"]) for row in rows] == [("campaign.created", "erin")]


def test_an_admin_reads_filters_and_exports_the_log_in_the_admin_area(api, cast):
    api.create_campaign(cast.erin)
    shown = api.get("/admin/audit", cast.ada)
    assert shown.status_code == 200, shown.text
    assert '<a href="/admin/audit" aria-current="page">Audit log</a>' in shown.text
    assert "campaign.created" in shown.text
    assert "1 change" in shown.text
    none = api.get("/admin/audit?action=content", cast.ada)
    assert "No change matches." in none.text
    bad = api.get("/admin/audit?since=soon", cast.ada)
    assert bad.status_code == 400
    assert "since must be a date" in bad.text
    dutch = api.get("/admin/audit", api.person("anke", Role.ADMIN, locale="nl"))
    assert "<h1>Auditlog</h1>" in dutch.text
    assert "1 wijziging" in dutch.text
    exported = api.get("/admin/audit/export.csv?actor=erin", cast.ada)
    assert exported.status_code == 200
    assert "campaign.created" in exported.text
    assert api.get("/admin/audit", cast.erin).status_code == 403


def test_an_admin_change_in_the_admin_area_is_recorded_as_such(api, cast, clarion_engine):
    data = {"csrf_token": admin_csrf_token(TEST_SECRET, cast.erin.external_id), "name": "Autumn", "slug": "autumn"}
    created = api.post("/admin/campaigns/new", cast.erin, data=data)
    assert "Saved." in created.text  # the client followed the redirect to the saved campaign
    assert [(e.action, e.via, e.actor_id) for e in entries(clarion_engine) if e.subject_type == "campaign"] == [
        ("campaign.created", "admin", cast.erin.id)
    ]


def test_content_campaign_and_ambassador_pages_link_to_their_history(api, cast):
    campaign = api.create_campaign(cast.erin)
    content = api.create_content(cast.erin)
    for path, query in (
        (f"/admin/campaigns/{campaign['id']}", f"subject_type=campaign&amp;subject_id={campaign['id']}"),
        (f"/admin/content/{content['id']}", f"subject_type=content&amp;subject_id={content['id']}"),
        (f"/admin/ambassadors/{cast.amir.id}", f"subject_type=ambassador&amp;subject_id={cast.amir.id}"),
    ):
        page = api.get(path, cast.ada).text
        assert f'<a href="/admin/audit?{query}">History: who changed this, and when</a>' in page, path
    assert "History: who changed this" not in api.get(f"/admin/content/{content['id']}", cast.erin).text
    history = api.get(f"/admin/audit?subject_type=content&subject_id={content['id']}", cast.ada).text
    assert "content.created" in history


def test_challenges_record_through_the_same_path(api, cast, clarion_engine, clock):
    """A plugin's service (gamification's challenges) records with clarion.audit.record too."""
    body = {
        "title": "Share 3 job posts",
        "kind": "individual",
        "measure": "shares",
        "target": 3,
        "starts_at": (clock.now() - timedelta(days=1)).isoformat(),
        "ends_at": (clock.now() + timedelta(days=5)).isoformat(),
    }
    created = api.post("/api/v1/challenges", cast.erin, body)
    assert created.status_code == 201, created.text
    challenge_id = created.json()["id"]
    assert api.patch(f"/api/v1/challenges/{challenge_id}", cast.erin, {"target": 5}).status_code == 200
    assert api.delete(f"/api/v1/challenges/{challenge_id}", cast.erin).status_code == 204
    found = [(e.action, e.subject_id, e.before, e.after) for e in entries(clarion_engine)]
    assert found[1:] == [
        ("challenge.updated", str(challenge_id), {"target": 3}, {"target": 5}),
        ("challenge.archived", str(challenge_id), None, {"title": "Share 3 job posts"}),
    ]
    assert found[0][:2] == ("challenge.created", str(challenge_id))


def test_an_api_token_and_the_command_line_are_named_as_the_door(api, cast, clarion_engine):
    with clarion_engine.transaction() as session:
        token, clear = create_api_token(session, session.get(Ambassador, cast.ada.id), "provisioning")
    invited = api.post(
        "/api/v1/ambassadors", headers={"authorization": f"Bearer {clear}"}, json={"external_id": "zoe", "name": "Zoe"}
    )
    assert invited.status_code == 201, invited.text
    found = [(e.action, e.actor_id, e.via, e.after) for e in entries(clarion_engine)]
    assert found == [
        ("api_token.created", None, "cli", {"name": "provisioning"}),
        ("ambassador.created", cast.ada.id, f"api:identity-api-token:{token.prefix}", found[1][3]),
    ]
    assert found[1][3]["role"] == "ambassador"
    only_cli = api.get("/api/v1/audit?actor=cli", cast.ada).json()
    assert [item["action"] for item in only_cli["items"]] == ["api_token.created"]
    assert only_cli["items"][0]["actor"] == "cli"


@pytest.mark.parametrize(
    "query",
    [
        "action=%00",
        "subject_id=a%00b",
        "actor=%00",
        "actor=99999999999999999999",
        "since=0001-01-01&until=0001-01-01",
        "until=9999-12-31",
        "since=9999-12-31",
        "offset=2147483647",
    ],
)
def test_odd_filters_never_fail_the_server(api, cast, query):
    for path in ("/api/v1/audit?", "/admin/audit?", "/admin/audit/export.csv?"):
        response = api.get(path + query, cast.ada)
        assert response.status_code < 500, (path + query, response.text)
