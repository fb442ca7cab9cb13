"""``/api/v1/ambassadors``: programme administration, for admins only."""

from __future__ import annotations

import pytest

from clarion.tokens import mint_token


def test_inviting_an_ambassador(api, cast):
    response = api.post(
        "/api/v1/ambassadors",
        cast.ada,
        {
            "external_id": " jdevries ",
            "name": "Jan de Vries",
            "email": "jan@example.com",
            "department": "Engineering",
            "team": "Platform",
            "locale": "nl",
            "time_zone": "Europe/Amsterdam",
            "role": "editor",
            "advocacy_level": "curation",
        },
    )
    assert response.status_code == 201, response.text
    invited = response.json()
    assert invited["external_id"] == "jdevries"
    assert invited["consent"] == "invited"  # knowing someone never makes them share
    assert invited["opted_in_at"] is None
    assert (invited["role"], invited["advocacy_level"], invited["locale"]) == ("editor", "curation", "nl")
    read = api.get(f"/api/v1/ambassadors/{invited['id']}", cast.ada)
    assert read.status_code == 200
    assert read.json() == invited


def test_an_invited_person_signing_in_is_the_same_ambassador(api, cast):
    invited = api.post("/api/v1/ambassadors", cast.ada, {"external_id": "jan", "name": "Jan"}).json()
    token = mint_token(api.engine.settings.secret_key, "jan")
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["profile"]["id"] == invited["id"]
    assert me["profile"]["consent"] == "invited"


def test_inviting_someone_twice_is_409(api, cast):
    assert cast.amir
    api.problem(api.post("/api/v1/ambassadors", cast.ada, {"external_id": "amir", "name": "Amir"}), 409, detail="amir")


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "No id"}, 400, "external_id"),
        ({"external_id": "x"}, 400, "name"),
        ({"external_id": "", "name": "n"}, 400, "external_id"),
        ({"external_id": "x", "name": "n", "role": "owner"}, 400, "role"),
        ({"external_id": "x", "name": "n", "advocacy_level": "guru"}, 400, "advocacy_level"),
        ({"external_id": "x", "name": "n", "locale": "english"}, 400, "locale"),
        ({"external_id": "x", "name": "n", "opted_in": True}, 400, "opted_in"),
        ({"external_id": "   ", "name": "n"}, 422, "external_id"),
        ({"external_id": "x", "name": "n", "email": "not-an-address"}, 422, "email"),
        ({"external_id": "x", "name": "n", "time_zone": "Europe/Atlantis"}, 422, "time_zone"),
    ],
)
def test_bad_invitations(api, cast, body, status, field):
    api.problem(api.post("/api/v1/ambassadors", cast.ada, body), status, field=field)


def test_listing_ambassadors_with_filters(api, cast):
    cast.everyone()
    platform = api.person("pia", name="Pia Platform", team="Platform", department="Engineering")
    data = api.person("dirk", name="Dirk Data", team="Data", department="Engineering", email="dirk@corp.example")
    sales = api.person("sam", name="Sam Sales", department="Sales")

    def ids(query=""):
        response = api.get(f"/api/v1/ambassadors{query}", cast.ada)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    everyone = ids()
    assert len(everyone) == 7
    names = [item["name"] for item in api.get("/api/v1/ambassadors", cast.ada).json()["items"]]
    assert names == sorted(names)  # by name
    assert ids("?team=Platform") == [platform.id]
    assert sorted(ids("?department=Engineering")) == sorted([platform.id, data.id])
    assert ids("?role=editor") == [cast.erin.id]
    assert ids("?role=admin") == [cast.ada.id]
    assert ids("?search=SALES") == [sales.id]
    assert ids("?search=corp.example") == [data.id]
    assert ids("?search=nobody") == []


@pytest.mark.parametrize(("query", "field"), [("role=owner", "role"), ("limit=0", "limit")])
def test_bad_ambassador_filters_are_400(api, cast, query, field):
    api.problem(api.get(f"/api/v1/ambassadors?{query}", cast.ada), 400, field=field)


def test_changing_an_ambassador(api, cast):
    response = api.patch(
        f"/api/v1/ambassadors/{cast.amir.id}",
        cast.ada,
        {"role": "editor", "advocacy_level": "production", "team": "Data", "email": None, "leaderboard_visible": False},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["role"], body["advocacy_level"], body["team"], body["leaderboard_visible"]) == (
        "editor",
        "production",
        "Data",
        False,
    )
    # The new role applies from the next request on.
    assert api.post("/api/v1/campaigns", cast.amir, {"name": "n", "slug": "by-amir"}).status_code == 201


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"name": None}, 422, "name"),
        ({"role": None}, 422, "role"),
        ({"email": "nope"}, 422, "email"),
        ({"time_zone": "Nowhere/Special"}, 422, "time_zone"),
        ({"external_id": "other"}, 400, "external_id"),
        ({"role": "superuser"}, 400, "role"),
        ({"name": ""}, 400, "name"),
    ],
)
def test_bad_ambassador_changes(api, cast, changes, status, field):
    api.problem(api.patch(f"/api/v1/ambassadors/{cast.amir.id}", cast.ada, changes), status, field=field)


def test_the_last_admin_cannot_step_down(api, cast):
    api.problem(api.patch(f"/api/v1/ambassadors/{cast.ada.id}", cast.ada, {"role": "editor"}), 409, detail="last admin")
    other = api.person("otto", "admin")
    response = api.patch(f"/api/v1/ambassadors/{cast.ada.id}", cast.ada, {"role": "editor"})
    assert response.status_code == 200, response.text
    api.problem(api.get("/api/v1/ambassadors", cast.ada), 403)
    assert api.get("/api/v1/ambassadors", other).status_code == 200


def test_an_ambassadors_accounts(api, cast):
    account = api.add_account(cast.amir, "linkedin", "amir")
    response = api.get(f"/api/v1/ambassadors/{cast.amir.id}/accounts", cast.ada)
    assert response.status_code == 200
    assert response.json() == [account]
    assert api.get(f"/api/v1/ambassadors/{cast.bea.id}/accounts", cast.ada).json() == []


def test_missing_ambassadors_are_404(api, cast):
    api.problem(api.get("/api/v1/ambassadors/4242", cast.ada), 404, detail="ambassador 4242 not found")
    api.problem(api.patch("/api/v1/ambassadors/4242", cast.ada, {"name": "x"}), 404)
    api.problem(api.get("/api/v1/ambassadors/4242/accounts", cast.ada), 404)
