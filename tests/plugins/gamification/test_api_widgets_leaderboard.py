"""The leaderboard widget as its fragment renders it: periods, scopes, me highlighted, privacy, settings, Dutch."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, time, timedelta

import pytest

from clarion.event_log import record_event
from clarion.models import Ambassador, Campaign
from clarion.points import points as points_service
from clarion.scoring import Award

TODAY = datetime.now(UTC).date()
_keys = itertools.count()


def award(api, who, points, day=TODAY):
    with api.engine.transaction() as session:
        event, _ = record_event(
            session,
            "test.bonus",
            idempotency_key=f"test.widget-bonus:{next(_keys)}",
            ambassador_id=who.id,
            occurred_at=datetime.combine(day, time(12), tzinfo=UTC),
        )
        points_service.score_in(
            api.engine, session, event, [Award(rule="bonus", ambassador_id=who.id, points=points, reason="x")]
        )


def widget(api, who, query="", status=200):
    response = api.get(f"/widgets/leaderboard{query}", who)
    assert response.status_code == status, response.text
    return response.text


def lines(html):
    """(rank, name, score, is me) per line of the board."""
    found = re.findall(
        r'<tr class="cw-line( cw-me)?"(?: aria-current="true")? data-rank="(\d+)">\s*<td class="cw-rank">\d+</td>\s*'
        r'<th scope="row" class="cw-who">([^<]*)(?:<span[^>]*>[^<]*</span>)?.*?</th>\s*<td class="cw-score">([^<]*)</td>',
        html,
        re.S,
    )
    return [(int(rank), name.strip(), score, bool(me)) for me, rank, name, score in found]


@pytest.fixture
def board(api, cast):
    people = [api.person(f"p{number}", name=f"P{number}", team="Blue" if number % 2 else "Red") for number in range(4)]
    for number, person in enumerate(people):
        award(api, person, 10 * (number + 1))
    award(api, cast.amir, 5)
    return people


def test_the_top_and_me_highlighted_with_my_rank_and_percentile_outside_it(api, cast, board):
    html = widget(api, cast.amir, "?limit=2")
    assert lines(html) == [(1, "P3", "40", False), (2, "P2", "30", False), (5, "Amir", "5", True)]
    assert 'aria-current="true"' in html
    assert "(you)" in html
    assert re.search(r'data-my-rank="5">You are number 5 of 5 \(top 100%\)', html)
    top = widget(api, board[3])
    assert "You are number 1 of 5 (top 20%)" in top
    assert lines(top)[0] == (1, "P3", "40", True)
    assert "You are not on this board yet" in widget(api, cast.bea)


def test_periods_switch_the_board(api, cast, board):
    award(api, cast.bea, 99, TODAY - timedelta(days=400))
    assert "Bea" not in [name for _, name, _, _ in lines(widget(api, cast.amir, "?period=year"))]
    assert lines(widget(api, cast.amir, "?period=all"))[0][1] == "Bea"
    html = widget(api, cast.amir, "?period=rolling30")
    assert 'data-board-period="rolling30"' in html
    assert "The last 30 days" in html
    assert '<option value="rolling30" selected>' in html
    for period in ("week", "month", "quarter", "year", "all", "rolling30"):
        assert f'<option value="{period}"' in html


def test_scopes_my_team_my_department_and_a_campaign(api, cast, board):
    with api.engine.transaction() as session:
        amir = session.get(Ambassador, cast.amir.id)
        amir.team, amir.department = "Blue", "Engineering"
        session.add(amir)
        campaign = Campaign(name="Autumn", slug="autumn-board", starts_at=datetime.now(UTC) - timedelta(days=1))
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    team = widget(api, cast.amir, "?scope=team")
    assert [name for _, name, _, _ in lines(team)] == ["P3", "P1", "Amir"]
    assert '<option value="team" selected>My team (Blue)</option>' in team
    assert "no department board" not in widget(api, cast.amir, "?scope=department")
    assert [name for _, name, _, _ in lines(widget(api, cast.amir, "?scope=department"))] == ["Amir"]
    assert "You are not in a team yet" in widget(api, cast.bea, "?scope=team")
    assert f'<option value="campaign:{campaign_id}">Campaign: Autumn</option>' in team
    assert "Nobody has points on this board yet" in widget(api, cast.amir, f"?scope=campaign:{campaign_id}")
    assert "Nobody has points" in widget(api, cast.amir, f"?scope=campaign&campaign_id={campaign_id}")


def test_hidden_ambassadors_see_only_themselves_and_others_do_not_see_them(api, cast, board):
    with api.engine.transaction() as session:
        hidden = session.get(Ambassador, board[3].id)
        hidden.leaderboard_visible = False
        session.add(hidden)
    others = widget(api, cast.amir)
    assert "P3" not in [name for _, name, _, _ in lines(others)]
    mine = widget(api, board[3])
    assert lines(mine)[0] == (1, "P3", "40", True)
    assert "only you see yourself" in mine
    assert 'data-state="hidden"' in mine


def test_team_board_and_audience_normalised_settings(api, cast, board):
    teams = widget(api, board[0], "?rank_by=average_per_active_member")
    assert re.findall(r'<th scope="row" class="cw-who">(\w+)', teams) == ["Blue", "Red"]
    assert "(my team)" in teams
    assert "My team is number 2 of 2" in teams
    assert '<option value="team"' not in teams  # a board of teams cannot be one team
    assert '<input type="hidden" name="rank_by" value="average_per_active_member">' in teams
    weighed = widget(api, cast.amir, "?rank_by=audience_normalised")
    assert "points weighed by audience size" in weighed
    assert '<th scope="col">Weighted score</th>' in weighed
    fixed = widget(api, cast.amir, "?choices=false&limit=1")
    assert "<select" not in fixed
    assert len(lines(fixed)) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?period=decade", "period"),
        ("?scope=galaxy", "scope"),
        ("?scope=company:1", "scope"),
        ("?rank_by=likes", "rank_by"),
        ("?limit=500", "limit"),
        ("?scope=team&rank_by=average_per_active_member", "scope"),
        ("?scope=campaign", "scope"),
        ("?colour=red", "colour"),
    ],
)
def test_bad_settings_are_400_naming_the_field(api, cast, problem, query, field):
    problem(api.get(f"/widgets/leaderboard{query}", cast.amir), 400, field=field)


def test_an_unknown_campaign_is_404(api, cast, problem):
    problem(api.get("/widgets/leaderboard?scope=campaign:999999", cast.amir), 404)


def test_empty_board_and_turned_off_leaderboards(api_factory, cast, api):
    assert 'data-state="empty"' in widget(api, cast.amir)
    off = api_factory(plugin_config={"gamification": {"leaderboards": False}})
    person = off.person("off-amir")
    html = off.get("/widgets/leaderboard", person)
    assert html.status_code == 200
    assert 'data-state="disabled"' in html.text
    assert "turned leaderboards off" in html.text
    assert "<table" not in html.text


def test_the_widget_speaks_dutch(api, cast, board):
    with api.engine.transaction() as session:
        amir = session.get(Ambassador, cast.amir.id)
        amir.locale = "nl-NL"
        session.add(amir)
    html = widget(api, cast.amir, "?limit=2")
    assert "Ranglijst" in html
    assert "Jij bent nummer 5 van 5 (top 100%)." in html


def test_my_rank_and_the_board_size_leave_out_the_hidden_and_those_who_left(api, cast, board):
    gone, hidden = api.person("gone", name="Gone"), api.person("hidden", name="Hidden")
    award(api, gone, 100)
    award(api, hidden, 100)
    award(api, cast.bea, 5, TODAY - timedelta(days=1))  # level with Amir, but reached it first
    with api.engine.transaction() as session:
        row = session.get(Ambassador, gone.id)
        row.left_at = datetime.now(UTC)
        session.add(row)
        row = session.get(Ambassador, hidden.id)
        row.leaderboard_visible = False
        session.add(row)
    html = widget(api, cast.amir, "?limit=2")
    assert "You are number 6 of 6 (top 100%)" in html  # P0..P3 and Bea ahead; Gone and Hidden not counted
    body = api.get("/api/v1/leaderboards?limit=2", cast.amir).json()
    assert (body["me"]["rank"], body["ranked"]) == (6, 6)
    mine = widget(api, hidden, "?limit=2")
    assert "You are number 1 of 7 (top 15%)" in mine  # on their own board, hidden people count themselves
    assert lines(mine)[0] == (1, "Hidden", "100", True)
