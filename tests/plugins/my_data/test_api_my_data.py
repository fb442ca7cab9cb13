"""``/api/v1/me/export`` and ``DELETE /api/v1/me`` (the my-data plugin): export once, erase for good."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from api_fixtures import assert_problem
from clarion.models import Ambassador, ApiToken, AuditEntry, NetworkAccount, PointsEntry, Share
from clarion_plugins.my_data import services
from clarion_plugins.my_data.models import PersonalDataExport


def build_pending(api) -> None:
    with api.engine.transaction() as session:
        ids = session.exec(select(PersonalDataExport.id).where(PersonalDataExport.status == "pending")).all()
    for export_id in ids:
        assert services.build_export(api.engine, export_id)


def test_i_export_my_data_as_a_zip_i_can_download_once(api, cast, linkedin_share):
    api.add_account(cast.amir, "linkedin", "amir-li")
    assert api.get("/api/v1/me/export", cast.amir).json()["status"] == "none"
    started = api.post("/api/v1/me/export", cast.amir)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "pending"
    assert api.get("/api/v1/me/export/download", cast.amir).status_code == 404
    build_pending(api)
    state = api.get("/api/v1/me/export", cast.amir).json()
    assert state["status"] == "ready"
    assert state["download_url"] == "/api/v1/me/export/download"
    assert api.get("/api/v1/me/export/download", cast.bea).status_code == 404  # only mine, never another's
    response = api.get("/api/v1/me/export/download", cast.amir)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {"README.txt", "ambassador.json", "ambassador.csv", "share.json", "network_account.json"} <= names
    assert json.loads(archive.read("ambassador.json"))[0]["external_id"] == cast.amir.external_id
    shares = json.loads(archive.read("share.json"))
    assert [row["id"] for row in shares] == [linkedin_share["id"]]
    assert shares[0]["text"]
    account = json.loads(archive.read("network_account.json"))[0]
    assert account["handle"] == "amir-li"
    assert "credentials_encrypted" not in account
    assert "badge_award.json" in names
    assert "clicks_by_share_and_day.csv" in names
    # Downloaded once: gone.
    assert api.get("/api/v1/me/export/download", cast.amir).status_code == 404
    assert api.get("/api/v1/me/export", cast.amir).json()["status"] == "downloaded"


def test_an_undownloaded_export_expires(api, cast, clock):
    api.post("/api/v1/me/export", cast.amir)
    build_pending(api)
    clock.move(timedelta(hours=71))
    assert services.expire_exports(api.engine) == 0
    clock.move(timedelta(hours=2))
    assert services.expire_exports(api.engine) == 1
    with api.engine.transaction() as session:
        export = session.exec(select(PersonalDataExport)).one()
        assert export.status == "expired"
        assert export.archive is None


def test_i_erase_my_account_and_my_totals_stay_under_a_pseudonym(api, cast, linkedin_share):
    api.add_account(cast.amir, "linkedin", "amir-li")
    with api.engine.transaction() as session:
        amir_id = session.exec(select(Ambassador.id).where(Ambassador.external_id == cast.amir.external_id)).one()
        points_before = session.exec(select(sa.func.count()).where(PointsEntry.ambassador_id == amir_id)).one()
    refused = api.request("DELETE", "/api/v1/me", cast.amir, json={"confirm": "yes"})
    assert_problem(refused, 400) if refused.status_code == 400 else assert_problem(refused, 422)
    erased = api.request("DELETE", "/api/v1/me", cast.amir, json={"confirm": "erase"})
    assert erased.status_code == 204, erased.text
    with api.engine.transaction() as session:
        person = session.get(Ambassador, amir_id)
        assert person.erased_at is not None
        assert person.left_at is not None
        assert person.name.startswith("erased-")
        assert person.email is None
        assert person.team is None
        assert person.external_id == person.name
        assert not person.leaderboard_visible
        assert session.exec(select(NetworkAccount).where(NetworkAccount.ambassador_id == amir_id)).all() == []
        assert session.exec(select(ApiToken).where(ApiToken.ambassador_id == amir_id)).all() == []
        share = session.get(Share, linkedin_share["id"])
        assert share.text == ""
        assert share.link_code
        points_after = session.exec(select(sa.func.count()).where(PointsEntry.ambassador_id == amir_id)).one()
        assert points_after == points_before  # totals keep adding up
    # The old identity no longer opens the account: it is a new person now, or nobody.
    me = api.get("/api/v1/me", cast.amir)
    assert me.status_code == 200
    assert me.json()["profile"]["id"] != amir_id
    # The tracked link still redirects for the audience.
    assert api.get(f"/r/{share.link_code}", follow_redirects=False).status_code in (301, 302, 303, 307, 308)


def test_admin_search_no_longer_finds_an_erased_person(api, cast):
    api.get("/api/v1/me", cast.amir)
    found = api.get("/api/v1/ambassadors?search=Amir", cast.ada)
    assert found.status_code == 200, found.text
    assert found.json()["total"] >= 1
    assert api.request("DELETE", "/api/v1/me", cast.amir, json={"confirm": "erase"}).status_code == 204
    assert api.get("/api/v1/ambassadors?search=Amir", cast.ada).json()["total"] == 0


def test_the_my_data_widget_offers_download_and_erasure_in_dutch(api, cast):
    assert api.patch("/api/v1/me", cast.amir, {"locale": "nl"}).status_code == 200
    page = api.get("/widgets/my-data", cast.amir)
    assert page.status_code == 200, page.text
    assert "Mijn gegevens klaarzetten om te downloaden" in page.text
    assert 'data-method="DELETE"' in page.text
    assert "Ik begrijp dat dit niet ongedaan kan worden gemaakt" in page.text
    api.post("/api/v1/me/export", cast.amir)
    build_pending(api)
    ready = api.get("/widgets/my-data", cast.amir)
    assert "/api/v1/me/export/download" in ready.text


def test_an_admin_erases_someone_on_the_personal_data_page_and_it_is_audited(api, cast):
    from clarion.models import Event
    from clarion.web.admin.forms import admin_csrf_token

    api.post("/api/v1/me/consent", cast.amir, {"action": "leave"})
    with api.engine.transaction() as session:
        amir_id = session.exec(select(Ambassador.id).where(Ambassador.external_id == cast.amir.external_id)).one()
    listing = api.get("/admin/personal-data/", cast.ada)
    assert listing.status_code == 200, listing.text
    assert f"/admin/personal-data/{amir_id}/erase" in listing.text
    assert api.get("/admin/personal-data/", cast.amir).status_code == 403
    assert f"/admin/personal-data/{amir_id}/erase" in api.get(f"/admin/ambassadors/{amir_id}", cast.ada).text
    token = admin_csrf_token(api.engine.settings.secret_key, cast.ada.external_id)
    url = f"/admin/personal-data/{amir_id}/erase"
    unconfirmed = api.request("POST", url, cast.ada, data={"csrf_token": token}, follow_redirects=False)
    assert unconfirmed.status_code == 303
    with api.engine.transaction() as session:
        assert session.get(Ambassador, amir_id).erased_at is None
    done = api.request("POST", url, cast.ada, data={"csrf_token": token, "confirm": "erase"}, follow_redirects=False)
    assert done.status_code == 303, done.text
    with api.engine.transaction() as session:
        assert session.get(Ambassador, amir_id).erased_at is not None
        kinds = session.exec(select(Event.kind).where(Event.kind == "ambassador.erased")).all()
        audited = session.exec(
            select(AuditEntry.action, AuditEntry.actor_id).where(AuditEntry.subject_id == str(amir_id))
        ).all()
    assert kinds == ["ambassador.erased"]
    assert ("ambassador.erased", cast.ada.id) in audited


def test_an_ambassador_cannot_erase_someone_else(api, cast):
    from clarion.web.admin.forms import admin_csrf_token

    api.get("/api/v1/me", cast.bea)
    with api.engine.transaction() as session:
        bea_id = session.exec(select(Ambassador.id).where(Ambassador.external_id == cast.bea.external_id)).one()
    token = admin_csrf_token(api.engine.settings.secret_key, cast.amir.external_id)
    refused = api.request(
        "POST", f"/admin/personal-data/{bea_id}/erase", cast.amir, data={"csrf_token": token, "confirm": "erase"}
    )
    assert refused.status_code == 403
    with api.engine.transaction() as session:
        assert session.get(Ambassador, bea_id).erased_at is None
    assert api.request("DELETE", "/api/v1/me", cast.bea, json={"confirm": "erase"}).status_code == 204


def test_old_raw_clicks_are_reduced_to_the_rollups(api_factory, cast, linkedin_share, clock):
    from clarion.metrics.rollups import update
    from clarion.models import Click

    api = api_factory(plugin_config={"my-data": {"click_retention_days": 30}})
    with api.engine.transaction() as session:
        for days in (40, 1):
            session.add(
                Click(
                    capture_id=f"c{days}",
                    share_id=linkedin_share["id"],
                    occurred_at=clock.now() - timedelta(days=days),
                    counted=True,
                )
            )
    assert services.reduce_clicks(api.engine) == 0  # not folded into the rollups yet: kept
    clock.move(timedelta(minutes=10))
    update(api.engine, settle_seconds=0)
    assert services.reduce_clicks(api.engine) == 1
    with api.engine.transaction() as session:
        assert [click.capture_id for click in session.exec(select(Click)).all()] == ["c1"]
