"""``/api/v1/me``: my profile, preferences, consent, network accounts and event history."""

from __future__ import annotations

import pytest

from clarion.models import Ambassador, utcnow


def test_my_profile(api):
    me = api.person("jan", name="Jan de Vries", team="Platform", department="Engineering", email="jan@example.com")
    response = api.get("/api/v1/me", me)
    assert response.status_code == 200
    body = response.json()
    assert body["current_guidelines_version"] == "1"
    assert body["accounts"] == []
    profile = body["profile"]
    assert profile["id"] == me.id
    assert profile["external_id"] == "jan"
    assert profile["name"] == "Jan de Vries"
    assert (profile["team"], profile["department"], profile["email"]) == ("Platform", "Engineering", "jan@example.com")
    assert profile["role"] == "ambassador"
    assert profile["consent"] == "opted_in"
    assert profile["guidelines_version"] == "1"
    assert profile["paused_at"] is None
    assert profile["left_at"] is None
    assert "credentials" not in response.text


def test_changing_my_preferences(api, cast):
    response = api.patch(
        "/api/v1/me", cast.amir, {"locale": "nl-BE", "time_zone": "Europe/Brussels", "leaderboard_visible": False}
    )
    assert response.status_code == 200, response.text
    profile = response.json()["profile"]
    assert (profile["locale"], profile["time_zone"], profile["leaderboard_visible"]) == (
        "nl-BE",
        "Europe/Brussels",
        False,
    )
    assert api.get("/api/v1/me", cast.amir).json()["profile"] == profile
    assert api.patch("/api/v1/me", cast.amir, {}).json()["profile"] == profile


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"role": "admin"}, 400, "role"),
        ({"name": "Someone else"}, 400, "name"),
        ({"team": "Board"}, 400, "team"),
        ({"locale": "Dutch"}, 400, "locale"),
        ({"leaderboard_visible": "maybe"}, 400, "leaderboard_visible"),
        ({"time_zone": "Mars/Olympus_Mons"}, 422, "time_zone"),
        ({"locale": None}, 422, "locale"),
        ({"time_zone": None}, 422, "time_zone"),
    ],
)
def test_bad_preference_changes(api, cast, changes, status, field):
    api.problem(api.patch("/api/v1/me", cast.amir, changes), status, field=field)
    assert api.get("/api/v1/me", cast.amir).json()["profile"]["role"] == "ambassador"


# -- consent ----------------------------------------------------------------------------


def consent(api, who, action, version=None):
    body = {"action": action}
    if version is not None:
        body["guidelines_version"] = version
    return api.post("/api/v1/me/consent", who, body)


def test_opting_in_accepts_the_current_guidelines(api):
    newcomer = api.person("newcomer", opted_in=False)
    assert api.get("/api/v1/me", newcomer).json()["profile"]["consent"] == "invited"
    api.problem(consent(api, newcomer, "opt_in"), 422, field="guidelines_version", detail="version 1")
    api.problem(consent(api, newcomer, "opt_in", "0"), 422, field="guidelines_version")
    response = consent(api, newcomer, "opt_in", "1")
    assert response.status_code == 200, response.text
    profile = response.json()["profile"]
    assert profile["consent"] == "opted_in"
    assert profile["guidelines_version"] == "1"
    assert profile["opted_in_at"] is not None
    api.problem(consent(api, newcomer, "opt_in", "1"), 409, detail="already opted in")
    kinds = [event["kind"] for event in api.get("/api/v1/me/events", newcomer).json()]
    assert kinds[-2:] == ["guidelines.accepted", "ambassador.opted_in"]


@pytest.mark.parametrize(
    ("before", "action", "status", "after"),
    [
        ((), "pause", 409, "invited"),
        ((), "resume", 409, "invited"),
        ((), "leave", 409, "invited"),
        (("opt_in",), "pause", 200, "paused"),
        (("opt_in",), "resume", 409, "opted_in"),
        (("opt_in",), "leave", 200, "left"),
        (("opt_in", "pause"), "pause", 409, "paused"),
        (("opt_in", "pause"), "resume", 200, "opted_in"),
        (("opt_in", "pause"), "leave", 200, "left"),
        (("opt_in", "pause"), "opt_in", 200, "opted_in"),
        (("opt_in", "leave"), "leave", 409, "left"),
        (("opt_in", "leave"), "pause", 409, "left"),
        (("opt_in", "leave"), "resume", 409, "left"),
        (("opt_in", "leave"), "opt_in", 200, "opted_in"),
    ],
)
def test_consent_transitions(api, before, action, status, after):
    person = api.person("person", opted_in=False)
    for step in before:
        assert consent(api, person, step, "1" if step == "opt_in" else None).status_code == 200
    response = consent(api, person, action, "1" if action == "opt_in" else None)
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        api.problem(response, 409)
    profile = api.get("/api/v1/me", person).json()["profile"]
    assert profile["consent"] == after
    if after == "opted_in":
        assert profile["paused_at"] is None
        assert profile["left_at"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "subscribe"}, "action"),
        ({}, "action"),
        ({"action": "opt_in", "guidelines_version": "v" * 33}, "guidelines_version"),
        ({"action": "opt_in", "guidelines_version": 1}, "guidelines_version"),
        ({"action": "pause", "until": "monday"}, "until"),
    ],
)
def test_malformed_consent_changes_are_400(api, cast, body, field):
    api.problem(api.post("/api/v1/me/consent", cast.amir, body), 400, field=field)


def test_a_new_guidelines_version_is_accepted_again(api_factory):
    api = api_factory(guidelines_version="2026-03")
    veteran = api.person("veteran", opted_in=False)
    with api.engine.transaction() as session:
        stored = session.get(Ambassador, veteran.id)
        stored.opted_in_at, stored.guidelines_version = utcnow(), "1"
        session.add(stored)
    me = api.get("/api/v1/me", veteran).json()
    assert me["current_guidelines_version"] == "2026-03"
    api.problem(consent(api, veteran, "opt_in", "1"), 422, field="guidelines_version", detail="version 2026-03")
    response = consent(api, veteran, "opt_in", "2026-03")
    assert response.status_code == 200, response.text
    assert response.json()["profile"]["guidelines_version"] == "2026-03"


# -- network accounts -----------------------------------------------------------------------


def test_adding_listing_and_removing_accounts(api, cast):
    response = api.post("/api/v1/me/accounts", cast.amir, {"network": "x", "handle": " @amir ", "follower_count": 640})
    assert response.status_code == 201, response.text
    x_account = response.json()
    assert (x_account["network"], x_account["handle"], x_account["follower_count"]) == ("x", "@amir", 640)
    assert x_account["followers_read_at"] is not None
    assert x_account["api_connected"] is False
    linkedin = api.add_account(cast.amir, "linkedin", "amir-l")
    assert linkedin["follower_count"] is None
    assert linkedin["followers_read_at"] is None
    listed = api.get("/api/v1/me/accounts", cast.amir).json()
    assert [account["id"] for account in listed] == [linkedin["id"], x_account["id"]]  # by network
    assert api.get("/api/v1/me", cast.amir).json()["accounts"] == listed
    assert api.delete(f"/api/v1/me/accounts/{x_account['id']}", cast.amir).status_code == 204
    assert [account["id"] for account in api.get("/api/v1/me/accounts", cast.amir).json()] == [linkedin["id"]]
    api.problem(api.delete(f"/api/v1/me/accounts/{x_account['id']}", cast.amir), 404)
    kinds = [event["kind"] for event in api.get("/api/v1/me/events", cast.amir).json()]
    assert kinds.count("account.connected") == 2
    assert kinds.count("account.disconnected") == 1


def test_adding_an_account_twice_is_409(api, cast):
    api.add_account(cast.amir, "x", "@amir")
    again = api.post("/api/v1/me/accounts", cast.amir, {"network": "x", "handle": "@amir"})
    api.problem(again, 409, detail="already added @amir on x")
    assert api.add_account(cast.amir, "x", "@amir_work")  # another handle is fine
    assert api.add_account(cast.bea, "x", "@amir")  # and someone else may claim the same handle


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"network": "myspace", "handle": "a"}, 422, "network"),
        ({"network": "x", "handle": "   "}, 422, "handle"),
        ({"network": "x", "handle": "a", "follower_count": -1}, 400, "follower_count"),
        ({"network": "x", "handle": "a", "follower_count": "many"}, 400, "follower_count"),
        ({"network": "x"}, 400, "handle"),
        ({"network": "x", "handle": ""}, 400, "handle"),
        ({"network": "x", "handle": "h" * 201}, 400, "handle"),
        ({"network": "x", "handle": "a", "token": "secret"}, 400, "token"),
    ],
)
def test_bad_accounts(api, cast, body, status, field):
    api.problem(api.post("/api/v1/me/accounts", cast.amir, body), status, field=field)


def test_removing_a_missing_account_is_404(api, cast):
    api.problem(api.delete("/api/v1/me/accounts/4242", cast.amir), 404, detail="account 4242 not found")


# -- events --------------------------------------------------------------------------------------


def test_my_events_oldest_first_paged_with_after_id(api, cast):
    for handle in ("a", "b", "c"):
        api.add_account(cast.amir, "x", handle)
    events = api.get("/api/v1/me/events", cast.amir).json()
    assert [event["kind"] for event in events] == ["account.connected"] * 3
    assert [event["payload"] for event in events] == [{"network": "x"}] * 3
    ids = [event["id"] for event in events]
    assert ids == sorted(ids)
    assert api.get(f"/api/v1/me/events?after_id={ids[0]}&limit=1", cast.amir).json() == [events[1]]
    assert api.get(f"/api/v1/me/events?after_id={ids[-1]}", cast.amir).json() == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=0", "limit"), ("limit=501", "limit"), ("after_id=-1", "after_id"), ("limit=x", "limit")],
)
def test_bad_event_paging_is_400(api, cast, query, field):
    api.problem(api.get(f"/api/v1/me/events?{query}", cast.amir), 400, field=field)
