"""Badges over the API: awarded once, with when and why, progress towards the rest, and recomputable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clarion.event_log import list_events
from clarion.models import NetworkAccount
from clarion.points import points as points_service
from clarion_plugins.gamification.models import BadgeAward
from clarion_plugins.gamification.services.badges import _weekly_streak


def shared_and_verified(api, who, editor, number):
    content = api.approved_content(editor, url=f"https://example.com/post-{number}")
    share = api.share(who, content["id"], "x")
    response = api.post(f"/api/v1/shares/{share['id']}/verify", who, {"post_url": f"https://x.com/me/status/{number}"})
    assert response.status_code == 200, response.text
    return share


def badges(api, who, path="/api/v1/me/badges"):
    response = api.get(path, who)
    assert response.status_code == 200, response.text
    return {item["name"]: item for item in response.json()["items"]}


def awarded_events(api, who):
    with api.engine.db.session() as session:
        return [event.payload["badge"] for event in list_events(session, ambassador_id=who.id, kind="badge.awarded")]


def test_first_share_badges_are_awarded_once_with_an_event(api, cast):
    assert not any(item["earned"] for item in badges(api, cast.amir).values())
    shared_and_verified(api, cast.amir, cast.erin, 1)
    shared_and_verified(api, cast.amir, cast.erin, 2)
    mine = badges(api, cast.amir)
    assert mine["first-share"]["earned"]
    assert mine["first-verified-share"]["earned"]
    assert mine["first-share"]["earned_at"] is not None
    assert (mine["shares-10"]["earned"], mine["shares-10"]["current"], mine["shares-10"]["threshold"]) == (
        False,
        2,
        10,
    )
    assert mine["shares-10"]["image_svg"].startswith("<svg")
    assert sorted(awarded_events(api, cast.amir)) == ["first-share", "first-verified-share"]
    body = api.get("/api/v1/me/badges", cast.amir).json()
    assert body["earned"] == 2
    assert [item["earned"] for item in body["items"][:3]] == [True, True, False]  # earned ones first


def test_reach_milestones_count_followers_of_the_accounts_shared_to(api, cast):
    with api.engine.transaction() as session:
        session.add(NetworkAccount(ambassador_id=cast.amir.id, network="x", handle="@amir", follower_count=600))
    shared_and_verified(api, cast.amir, cast.erin, 1)
    assert badges(api, cast.amir)["reach-1k"]["current"] == 600
    assert not badges(api, cast.amir)["reach-1k"]["earned"]
    shared_and_verified(api, cast.amir, cast.erin, 2)
    mine = badges(api, cast.amir)
    assert (mine["reach-1k"]["earned"], mine["reach-1k"]["current"]) == (True, 1200)
    assert not mine["reach-10k"]["earned"]


def test_an_approved_own_article_earns_its_badge(api, cast):
    article = api.create_content(cast.amir, origin="produced")
    api.moved(cast.amir, article["id"], "submit")
    api.moved(cast.erin, article["id"], "approve")
    assert badges(api, cast.amir)["first-own-article"]["earned"]


def test_thresholds_are_configurable(api_factory):
    api = api_factory(plugin_config={"badges": {"share_counts": [3], "streak_weeks": [2]}})
    names = set(badges(api, api.person("someone")))
    assert {"shares-3", "streak-2-weeks"} <= names
    assert not {"shares-10", "streak-4-weeks"} & names


def test_weekly_streaks_count_consecutive_iso_weeks():
    monday = datetime(2026, 12, 14, 9, tzinfo=UTC)
    weeks = [monday + timedelta(weeks=offset) for offset in (0, 1, 1, 2, 5, 6, 7, 8)]
    assert [value for _, value in _weekly_streak(weeks)] == [1, 2, 3, 4]
    assert _weekly_streak(weeks)[-1][0] == monday + timedelta(weeks=8)  # across the new year
    assert _weekly_streak([]) == []


def test_recompute_rederives_badges_without_new_events(api, cast):
    shared_and_verified(api, cast.amir, cast.erin, 1)
    before = badges(api, cast.amir)
    with api.engine.transaction() as session:
        session.execute(BadgeAward.__table__.delete())
    assert not badges(api, cast.amir)["first-share"]["earned"]
    points_service.recompute(api.engine)
    assert badges(api, cast.amir) == before
    assert sorted(awarded_events(api, cast.amir)) == ["first-share", "first-verified-share"]


def test_admins_read_an_ambassadors_badges(api, cast):
    shared_and_verified(api, cast.amir, cast.erin, 1)
    assert badges(api, cast.ada, f"/api/v1/ambassadors/{cast.amir.id}/badges")["first-share"]["earned"]
    api.problem(api.get("/api/v1/ambassadors/999999/badges", cast.ada), 404)


@pytest.mark.parametrize("who", ["amir", "erin"])
def test_others_cannot_read_my_badges(api, cast, who):
    api.problem(api.get(f"/api/v1/ambassadors/{cast.bea.id}/badges", getattr(cast, who)), 403)
