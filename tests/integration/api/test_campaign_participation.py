"""The campaign participation goal: a percentage of the campaign's audience, validated, measured, shown as a rate."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from clarion.errors import Conflict
from clarion.metrics import rollups
from clarion.models import Ambassador, Campaign, utcnow


def publish(api: Any, who: Any, content_id: int, network: str = "linkedin") -> dict[str, Any]:
    share = api.share(who, content_id, network)
    response = api.post(f"/api/v1/shares/{share['id']}/opened", who)
    assert response.status_code == 200, response.text
    return share


def goals(api: Any, who: Any, campaign_id: int) -> dict[str, dict[str, Any]]:
    response = api.get(f"/api/v1/analytics/campaigns/{campaign_id}", who)
    assert response.status_code == 200, response.text
    return {goal["key"]: goal for goal in response.json()["goals"]}


@pytest.fixture
def targeted(api: Any, cast: Any) -> dict[str, Any]:
    """A campaign for Platform, and for Sales in Dutch: four people in its audience, two of them share.

    Outside the audience: Sales in English, Data, a Platform member who never opted in and one
    who paused, and the cast's editor (team-less).
    """
    people = {
        "pia": api.person("pia", team="Platform"),
        "per": api.person("per", team="Platform"),
        "pam": api.person("pam", team="Platform", locale="de"),
        "saskia": api.person("saskia", team="Sales", locale="nl-BE"),
        "sam": api.person("sam", team="Sales", locale="en"),
        "dora": api.person("dora", team="Data"),
        "olaf": api.person("olaf", team="Platform", opted_in=False),
        "paula": api.person("paula", team="Platform"),
    }
    with api.engine.transaction() as session:
        paused = session.get(Ambassador, people["paula"].id)
        paused.paused_at = utcnow()
        session.add(paused)
    campaign = api.create_campaign(cast.erin, slug="reach-out", goal_participation=40, goal_shares=10)
    platform = api.approved_content(cast.erin, campaign_id=campaign["id"], audience={"teams": ["Platform"]})
    dutch_sales = api.approved_content(
        cast.erin, title="Vacatures", campaign_id=campaign["id"], audience={"teams": ["Sales"], "locales": ["nl"]}
    )
    # A draft for everyone is not published: it widens nobody's audience.
    api.create_content(cast.erin, title="Draft", campaign_id=campaign["id"])
    publish(api, people["pia"], platform["id"])
    publish(api, people["pia"], platform["id"], "x")
    publish(api, people["saskia"], dutch_sales["id"])
    rollups.update(api.engine, settle_seconds=0)
    return {"campaign": campaign, "people": people, "platform": platform}


def test_the_goal_is_written_and_read(api, cast):
    created = api.create_campaign(cast.erin, goal_participation=40)
    assert created["goal_participation"] == 40
    assert api.get(f"/api/v1/campaigns/{created['id']}", cast.amir).json()["goal_participation"] == 40
    changed = api.patch(f"/api/v1/campaigns/{created['id']}", cast.erin, {"goal_participation": 100})
    assert changed.json()["goal_participation"] == 100
    cleared = api.patch(f"/api/v1/campaigns/{created['id']}", cast.erin, {"goal_participation": None})
    assert cleared.json()["goal_participation"] is None
    assert api.create_campaign(cast.erin, slug="zero", goal_participation=0)["goal_participation"] == 0


@pytest.mark.parametrize("value", [101, -1, 12.5, "half"])
def test_a_goal_outside_0_to_100_is_400(api, cast, value):
    body = {"name": "n", "slug": "s", "goal_participation": value}
    api.problem(api.post("/api/v1/campaigns", cast.erin, body), 400, field="goal_participation")
    campaign = api.create_campaign(cast.erin, goal_participation=10)
    changes = {"goal_participation": value}
    api.problem(api.patch(f"/api/v1/campaigns/{campaign['id']}", cast.erin, changes), 400, field="goal_participation")
    assert api.get(f"/api/v1/campaigns/{campaign['id']}", cast.erin).json()["goal_participation"] == 10


@pytest.mark.parametrize("value", [101, -1])
def test_the_database_refuses_a_goal_outside_0_to_100(api, value):
    def store(slug: str, goal: int) -> None:
        with api.engine.transaction() as session:
            session.add(Campaign(name=slug, slug=slug, goal_participation=goal))

    with pytest.raises(Conflict, match="goal_participation_percent"):
        store("refused", value)
    store("accepted", 100)


def test_the_goal_against_the_audience_that_shared(api, cast, targeted):
    campaign = targeted["campaign"]
    found = goals(api, cast.erin, campaign["id"])
    # pia and saskia of pia, per, pam (Platform, any locale) and saskia (Sales, nl-BE): 2 of 4.
    assert found["participation"] == {
        "key": "participation",
        "target": 40,
        "actual": 50,
        "progress": 1.25,
        "source": "measured",
        "unit": "percent",
    }
    assert found["shares"]["unit"] == "count"
    # The rate follows the audience: per joins Sales, outside the Platform-only content.
    with api.engine.transaction() as session:
        moved = session.get(Ambassador, targeted["people"]["per"].id)
        moved.team = "Sales"
        session.add(moved)
    assert goals(api, cast.erin, campaign["id"])["participation"]["actual"] == 66  # 2 of 3, rounded down


def test_content_for_everyone_makes_every_opted_in_ambassador_the_audience(api, cast, targeted):
    api.approved_content(cast.erin, title="For all", campaign_id=targeted["campaign"]["id"])
    with api.engine.transaction() as session:
        audience = session.execute(
            sa.select(sa.func.count())
            .select_from(Ambassador)
            .where(
                Ambassador.opted_in_at.is_not(None),  # type: ignore[union-attr]
                Ambassador.paused_at.is_(None),  # type: ignore[union-attr]
                Ambassador.left_at.is_(None),  # type: ignore[union-attr]
            )
        ).scalar_one()
    assert goals(api, cast.erin, targeted["campaign"]["id"])["participation"]["actual"] == 2 * 100 // audience


def test_a_campaign_without_published_content_has_no_audience(api, cast):
    campaign = api.create_campaign(cast.erin, goal_participation=10)
    api.create_content(cast.erin, campaign_id=campaign["id"])
    assert goals(api, cast.erin, campaign["id"])["participation"] == {
        "key": "participation",
        "target": 10,
        "actual": 0,
        "progress": 0.0,
        "source": "measured",
        "unit": "percent",
    }


def test_the_goal_in_the_csv_export(api, cast, targeted):
    text = api.get(f"/api/v1/analytics/campaigns/{targeted['campaign']['id']}?format=csv&table=goals", cast.erin).text
    assert "participation,40,50,1.25,measured,percent" in text


def test_the_widget_shows_the_campaigns_rate_never_a_persons(api, cast, targeted):
    dora = targeted["people"]["dora"]
    per = targeted["people"]["per"]
    html = api.get("/widgets/campaign?campaign=reach-out", per).text
    goal = re.search(r'data-goal="participation">(.*?)</li>', html, re.S).group(1)
    assert "50% of the campaign's audience shared, aiming for 40%" in goal
    assert 'value="100"' in goal
    assert "Goal reached!" in goal
    # The same for someone outside the audience: one rate for the campaign, nothing about the viewer.
    other = api.get("/widgets/campaign?campaign=reach-out", dora).text
    assert re.search(r'data-goal="participation">(.*?)</li>', other, re.S).group(1) == goal


def test_the_widget_shows_progress_below_the_goal_and_in_dutch(api, cast, targeted):
    api.patch(f"/api/v1/campaigns/{targeted['campaign']['id']}", cast.erin, {"goal_participation": 80})
    html = api.get("/widgets/campaign?campaign=reach-out", targeted["people"]["pia"]).text
    goal = re.search(r'data-goal="participation">(.*?)</li>', html, re.S).group(1)
    assert 'value="62"' in goal  # 50 of 80
    assert "62% of the goal" in goal
    dutch = api.get("/widgets/campaign?campaign=reach-out", targeted["people"]["saskia"]).text
    assert "Deelname" in dutch
    assert "50% van het publiek van de campagne heeft gedeeld, het doel is 80%" in dutch
