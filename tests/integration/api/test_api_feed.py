"""``/api/v1/me/feed``: what an ambassador may share now, featured first, with its filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def test_the_feed_holds_approved_content_inside_its_window(api, cast):
    shown = api.approved_content(cast.erin, title="Now")
    opened = api.approved_content(cast.erin, publish_at=iso(timedelta(hours=-1)), expires_at=iso(timedelta(days=1)))
    api.create_content(cast.erin, title="Draft")
    api.moved(cast.erin, api.create_content(cast.erin)["id"], "submit")
    api.approved_content(cast.erin, title="Later", publish_at=iso(timedelta(hours=1)))
    api.approved_content(cast.erin, title="Gone", expires_at=iso(timedelta(seconds=-1)))
    archived = api.approved_content(cast.erin)
    api.moved(cast.erin, archived["id"], "archive")
    assert sorted(api.feed_ids(cast.amir)) == sorted([shown["id"], opened["id"]])
    body = api.get("/api/v1/me/feed", cast.amir).json()
    assert body["total"] == 2
    assert {item["status"] for item in body["items"]} == {"approved"}
    assert all(item["allowed_actions"] == [] for item in body["items"])


def test_featured_first_then_newest(api, cast):
    old_featured = api.approved_content(cast.erin, title="Old but featured", featured=True)
    older = api.approved_content(cast.erin, title="Older")
    newer = api.approved_content(cast.erin, title="Newer")
    # Published a day ago: its publish time, not its creation, places it.
    backdated = api.approved_content(cast.erin, title="Backdated", publish_at=iso(timedelta(days=-1)))
    assert api.feed_ids(cast.amir) == [old_featured["id"], newer["id"], older["id"], backdated["id"]]


def test_the_feed_filters_by_topic_and_campaign(api, cast):
    campaign = api.create_campaign(cast.erin)
    jobs = api.approved_content(cast.erin, topics=["Jobs"])
    both = api.approved_content(cast.erin, topics=["jobs", "events"], campaign_id=campaign["id"])
    events = api.approved_content(cast.erin, topics=["events"])
    assert api.feed_ids(cast.amir, "?topic=jobs") == [both["id"], jobs["id"]]
    assert api.feed_ids(cast.amir, "?topic=JOBS") == [both["id"], jobs["id"]]
    assert api.feed_ids(cast.amir, "?topic=events") == [events["id"], both["id"]]
    assert api.feed_ids(cast.amir, f"?campaign_id={campaign['id']}") == [both["id"]]
    assert api.feed_ids(cast.amir, f"?topic=events&campaign_id={campaign['id']}") == [both["id"]]
    assert api.feed_ids(cast.amir, "?topic=nothing") == []
    assert api.feed_ids(cast.amir, "?campaign_id=999") == []


@pytest.mark.parametrize(("query", "field"), [("campaign_id=x", "campaign_id"), ("limit=0", "limit")])
def test_bad_feed_filters_are_400(api, cast, query, field):
    api.problem(api.get(f"/api/v1/me/feed?{query}", cast.amir), 400, field=field)


@pytest.mark.parametrize(
    ("audience", "profile", "shown"),
    [
        ({"teams": ["Platform"]}, {"team": "Platform"}, True),
        ({"teams": ["Platform"]}, {"team": "Data"}, False),
        ({"teams": ["Platform"]}, {}, False),
        ({"teams": ["Platform", "Data"]}, {"team": "Data"}, True),
        ({"departments": ["Sales"]}, {"department": "Sales"}, True),
        ({"departments": ["Sales"]}, {"department": "Engineering"}, False),
        ({"locales": ["nl"]}, {"locale": "nl"}, True),
        ({"locales": ["nl"]}, {"locale": "en"}, False),
        ({"teams": ["Platform"], "locales": ["nl"]}, {"team": "Platform", "locale": "en"}, False),
        ({"teams": ["Platform"], "locales": ["nl"]}, {"team": "Platform", "locale": "nl"}, True),
        ({}, {"team": "Anything", "department": "Else", "locale": "de"}, True),
    ],
)
def test_the_feed_holds_only_content_targeted_to_me(api, cast, audience, profile, shown):
    person = api.person("targeted", **profile)
    content = api.approved_content(cast.erin, audience=audience)
    assert api.feed_ids(person) == ([content["id"]] if shown else [])


@pytest.mark.parametrize("action", ["pause", "leave"])
def test_paused_or_departed_ambassadors_get_an_empty_feed(api, cast, action):
    api.approved_content(cast.erin)
    assert api.post("/api/v1/me/consent", cast.amir, {"action": action}).status_code == 200
    body = api.get("/api/v1/me/feed", cast.amir).json()
    assert body == {"total": 0, "limit": 25, "offset": 0, "items": []}


def test_the_feed_is_empty_until_i_opt_in(api, cast):
    content = api.approved_content(cast.erin)
    newcomer = api.person("newcomer", opted_in=False)
    assert api.feed_ids(newcomer) == []
    api.post("/api/v1/me/consent", newcomer, {"action": "opt_in", "guidelines_version": "1"})
    assert api.feed_ids(newcomer) == [content["id"]]
