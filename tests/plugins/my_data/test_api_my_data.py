"""``/api/v1/me/export`` and ``DELETE /api/v1/me`` (the my-data plugin): export once, erase for good."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import select

from api_fixtures import assert_problem
from clarion.models import Ambassador, ApiToken, NetworkAccount, PointsEntry, Share
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
