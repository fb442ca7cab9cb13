"""``/api/v1/campaigns``: everyone reads, editors write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def test_creating_and_reading_a_campaign(api, cast):
    response = api.post(
        "/api/v1/campaigns",
        cast.erin,
        {
            "name": "Graduate hiring 2027",
            "slug": "graduates-2027",
            "description": "Reach graduates.",
            "goal_shares": 500,
            "goal_clicks": 0,
            "starts_at": "2027-01-10T00:00:00Z",
            "ends_at": "2027-03-31T00:00:00Z",
            "hashtags": ["#WeAreHiring", "GradJobs"],
        },
    )
    assert response.status_code == 201, response.text
    campaign = response.json()
    assert campaign["slug"] == "graduates-2027"
    assert campaign["hashtags"] == ["WeAreHiring", "GradJobs"]  # without '#'
    assert (campaign["goal_shares"], campaign["goal_clicks"], campaign["goal_reach"]) == (500, 0, None)
    assert campaign["starts_at"] == "2027-01-10T00:00:00Z"
    read = api.get(f"/api/v1/campaigns/{campaign['id']}", cast.amir)
    assert read.status_code == 200
    assert read.json() == campaign


def test_listing_campaigns_and_the_active_ones(api, cast):
    running = api.create_campaign(cast.erin, slug="running", starts_at=iso(timedelta(days=-1)))
    future = api.create_campaign(cast.erin, slug="future", starts_at=iso(timedelta(days=1)))
    ended = api.create_campaign(
        cast.erin, slug="ended", starts_at=iso(timedelta(days=-9)), ends_at=iso(timedelta(days=-2))
    )
    body = api.get("/api/v1/campaigns", cast.amir).json()
    assert [item["id"] for item in body["items"]] == [future["id"], running["id"], ended["id"]]  # latest start first
    assert body["total"] == 3
    active = api.get("/api/v1/campaigns?active=true", cast.amir).json()
    assert [item["id"] for item in active["items"]] == [running["id"]]
    assert active["total"] == 1


def test_undated_campaigns_list_last_on_every_database(api, cast):
    # PostgreSQL sorts NULLs first in a descending order and SQLite last; the API must not differ.
    undated = api.create_campaign(cast.erin, slug="undated")
    dated = api.create_campaign(cast.erin, slug="dated", starts_at="2027-01-01T00:00:00Z")
    body = api.get("/api/v1/campaigns", cast.amir).json()
    assert [item["id"] for item in body["items"]] == [dated["id"], undated["id"]]


def test_changing_a_campaign(api, cast):
    campaign = api.create_campaign(cast.erin, starts_at="2027-01-01T00:00:00Z", goal_shares=5)
    response = api.patch(
        f"/api/v1/campaigns/{campaign['id']}",
        cast.erin,
        {"name": "Renamed", "hashtags": ["#New"], "goal_shares": None, "ends_at": "2027-02-01T00:00:00Z"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["name"], body["slug"], body["hashtags"], body["goal_shares"]) == ("Renamed", "spring", ["New"], None)
    assert body["ends_at"] == "2027-02-01T00:00:00Z"
    assert body["updated_at"] >= campaign["updated_at"]
    assert api.patch(f"/api/v1/campaigns/{campaign['id']}", cast.erin, {"slug": "spring"}).status_code == 200


def test_deleting_a_campaign_without_content(api, cast):
    campaign = api.create_campaign(cast.erin)
    content = api.create_content(cast.erin, campaign_id=campaign["id"])
    api.problem(api.delete(f"/api/v1/campaigns/{campaign['id']}", cast.erin), 409, detail="still has content")
    api.patch(f"/api/v1/content/{content['id']}", cast.erin, {"campaign_id": None})
    assert api.delete(f"/api/v1/campaigns/{campaign['id']}", cast.erin).status_code == 204
    api.problem(api.get(f"/api/v1/campaigns/{campaign['id']}", cast.erin), 404)
    api.problem(api.delete(f"/api/v1/campaigns/{campaign['id']}", cast.erin), 404)


def test_duplicate_slugs_are_409(api, cast):
    first = api.create_campaign(cast.erin, slug="spring")
    api.problem(api.post("/api/v1/campaigns", cast.erin, {"name": "Again", "slug": "spring"}), 409, detail="spring")
    second = api.create_campaign(cast.erin, slug="summer")
    api.problem(api.patch(f"/api/v1/campaigns/{second['id']}", cast.erin, {"slug": "spring"}), 409)
    assert api.get(f"/api/v1/campaigns/{first['id']}", cast.erin).json()["slug"] == "spring"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "n"}, "slug"),
        ({"name": "", "slug": "s"}, "name"),
        ({"name": "n", "slug": "s" * 81}, "slug"),
        ({"name": "n", "slug": "s", "goal_shares": -1}, "goal_shares"),
        ({"name": "n", "slug": "s", "goal_clicks": "lots"}, "goal_clicks"),
        ({"name": "n", "slug": "s", "goal_reach": 1.5}, "goal_reach"),
        ({"name": "n", "slug": "s", "starts_at": "2027-01-01"}, "starts_at"),
        ({"name": "n", "slug": "s", "hashtags": ["a"] * 11}, "hashtags"),
        ({"name": "n", "slug": "s", "owner": "me"}, "owner"),
    ],
)
def test_malformed_campaigns_are_400(api, cast, body, field):
    api.problem(api.post("/api/v1/campaigns", cast.erin, body), 400, field=field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "Spring 2027"}, "slug"),
        ({"slug": "double--hyphen"}, "slug"),
        ({"slug": "-edge"}, "slug"),
        ({"hashtags": ["two words"]}, "hashtags"),
        ({"hashtags": ["#"]}, "hashtags"),
        ({"starts_at": "2027-02-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}, "ends_at"),
        ({"starts_at": "2027-01-01T00:00:00Z", "ends_at": "2027-01-01T00:00:00Z"}, "ends_at"),
    ],
)
def test_campaigns_breaking_a_rule_are_422(api, cast, body, field):
    api.problem(api.post("/api/v1/campaigns", cast.erin, {"name": "n", "slug": "s", **body}), 422, field=field)


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"ends_at": "2026-12-31T00:00:00Z"}, 422, "ends_at"),  # before the stored start
        ({"name": None}, 422, "name"),
        ({"slug": None}, 422, "slug"),
        ({"hashtags": None}, 422, "hashtags"),
        ({"slug": "Bad Slug"}, 422, "slug"),
        ({"goal_reach": -5}, 400, "goal_reach"),
        ({"id": 3}, 400, "id"),
    ],
)
def test_bad_campaign_changes(api, cast, changes, status, field):
    campaign = api.create_campaign(cast.erin, starts_at="2027-01-01T00:00:00Z")
    api.problem(api.patch(f"/api/v1/campaigns/{campaign['id']}", cast.erin, changes), status, field=field)


def test_missing_campaigns_are_404(api, cast):
    api.problem(api.get("/api/v1/campaigns/4242", cast.amir), 404, detail="campaign 4242 not found")
    api.problem(api.patch("/api/v1/campaigns/4242", cast.erin, {"name": "x"}), 404)
    api.problem(api.delete("/api/v1/campaigns/4242", cast.erin), 404)


def test_ambassadors_cannot_write_campaigns(api, cast):
    campaign = api.create_campaign(cast.erin)
    api.problem(api.post("/api/v1/campaigns", cast.amir, {"name": "n", "slug": "mine"}), 403, detail="editor role")
    api.problem(api.patch(f"/api/v1/campaigns/{campaign['id']}", cast.amir, {"name": "x"}), 403)
    api.problem(api.delete(f"/api/v1/campaigns/{campaign['id']}", cast.amir), 403)
    assert api.get(f"/api/v1/campaigns/{campaign['id']}", cast.erin).json() == campaign


def test_bad_campaign_list_filters_are_400(api, cast):
    api.problem(api.get("/api/v1/campaigns?active=sometimes", cast.amir), 400, field="active")
