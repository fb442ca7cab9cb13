"""Leaderboards over the API: periods, scopes, rankings, my rank, privacy, ties and employee of the month."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from clarion.event_log import record_event
from clarion.models import NetworkAccount
from clarion.points import points as points_service
from clarion.scoring import Award
from clarion_plugins.gamification.services.leaderboards import default_month

TODAY = datetime.now(UTC).date()
_keys = itertools.count()


def award(api, who, points, day=TODAY):
    """Score ``points`` for ``who`` on ``day`` through the ledger, as a rule would."""
    with api.engine.transaction() as session:
        event, _ = record_event(
            session,
            "test.bonus",
            idempotency_key=f"test.bonus:{next(_keys)}",
            ambassador_id=who.id,
            occurred_at=datetime.combine(day, time(12), tzinfo=UTC),
        )
        points_service.score_in(
            api.engine, session, event, [Award(rule="bonus", ambassador_id=who.id, points=points, reason="x")]
        )


def board(api, who, query="", status=200):
    response = api.get(f"/api/v1/leaderboards{query}", who)
    assert response.status_code == status, response.text
    return response.json()


def names(body):
    return [item["name"].lower() for item in body["items"]]


def test_top_of_the_board_and_my_rank_outside_it(api, cast):
    people = [api.person(f"p{number}", name=f"P{number}") for number in range(5)]
    for number, person in enumerate(people):
        award(api, person, 10 * (number + 1))
    award(api, cast.amir, 5)
    body = board(api, cast.amir, "?period=month&limit=2")
    assert names(body) == ["p4", "p3"]
    assert [item["rank"] for item in body["items"]] == [1, 2]
    assert (body["me"]["rank"], body["me"]["points"], body["ranked"]) == (6, 5, 6)
    assert body["percentile"] == pytest.approx(16.7)
    top = board(api, people[4], "?limit=2")
    assert (top["me"]["rank"], top["percentile"]) == (1, 100.0)
    assert board(api, cast.bea)["me"] is None  # no points: not on the board yet


def test_ties_go_to_whoever_reached_the_score_first_then_the_lower_id(api, cast):
    first, second, third = (api.person(name, name=name) for name in ("early", "late", "later-id"))
    award(api, second, 30, TODAY - timedelta(days=400))
    award(api, first, 30, TODAY - timedelta(days=500))
    award(api, third, 30, TODAY - timedelta(days=400))
    assert names(board(api, cast.amir, "?period=all")) == ["early", "late", "later-id"]


def test_periods_count_only_their_days(api, cast):
    award(api, cast.amir, 7, TODAY - timedelta(days=45))
    award(api, cast.amir, 3)
    award(api, cast.bea, 5, TODAY - timedelta(days=10))
    points = {}
    for period in ("week", "month", "quarter", "year", "all", "rolling30"):
        body = board(api, cast.amir, f"?period={period}")
        points[period] = {item["name"].lower(): item["points"] for item in body["items"]}
        assert body["period"] == period
    assert points["all"] == {"amir": 10, "bea": 5}
    assert points["rolling30"] == {"bea": 5, "amir": 3}
    assert points["week"]["amir"] == 3
    month_start = TODAY.replace(day=1)
    expected_month = {"amir": 3} | ({"bea": 5} if TODAY - timedelta(days=10) >= month_start else {})
    assert points["month"] == expected_month


def test_corrections_lower_the_period_totals(api, cast):
    award(api, cast.amir, 10)
    award(api, cast.amir, -4)
    assert board(api, cast.amir, "?period=week")["me"]["points"] == 6


def test_hidden_ambassadors_see_only_themselves(api, cast):
    hidden = api.person("shy", name="Shy", leaderboard_visible=False)
    award(api, hidden, 50)
    award(api, cast.amir, 10)
    theirs = board(api, hidden)
    assert names(theirs) == ["shy", "amir"]
    assert theirs["me"]["rank"] == 1
    for viewer in (cast.amir, cast.ada):
        body = board(api, viewer)
        assert names(body) == ["amir"]
        assert body["ranked"] == 1


def test_scopes_and_team_average_per_active_member(api, cast):
    big = [api.person(f"big{number}", team="Big", department="Sales") for number in range(3)]
    small = api.person("small0", team="Small", department="Sales", name="Solo")
    other = api.person("other", team="Ops", department="Operations", name="Oz")
    for person in big:
        award(api, person, 10)
    award(api, small, 20)
    award(api, other, 5)
    assert names(board(api, small, "?scope=department:Sales")) == ["solo", "big0", "big1", "big2"]
    assert names(board(api, small, "?scope=team:Ops")) == ["oz"]
    teams = board(api, small, "?rank_by=average_per_active_member")
    lines = [(item["team"], item["points"], item["active_members"], item["score"]) for item in teams["items"]]
    assert lines == [("Small", 20, 1, 20.0), ("Big", 30, 3, 10.0), ("Ops", 5, 1, 5.0)]
    assert teams["me"]["team"] == "Small"
    assert teams["me"]["rank"] == 1
    api.problem(api.get("/api/v1/leaderboards?rank_by=average_per_active_member&scope=team:Big", small), 422)


def test_campaign_window_and_scope(api, cast):
    campaign = api.create_campaign(
        cast.erin,
        starts_at=(datetime.now(UTC) - timedelta(days=3)).isoformat(),
        ends_at=(datetime.now(UTC) + timedelta(days=3)).isoformat(),
    )
    content = api.approved_content(cast.erin, campaign_id=campaign["id"])
    api.share(cast.amir, content["id"])
    award(api, cast.amir, 4)
    award(api, cast.amir, 100, TODAY - timedelta(days=20))
    award(api, cast.bea, 8)
    window = board(api, cast.amir, f"?period=campaign:{campaign['id']}")
    assert {item["name"].lower(): item["points"] for item in window["items"]} == {"bea": 8, "amir": 4}
    assert window["starts_on"] == (TODAY - timedelta(days=3)).isoformat()
    scoped = board(api, cast.amir, f"?period=campaign:{campaign['id']}&scope=campaign:{campaign['id']}")
    assert names(scoped) == ["amir"]


def test_audience_normalised_ranking_lifts_small_networks(api, cast):
    award(api, cast.amir, 100)
    award(api, cast.bea, 30)
    with api.engine.transaction() as session:
        session.add(NetworkAccount(ambassador_id=cast.amir.id, network="x", handle="@amir", follower_count=9000))
        session.add(NetworkAccount(ambassador_id=cast.bea.id, network="x", handle="@bea", follower_count=0))
    body = board(api, cast.amir, "?rank_by=audience_normalised")
    assert [(item["name"].lower(), item["points"], item["score"]) for item in body["items"]] == [
        ("bea", 30, 30.0),
        ("amir", 100, 10.0),
    ]


def test_recompute_rebuilds_the_same_boards(api, cast):
    # Only events the rules score survive a recompute, so these points come from real events.
    api.add_account(cast.amir, "x", "@amir")
    api.add_account(cast.bea, "x", "@bea")
    before = {period: board(api, cast.amir, f"?period={period}") for period in ("week", "all", "rolling30")}
    points_service.recompute(api.engine)
    after = {period: board(api, cast.amir, f"?period={period}") for period in ("week", "all", "rolling30")}
    assert before == after
    assert before["all"]["me"]["points"] > 0


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("?period=fortnight", 422, "period"),
        ("?period=campaign:abc", 422, "period"),
        ("?period=campaign:999", 404, None),
        ("?scope=galaxy", 422, "scope"),
        ("?scope=team:", 422, "scope"),
        ("?scope=campaign:999", 404, None),
        ("?rank_by=charisma", 400, None),
        ("?limit=0", 400, None),
        ("?limit=101", 400, None),
    ],
)
def test_bad_boards_are_refused_clearly(api, cast, query, status, field):
    body = api.problem(api.get(f"/api/v1/leaderboards{query}", cast.amir), status)
    if field is not None:
        assert body.get("field") == field


def test_employee_of_the_month_skips_hidden_ambassadors(api, cast):
    month = TODAY.replace(day=1)
    hidden = api.person("shy", leaderboard_visible=False)
    award(api, hidden, 90, month)
    award(api, cast.bea, 40, month)
    award(api, cast.amir, 60, month - timedelta(days=1))
    body = api.get(f"/api/v1/leaderboards/employee-of-the-month?month={month:%Y-%m}", cast.amir).json()
    assert (body["winner"]["name"].lower(), body["winner"]["points"]) == ("bea", 40)
    previous = api.get("/api/v1/leaderboards/employee-of-the-month", cast.amir).json()
    assert previous["month"] == default_month()
    assert previous["winner"]["name"].lower() == "amir"
    nobody = api.get("/api/v1/leaderboards/employee-of-the-month?month=2001-01", cast.amir).json()
    assert nobody["winner"] is None
    for bad in ("2026-13", "26-01", "march"):
        api.problem(api.get(f"/api/v1/leaderboards/employee-of-the-month?month={bad}", cast.amir), 422)


def test_default_month_is_the_last_complete_one():
    assert default_month(date(2026, 1, 15)) == "2025-12"
    assert default_month(date(2026, 3, 1)) == "2026-02"


def test_admins_can_turn_leaderboards_off(api_factory, problem):
    api = api_factory(plugin_config={"gamification": {"leaderboards": False}})
    someone = api.person("someone")
    for path in ("/api/v1/leaderboards", "/api/v1/leaderboards/employee-of-the-month"):
        problem(api.get(path, someone), 404, detail="leaderboards are turned off")
