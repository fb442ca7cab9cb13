"""Analytics over the API: figures with provenance, EMV with rates, goals, CSV, and only your own figures."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from clarion.metrics import rollups
from clarion.metrics.metrics import record_sample
from clarion.models import Click, MetricSource, Role

capture_ids = count()


def publish(api: Any, who: Any, content_id: int, network: str) -> dict[str, Any]:
    share = api.share(who, content_id, network)
    response = api.post(f"/api/v1/shares/{share['id']}/opened", who)
    assert response.status_code == 200, response.text
    return share


def click(api: Any, share_id: int, **flags: Any) -> None:
    counted = not any(flags.get(name) for name in ("bot_reason", "is_internal", "is_self", "is_duplicate"))
    with api.engine.transaction() as session:
        session.add(
            Click(
                capture_id=f"t{next(capture_ids)}",
                share_id=share_id,
                occurred_at=datetime.now(UTC),
                counted=counted,
                **flags,
            )
        )


def sample(api: Any, share_id: int, metric: str, value: int, hours_ago: int = 0) -> None:
    with api.engine.transaction() as session:
        record_sample(
            session,
            share_id,
            metric,
            value,
            source=MetricSource.REPORTED,
            observed_at=datetime.now(UTC) - timedelta(hours=hours_ago),
        )


def figures(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {figure["key"]: figure for figure in body["figures"]}


@pytest.fixture
def programme(api: Any, cast: Any) -> dict[str, Any]:
    """Amir (Platform, 640 LinkedIn followers) shares on LinkedIn and X; Bea (Sales) on X; Cleo never shares."""
    amir = api.person("amir-p", team="Platform")
    bea = api.person("bea-s", team="Sales")
    api.person("cleo-s", team="Sales")
    api.add_account(amir, "linkedin", "@amir", follower_count=640)
    campaign = api.create_campaign(cast.erin, goal_shares=4, goal_clicks=10)
    content = api.approved_content(cast.erin, campaign_id=campaign["id"])
    amir_linkedin = publish(api, amir, content["id"], "linkedin")
    amir_x = publish(api, amir, content["id"], "x")
    bea_x = publish(api, bea, content["id"], "x")
    click(api, amir_linkedin["id"])
    click(api, amir_linkedin["id"])
    click(api, amir_linkedin["id"], bot_reason="user agent: LinkedInBot")
    click(api, amir_linkedin["id"], is_internal=True)
    click(api, bea_x["id"], via_qr=True)
    sample(api, amir_linkedin["id"], "reactions", 4, hours_ago=2)
    sample(api, amir_linkedin["id"], "reactions", 9)
    sample(api, amir_linkedin["id"], "impressions", 2000)
    rollups.update(api.engine, settle_seconds=0)
    return {
        "amir": amir,
        "bea": bea,
        "campaign": campaign,
        "content": content,
        "shares": [amir_linkedin, amir_x, bea_x],
    }


def test_programme_figures_say_where_they_come_from(api, cast, programme):
    body = api.get("/api/v1/analytics/programme", cast.ada).json()
    found = figures(body)
    assert found["shares"]["value"] == 3
    assert found["shares"]["source"] == "measured"
    assert found["ambassadors_sharing"]["value"] == 2
    # amir, bea, cleo and the cast's admin and editor (who opted in when they were made)
    assert found["participation_rate"]["value"] == round(2 / found["opted_in_ambassadors"]["value"], 4)
    assert found["participation_rate"]["formula"] == "ambassadors sharing / opted-in ambassadors"
    assert found["clicks_total"]["value"] == 5
    assert found["clicks_unique"]["value"] == 3
    assert found["clicks_bot"]["value"] == 1
    assert found["clicks_internal"]["value"] == 1
    assert found["clicks_qr"]["value"] == 1
    assert found["click_through_per_share"]["value"] == 1.0
    reach = found["potential_reach"]
    assert reach["value"] == 640 + 61 + 61
    assert reach["source"] == "mixed"
    assert reach["parts"] == {"reported": 640, "estimated": 122}
    assert "follower count" in reach["formula"]
    assert "typical audience" in reach["formula"]
    assert found["engagement"] == {
        "key": "engagement",
        "label": "Engagement",
        "value": 9,
        "source": "reported",
        "formula": found["engagement"]["formula"],
        "parts": {"reported": 9},
    }
    assert found["impressions"]["value"] == 2000
    emv = {value["model"]: value for value in body["emv"]}
    assert set(emv) == {"cpc", "cpm", "interactions"}
    assert emv["cpc"]["amount_minor"] == 2 * 500 + 1 * 100  # two counted LinkedIn clicks, one on X
    assert emv["cpc"]["currency"] == "USD"
    assert emv["cpc"]["rates"] == {"linkedin": 500, "default": 100}
    assert emv["cpm"]["amount_minor"] == 1000 + 61  # LinkedIn impressions; X has none, so its reach (122)
    assert "potential reach" in emv["cpm"]["formula"]
    assert emv["interactions"]["amount_minor"] == 3 * 500 + 9 * 200
    assert sum(point["shares"] for point in body["series"]) == 3
    assert len(body["series"]) == 30


def test_campaign_goals_against_actuals(api, cast, programme):
    campaign_id = programme["campaign"]["id"]
    body = api.get(f"/api/v1/analytics/campaigns/{campaign_id}", cast.erin).json()
    goals = {goal["key"]: goal for goal in body["goals"]}
    assert goals["shares"] == {
        "key": "shares",
        "target": 4,
        "actual": 3,
        "progress": 0.75,
        "source": "measured",
        "unit": "count",
    }
    assert goals["clicks"]["actual"] == 3
    assert body["scope"] == {"campaign_id": campaign_id}


def test_scopes_split_the_programme(api, cast, programme):
    sales = figures(api.get("/api/v1/analytics/teams/Sales", cast.erin).json())
    assert sales["shares"]["value"] == 1
    assert sales["opted_in_ambassadors"]["value"] == 2
    assert sales["participation_rate"]["value"] == 0.5
    x = figures(api.get("/api/v1/analytics/networks/x", cast.erin).json())
    assert (x["shares"]["value"], x["potential_reach"]["source"]) == (2, "estimated")
    content_id = programme["content"]["id"]
    assert figures(api.get(f"/api/v1/analytics/content/{content_id}", cast.erin).json())["shares"]["value"] == 3
    amir = figures(api.get(f"/api/v1/analytics/ambassadors/{programme['amir'].id}", cast.erin).json())
    assert amir["shares"]["value"] == 2
    rows = api.get("/api/v1/analytics/breakdown?by=team", cast.erin).json()["rows"]
    assert [(row["key"], row["shares"], row["unique_clicks"]) for row in rows] == [("Platform", 2, 2), ("Sales", 1, 1)]


def test_weekly_and_monthly_series(api, cast, programme):
    today = datetime.now(UTC).date()
    body = api.get(f"/api/v1/analytics/programme?from={today - timedelta(days=70)}&interval=month", cast.erin).json()
    assert [point["start"][-2:] for point in body["series"]] == ["01"] * len(body["series"])
    assert sum(point["unique_clicks"] for point in body["series"]) == 3
    weekly = api.get("/api/v1/analytics/programme?interval=week", cast.erin).json()["series"]
    assert all(datetime.fromisoformat(point["start"]).weekday() == 0 for point in weekly)


def test_csv_exports_carry_provenance(api, cast, programme):
    response = api.get("/api/v1/analytics/programme?format=csv", cast.ada)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="clarion-programme-figures-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    reach = next(row for row in rows if row["key"] == "potential_reach")
    assert (reach["value"], reach["source"], reach["reported"], reach["estimated"]) == ("762", "mixed", "640", "122")
    assert reach["formula"]
    emv = list(csv.DictReader(io.StringIO(api.get("/api/v1/analytics/programme?format=csv&table=emv", cast.ada).text)))
    assert {row["model"] for row in emv} == {"cpc", "cpm", "interactions"}
    assert all(row["formula"] and row["currency"] == "USD" for row in emv)
    series = api.get("/api/v1/analytics/programme?format=csv&table=series", cast.ada).text.splitlines()
    assert series[0] == "start,shares,clicks,unique_clicks,potential_reach,engagement,impressions"
    by_network = api.get("/api/v1/analytics/breakdown?by=network&format=csv", cast.ada)
    assert 'filename="clarion-by-network-' in by_network.headers["content-disposition"]
    assert "shares (measured)" in by_network.text.splitlines()[0]
    mine = api.get("/api/v1/me/analytics?format=csv&table=series", programme["amir"])
    assert mine.headers["content-type"].startswith("text/csv")
    assert len(mine.text.splitlines()) == 1 + 90


def test_my_analytics_are_mine_only(api, cast, programme):
    amir, bea = programme["amir"], programme["bea"]
    mine = api.get("/api/v1/me/analytics", amir).json()
    assert mine["scope"] == {"ambassador_id": amir.id}
    assert figures(mine)["shares"]["value"] == 2
    assert figures(mine)["clicks_unique"]["value"] == 2
    assert figures(mine)["potential_reach"]["value"] == 701
    assert len(mine["series"]) == 90
    assert figures(api.get("/api/v1/me/analytics", bea).json())["shares"]["value"] == 1
    nobody = api.get("/api/v1/me/analytics", cast.amir).json()
    assert figures(nobody)["shares"]["value"] == 0
    assert figures(nobody)["potential_reach"]["value"] == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/analytics/ambassadors/{other}",
        "/api/v1/analytics/programme",
        "/api/v1/analytics/teams/Sales",
        "/api/v1/analytics/breakdown?by=ambassador",
    ],
)
def test_an_ambassador_cannot_read_anyone_elses_figures(api, programme, path):
    response = api.get(path.format(other=programme["bea"].id), programme["amir"])
    api.problem(response, 403)


def test_authors_see_how_their_content_travelled(api, cast, programme):
    author = api.person("author", Role.AMBASSADOR)
    article = api.create_content(author, origin="produced", title="My article", url="https://example.com/mine")
    assert api.move(author, article["id"], "submit").status_code == 200
    assert api.move(cast.erin, article["id"], "approve").status_code == 200
    shared = publish(api, programme["bea"], article["id"], "linkedin")
    click(api, shared["id"])
    rollups.update(api.engine, settle_seconds=0)
    rows = api.get("/api/v1/me/analytics/content", author).json()["rows"]
    assert [(row["key"], row["label"], row["shares"], row["unique_clicks"]) for row in rows] == [
        (article["id"], "My article", 1, 1)
    ]
    assert api.get("/api/v1/me/analytics/content", programme["amir"]).json()["rows"] == []


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("/api/v1/analytics/programme?from=2026-05-02&to=2026-05-01", 422, "to"),
        ("/api/v1/analytics/programme?from=1990-01-01&to=2026-05-01", 422, "from"),
        ("/api/v1/analytics/programme?interval=fortnight", 400, None),
        ("/api/v1/analytics/programme?from=yesterday", 400, None),
        ("/api/v1/analytics/networks/myspace", 422, "network"),
        ("/api/v1/analytics/campaigns/999999", 404, None),
        ("/api/v1/analytics/content/999999", 404, None),
        ("/api/v1/analytics/ambassadors/999999", 404, None),
        ("/api/v1/analytics/breakdown?by=colour", 400, None),
        ("/api/v1/analytics/breakdown", 400, None),
        ("/api/v1/analytics/programme?format=xlsx", 400, None),
    ],
)
def test_bad_requests_are_clear_problems(api, cast, query, status, field):
    response = api.get(query, cast.ada)
    body = api.problem(response, status)
    if field is not None:
        assert body.get("field") == field


def test_participation_never_exceeds_everyone_who_could_share(api, cast):
    """Sharers who left or paused since stay in the population: it was 2 sharing / 1 opted in (200 %)."""
    from clarion.models import Ambassador

    amir = api.person("amir-o", team="Ops")
    bea = api.person("bea-o", team="Ops")
    content = api.approved_content(cast.erin)
    publish(api, amir, content["id"], "linkedin")
    publish(api, bea, content["id"], "linkedin")
    rollups.update(api.engine, settle_seconds=0)
    with api.engine.transaction() as session:
        row = session.get(Ambassador, bea.id)
        row.left_at = datetime.now(UTC)
        row.opted_in_at = None
        session.add(row)
        paused = session.get(Ambassador, amir.id)
        paused.paused_at = datetime.now(UTC)
        session.add(paused)
    for path in ("/api/v1/analytics/teams/Ops", "/api/v1/analytics/programme"):
        found = figures(api.get(path, cast.ada).json())
        assert found["ambassadors_sharing"]["value"] == 2
        assert found["opted_in_ambassadors"]["value"] >= 2
        assert 0 < found["participation_rate"]["value"] <= 1
    ops = figures(api.get("/api/v1/analytics/teams/Ops", cast.ada).json())
    assert ops["participation_rate"]["value"] == 1.0


def test_people_who_opted_in_after_the_period_are_not_in_its_population(api, cast):
    api.person("dana-o", team="Ops")  # opted in today
    last_year = (datetime.now(UTC) - timedelta(days=400)).date()
    query = f"?from={last_year}&to={last_year + timedelta(days=30)}"
    found = figures(api.get(f"/api/v1/analytics/teams/Ops{query}", cast.ada).json())
    assert found["opted_in_ambassadors"]["value"] == 0
    assert found["participation_rate"]["value"] is None


def test_a_content_items_participation_counts_its_audience_only(api, cast):
    """Content for Sales: Bea shares, Cleo does not; Platform people are not its audience."""
    api.person("amir-c", team="Platform")
    api.person("omar-c", team="Platform")
    bea = api.person("bea-c", team="Sales")
    api.person("cleo-c", team="Sales")
    content = api.approved_content(cast.erin, audience={"teams": ["Sales"]})
    publish(api, bea, content["id"], "linkedin")
    rollups.update(api.engine, settle_seconds=0)
    found = figures(api.get(f"/api/v1/analytics/content/{content['id']}", cast.erin).json())
    assert found["ambassadors_sharing"]["value"] == 1
    assert found["opted_in_ambassadors"]["value"] == 2
    assert found["participation_rate"]["value"] == 0.5
