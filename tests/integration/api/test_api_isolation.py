"""Nobody reads or changes another ambassador's data, and nobody sees content not meant for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


# -- shares --------------------------------------------------------------------------------------


@pytest.fixture
def amirs_share(api, cast):
    content = api.approved_content(cast.erin)
    return api.share(cast.amir, content["id"])


@pytest.mark.parametrize("intruder", ["bea", "erin"])
def test_others_cannot_read_or_cancel_my_share(api, cast, amirs_share, intruder):
    who = getattr(cast, intruder)
    share_id = amirs_share["id"]
    api.problem(api.get(f"/api/v1/shares/{share_id}", who), 404, detail=f"share {share_id} not found")
    api.problem(api.post(f"/api/v1/shares/{share_id}/cancel", who), 404)
    assert api.get(f"/api/v1/shares/{share_id}", cast.amir).json()["status"] == "planned"
    assert api.get("/api/v1/shares", who).json()["items"] == []


@pytest.mark.parametrize("intruder", ["bea", "erin"])
def test_others_cannot_list_my_shares(api, cast, amirs_share, intruder):
    response = api.get(f"/api/v1/shares?ambassador_id={cast.amir.id}", getattr(cast, intruder))
    api.problem(response, 403, detail="admin role")


def test_admins_read_but_do_not_cancel_others_shares(api, cast, amirs_share):
    listed = api.get(f"/api/v1/shares?ambassador_id={cast.amir.id}", cast.ada).json()
    assert [item["id"] for item in listed["items"]] == [amirs_share["id"]]
    assert api.get(f"/api/v1/shares/{amirs_share['id']}", cast.ada).status_code == 200
    api.problem(api.post(f"/api/v1/shares/{amirs_share['id']}/cancel", cast.ada), 404)
    assert api.get(f"/api/v1/shares/{amirs_share['id']}", cast.amir).json()["status"] == "planned"


def test_others_cannot_read_my_share_metrics_but_editors_and_admins_can(api, cast, amirs_share):
    url = f"/api/v1/shares/{amirs_share['id']}/metrics"
    api.problem(api.get(url, cast.bea), 404, detail=f"share {amirs_share['id']} not found")
    for reader in (cast.amir, cast.erin, cast.ada):
        assert api.get(url, reader).json()["share_id"] == amirs_share["id"]


def test_ambassadors_cannot_import_metrics_for_anyone(api, cast, amirs_share):
    api.post(f"/api/v1/shares/{amirs_share['id']}/opened", cast.amir)
    csv = f"share,metric,value,observed_at\n{amirs_share['id']},impressions,999,2026-11-20\n".encode()
    for who in (cast.amir, cast.bea):
        response = api.post("/api/v1/metrics/import", who, content=csv, headers={"content-type": "text/csv"})
        api.problem(response, 403)
    assert api.get(f"/api/v1/shares/{amirs_share['id']}/metrics", cast.amir).json()["samples"] == []


# -- accounts, profile, events -------------------------------------------------------------------------


def test_others_cannot_remove_my_account(api, cast):
    account = api.add_account(cast.amir, "x", "@amir")
    for intruder in (cast.bea, cast.erin, cast.ada):
        api.problem(api.delete(f"/api/v1/me/accounts/{account['id']}", intruder), 404)
    assert api.get("/api/v1/me/accounts", cast.amir).json() == [account]
    assert api.get("/api/v1/me/accounts", cast.bea).json() == []


def test_me_is_always_the_caller(api, cast):
    api.add_account(cast.amir, "x", "@amir")
    bea = api.get("/api/v1/me", cast.bea).json()
    assert bea["profile"]["id"] == cast.bea.id
    assert bea["accounts"] == []
    api.patch("/api/v1/me", cast.bea, {"locale": "de"})
    assert api.get("/api/v1/me", cast.amir).json()["profile"]["locale"] == "en"
    api.post("/api/v1/me/consent", cast.bea, {"action": "pause"})
    assert api.get("/api/v1/me", cast.amir).json()["profile"]["consent"] == "opted_in"


def test_my_events_are_mine_only(api, cast):
    content = api.approved_content(cast.erin)
    share = api.share(cast.amir, content["id"])
    api.add_account(cast.amir, "x", "@amir")
    suggestion = api.create_content(cast.amir, origin="curated")
    bea_events = api.get("/api/v1/me/events", cast.bea).json()
    assert bea_events == []
    amir_events = api.get("/api/v1/me/events", cast.amir).json()
    assert {event["share_id"] for event in amir_events} >= {share["id"]}
    assert {event["content_id"] for event in amir_events} >= {suggestion["id"]}
    # An after_id below the other person's events does not reveal them.
    assert api.get("/api/v1/me/events?after_id=0&limit=500", cast.bea).json() == []


def test_ambassadors_cannot_reach_other_ambassadors_records(api, cast):
    for path in (
        f"/api/v1/ambassadors/{cast.bea.id}",
        f"/api/v1/ambassadors/{cast.bea.id}/accounts",
        f"/api/v1/ambassadors/{cast.bea.id}/points",
        f"/api/v1/ambassadors/{cast.bea.id}/badges",
    ):
        api.problem(api.get(path, cast.amir), 403)
    api.problem(api.patch(f"/api/v1/ambassadors/{cast.amir.id}", cast.amir, {"role": "admin"}), 403)
    assert api.get("/api/v1/me", cast.amir).json()["profile"]["role"] == "ambassador"


def test_a_hidden_ambassador_is_on_nobody_elses_board(api, cast):
    hidden = api.person("hidden", leaderboard_visible=False)
    for who in (hidden, cast.amir):
        api.add_account(who, "x", f"@{who.external_id}")  # onboarding points for both
    mine = api.get("/api/v1/leaderboards?period=all", hidden).json()
    assert hidden.id in [item["ambassador_id"] for item in mine["items"]]
    assert mine["me"]["ambassador_id"] == hidden.id
    for viewer in (cast.amir, cast.erin, cast.ada):
        for query in ("?period=all", "?period=all&rank_by=audience_normalised", "?period=all&scope=company&limit=100"):
            body = api.get(f"/api/v1/leaderboards{query}", viewer).json()
            assert hidden.id not in [item["ambassador_id"] for item in body["items"]]
            assert (body["me"] or {}).get("ambassador_id") != hidden.id
    month = api.get("/api/v1/leaderboards/employee-of-the-month", cast.amir).json()
    assert (month["winner"] or {}).get("ambassador_id") != hidden.id


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/ambassadors", None),
        ("POST", "/api/v1/ambassadors", {"external_id": "x", "name": "X"}),
        ("GET", "/api/v1/ambassadors/{amir}", None),
        ("PATCH", "/api/v1/ambassadors/{erin}", {"role": "admin"}),
        ("GET", "/api/v1/ambassadors/{amir}/accounts", None),
        ("GET", "/api/v1/plugins", None),
        ("GET", "/api/v1/shares?ambassador_id={amir}", None),
        ("POST", "/api/v1/metrics/import", None),
        ("GET", "/api/v1/audit", None),
        ("GET", "/api/v1/ambassadors/{amir}/points", None),
        ("GET", "/api/v1/ambassadors/{amir}/badges", None),
        ("GET", "/api/v1/points/held", None),
        ("POST", "/api/v1/points/1/release", None),
        ("POST", "/api/v1/points/1/reject", None),
    ],
)
def test_editors_cannot_use_admin_routes(api, cast, method, path, body):
    path = path.format(amir=cast.amir.id, erin=cast.erin.id)
    api.problem(api.request(method, path, cast.erin, json=body), 403)
    assert api.get("/api/v1/me", cast.erin).json()["profile"]["role"] == "editor"


# -- content drafts of others --------------------------------------------------------------------------


@pytest.mark.parametrize("state", [(), ("submit",), ("submit", "request_changes"), ("submit", "reject")], ids=str)
def test_another_ambassadors_unapproved_content_is_invisible(api, cast, state):
    content = api.create_content(cast.amir, origin="curated")
    if state:
        api.moved(cast.amir, content["id"], "submit")
        api.moved(cast.erin, content["id"], *state[1:])
    url = f"/api/v1/content/{content['id']}"
    api.problem(api.get(url, cast.bea), 404, detail=f"content {content['id']} not found")
    api.problem(api.patch(url, cast.bea, {"title": "Hijacked"}), 404)
    api.problem(api.delete(url, cast.bea), 404)
    for action in ("submit", "withdraw", "approve"):
        api.problem(api.move(cast.bea, content["id"], action), 404)
    assert api.get("/api/v1/content?status=draft", cast.bea).json()["items"] == []
    assert api.get("/api/v1/content", cast.bea).json()["total"] == 0
    unchanged = api.get(url, cast.amir).json()
    assert unchanged["title"] == "Hello"


def test_shareable_content_of_others_is_read_only_for_ambassadors(api, cast):
    content = api.approved_content(cast.erin)
    url = f"/api/v1/content/{content['id']}"
    assert api.get(url, cast.amir).json()["allowed_actions"] == []
    api.problem(api.patch(url, cast.amir, {"title": "Mine"}), 403)
    api.problem(api.delete(url, cast.amir), 403, detail="only editors and the author delete content")
    api.problem(api.move(cast.amir, content["id"], "withdraw"), 403, detail="only editors and the author")
    api.problem(api.move(cast.amir, content["id"], "archive"), 403, detail="only editors can archive")
    assert api.get(url, cast.erin).json()["status"] == "approved"


def test_archived_content_is_invisible_to_ambassadors(api, cast):
    content = api.approved_content(cast.erin)
    api.moved(cast.erin, content["id"], "archive")
    api.problem(api.get(f"/api/v1/content/{content['id']}", cast.amir), 404)
    assert api.get("/api/v1/content", cast.amir).json()["items"] == []


def test_ambassadors_list_what_they_may_share_and_what_they_wrote(api, cast):
    shareable = api.approved_content(cast.erin)
    api.create_content(cast.erin, title="Editor draft")
    mine = api.create_content(cast.amir, origin="curated")
    api.create_content(cast.bea, origin="curated")
    listed = api.get("/api/v1/content", cast.amir).json()
    assert sorted(item["id"] for item in listed["items"]) == sorted([shareable["id"], mine["id"]])
    assert listed["total"] == 2


# -- targeting and windows -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "audience",
    [{"teams": ["Data"]}, {"departments": ["Sales"]}, {"locales": ["nl"]}],
    ids=["team", "department", "locale"],
)
def test_content_targeted_elsewhere_is_invisible(api, cast, audience):
    insider = api.person("insider", team="Data", department="Sales", locale="nl")
    content = api.approved_content(cast.erin, audience=audience)
    url = f"/api/v1/content/{content['id']}"
    assert api.get(url, insider).status_code == 200
    api.problem(api.get(url, cast.amir), 404)
    assert api.get("/api/v1/content", cast.amir).json()["items"] == []
    assert api.feed_ids(cast.amir) == []
    assert api.feed_ids(insider) == [content["id"]]
    api.problem(api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "x"}), 404)


@pytest.mark.parametrize(
    "window",
    [{"publish_at": iso(timedelta(hours=2))}, {"expires_at": iso(timedelta(minutes=-5))}],
    ids=["not-yet-published", "expired"],
)
def test_content_outside_its_window_is_invisible_to_ambassadors(api, cast, window):
    content = api.approved_content(cast.erin, **window)
    url = f"/api/v1/content/{content['id']}"
    api.problem(api.get(url, cast.amir), 404)
    assert api.get("/api/v1/content", cast.amir).json()["items"] == []
    assert api.feed_ids(cast.amir) == []
    api.problem(api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "x"}), 404)
    assert api.get(url, cast.erin).status_code == 200  # editors see the whole library


def test_my_own_suggestion_stays_visible_to_me_whatever_its_state(api, cast):
    content = api.create_content(cast.amir, origin="produced", audience={"teams": ["Nobody"]})
    api.moved(cast.amir, content["id"], "submit")
    api.moved(cast.erin, content["id"], "reject")
    assert api.get(f"/api/v1/content/{content['id']}", cast.amir).json()["status"] == "rejected"


# -- challenges ----------------------------------------------------------------------------------


def test_my_challenges_show_only_my_progress_and_only_i_join_or_leave_for_me(api, cast):
    body = {
        "title": "Share 3 job posts",
        "kind": "individual",
        "measure": "shares",
        "target": 3,
        "starts_at": iso(-timedelta(days=1)),
        "ends_at": iso(timedelta(days=9)),
    }
    challenge_id = api.post("/api/v1/challenges", cast.erin, body).json()["id"]
    content = api.approved_content(cast.erin)
    assert api.post(f"/api/v1/me/challenges/{challenge_id}/participation", cast.amir).status_code == 200
    share = api.share(cast.amir, content["id"])
    api.post(f"/api/v1/shares/{share['id']}/opened", cast.amir)
    # Bea leaving does not take Amir out; she never joined.
    api.problem(api.delete(f"/api/v1/me/challenges/{challenge_id}/participation", cast.bea), 404)
    beas = next(
        item for item in api.get("/api/v1/me/challenges", cast.bea).json()["items"] if item["id"] == challenge_id
    )
    assert (beas["joined"], beas["my_progress"], beas["qualified"]) == (False, None, None)
    amirs = next(
        item for item in api.get("/api/v1/me/challenges", cast.amir).json()["items"] if item["id"] == challenge_id
    )
    assert (amirs["joined"], amirs["my_progress"]) == (True, 1)
    # Everyone's progress is for editors and admins only.
    api.problem(api.get(f"/api/v1/challenges/{challenge_id}/results", cast.bea), 403)
    results = api.get(f"/api/v1/challenges/{challenge_id}/results", cast.erin).json()
    assert [line["ambassador_id"] for line in results["lines"]] == [cast.amir.id]
