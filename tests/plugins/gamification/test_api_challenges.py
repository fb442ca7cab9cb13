"""Challenges end to end: editors manage them, ambassadors opt in, progress per measure, teams, results, boards."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from clarion.event_log import record_event
from clarion.models import Click, Event, Share
from clarion.points import points as points_service
from clarion.scoring import Award
from clarion_plugins.gamification.services import challenges as challenge_service

NOW = datetime.now(UTC)
_keys = itertools.count()


def iso(moment: datetime) -> str:
    return moment.isoformat()


def create(api, editor, status=201, **fields):
    body = {
        "title": "Share 3 job posts",
        "kind": "individual",
        "measure": "shares",
        "target": 3,
        "starts_at": iso(NOW - timedelta(days=5)),
        "ends_at": iso(NOW + timedelta(days=5)),
        **fields,
    }
    response = api.post("/api/v1/challenges", editor, body)
    assert response.status_code == status, response.text
    return response.json()


def published(api, who, content_id, network="linkedin", at=None):
    """A published share of ``content_id`` by ``who`` (optionally moved to ``at``)."""
    share = api.share(who, content_id, network)
    assert api.post(f"/api/v1/shares/{share['id']}/opened", who).status_code == 200
    if at is not None:
        with api.engine.transaction() as session:
            row = session.get(Share, share["id"])
            row.published_at = row.created_at = at
            session.add(row)
    return share["id"]


def counted_click(api, share_id, at=None, counted=True):
    with api.engine.transaction() as session:
        session.add(
            Click(
                capture_id=uuid.uuid4().hex,
                share_id=share_id,
                occurred_at=at or NOW - timedelta(hours=1),
                counted=counted,
            )
        )


def award(api, who, points, day):
    with api.engine.transaction() as session:
        event, _ = record_event(
            session,
            "test.bonus",
            idempotency_key=f"test.challenge.bonus:{next(_keys)}",
            ambassador_id=who.id,
            occurred_at=datetime.combine(day, time(12), tzinfo=UTC),
        )
        points_service.score_in(
            api.engine, session, event, [Award(rule="bonus", ambassador_id=who.id, points=points, reason="x")]
        )


def mine(api, who, challenge_id):
    response = api.get("/api/v1/me/challenges", who)
    assert response.status_code == 200, response.text
    return next(item for item in response.json()["items"] if item["id"] == challenge_id)


def join(api, who, challenge_id, status=200):
    response = api.post(f"/api/v1/me/challenges/{challenge_id}/participation", who)
    assert response.status_code == status, response.text
    return response.json()


# -- managing -----------------------------------------------------------------------------------------


def test_editors_create_read_change_list_and_archive(api, cast):
    created = create(api, cast.erin, reward="Lunch with the hiring team", topic="Jobs")
    assert created["status"] == "active"
    assert created["topic"] == "jobs"
    assert created["reward"] == "Lunch with the hiring team"
    assert created["results_final_at"] > created["ends_at"]
    changed = api.patch(f"/api/v1/challenges/{created['id']}", cast.erin, {"target": 4}).json()
    assert changed["target"] == 4
    upcoming = create(api, cast.ada, starts_at=iso(NOW + timedelta(days=2)), ends_at=iso(NOW + timedelta(days=9)))
    assert upcoming["status"] == "upcoming"
    listed = api.get("/api/v1/challenges?status=upcoming", cast.erin).json()
    assert [item["id"] for item in listed["items"]] == [upcoming["id"]]
    assert api.get("/api/v1/challenges?limit=1", cast.erin).json()["total"] == 2
    assert api.delete(f"/api/v1/challenges/{created['id']}", cast.erin).status_code == 204
    assert [item["id"] for item in api.get("/api/v1/challenges", cast.erin).json()["items"]] == [upcoming["id"]]
    assert api.get(f"/api/v1/challenges/{created['id']}", cast.erin).json()["archived"] is True
    assert all(item["id"] != created["id"] for item in api.get("/api/v1/me/challenges", cast.amir).json()["items"])


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"ends_at": iso(NOW - timedelta(days=6))}, 422, "ends_at"),
        ({"measure": "likes"}, 400, "measure"),
        ({"target": -1}, 400, "target"),
        ({"target": 0}, 400, "target"),
        ({"measure": "participation", "target": 50}, 422, "measure"),
        ({"kind": "team", "measure": "participation", "target": 150}, 422, "target"),
        ({"kind": "team", "per_person_target": 3}, 400, None),
        ({"measure": "points", "network": "x"}, 422, "network"),
        ({"campaign_id": 999999}, 422, "campaign_id"),
        ({"image_url": "javascript:alert(1)"}, 422, "image_url"),
        ({"starts_at": "2027-03-01T00:00:00"}, 400, "starts_at"),  # no time zone
    ],
)
def test_bad_challenges_are_clear_problems(api, cast, fields, status, field):
    response = api.post(
        "/api/v1/challenges",
        cast.erin,
        {
            "title": "Bad",
            "kind": "individual",
            "measure": "shares",
            "target": 3,
            "starts_at": iso(NOW - timedelta(days=5)),
            "ends_at": iso(NOW + timedelta(days=5)),
            **fields,
        },
    )
    body = api.problem(response, status)
    if field is not None:
        assert body["field"] == field


def test_changes_are_checked_against_the_stored_challenge(api, cast):
    created = create(api, cast.erin)
    api.problem(
        api.patch(f"/api/v1/challenges/{created['id']}", cast.erin, {"ends_at": iso(NOW - timedelta(days=9))}), 422
    )
    api.problem(api.patch(f"/api/v1/challenges/{created['id']}", cast.erin, {"title": None}), 422, field="title")
    api.problem(api.get("/api/v1/challenges/999999", cast.erin), 404)


# -- opting in ----------------------------------------------------------------------------------------


def test_joining_is_voluntary_idempotent_and_reversible(api, cast):
    challenge = create(api, cast.erin)
    before = mine(api, cast.amir, challenge["id"])
    assert (before["joined"], before["my_progress"], before["qualified"]) == (False, None, None)
    joined = join(api, cast.amir, challenge["id"])
    assert (joined["joined"], joined["my_progress"]) == (True, 0)
    join(api, cast.amir, challenge["id"])  # twice changes nothing
    assert api.delete(f"/api/v1/me/challenges/{challenge['id']}/participation", cast.amir).status_code == 204
    assert mine(api, cast.amir, challenge["id"])["joined"] is False
    api.problem(api.delete(f"/api/v1/me/challenges/{challenge['id']}/participation", cast.amir), 404)


def test_cannot_join_team_ended_archived_or_while_paused(api, cast):
    team = create(api, cast.erin, kind="team", measure="participation", target=60)
    api.problem(api.post(f"/api/v1/me/challenges/{team['id']}/participation", cast.amir), 409)
    ended = create(api, cast.erin, starts_at=iso(NOW - timedelta(days=9)), ends_at=iso(NOW - timedelta(days=1)))
    api.problem(api.post(f"/api/v1/me/challenges/{ended['id']}/participation", cast.amir), 409, detail="ended")
    archived = create(api, cast.erin)
    api.delete(f"/api/v1/challenges/{archived['id']}", cast.erin)
    api.problem(api.post(f"/api/v1/me/challenges/{archived['id']}/participation", cast.amir), 404)
    paused = api.person("paused", opted_in=False)
    api.problem(api.post(f"/api/v1/me/challenges/{create(api, cast.erin)['id']}/participation", paused), 409)


# -- progress per measure -----------------------------------------------------------------------------


def test_shares_count_inside_the_window_and_through_the_filters(api, cast):
    jobs = [api.approved_content(cast.erin, url=f"https://example.com/job{n}", topics=["jobs"])["id"] for n in range(3)]
    other = api.approved_content(cast.erin, url="https://example.com/other")
    challenge = create(api, cast.erin, topic="jobs", network="linkedin", target=2)
    join(api, cast.amir, challenge["id"])
    published(api, cast.amir, jobs[1], at=NOW - timedelta(days=6))  # before the window
    published(api, cast.amir, jobs[0])
    published(api, cast.amir, other["id"])  # another topic
    published(api, cast.amir, jobs[0], network="x")  # another network
    assert mine(api, cast.amir, challenge["id"])["my_progress"] == 1
    published(api, cast.amir, jobs[2], at=NOW - timedelta(days=5))  # the start is inside
    body = mine(api, cast.amir, challenge["id"])
    assert (body["my_progress"], body["qualified"]) == (2, True)


def test_verified_shares_clicks_and_points(api, cast):
    content = api.approved_content(cast.erin)
    verified = create(api, cast.erin, measure="verified_shares", target=1)
    clicks = create(api, cast.erin, measure="clicks", target=2)
    points = create(api, cast.erin, measure="points", target=10)
    for challenge in (verified, clicks, points):
        join(api, cast.amir, challenge["id"])
    share_id = published(api, cast.amir, content["id"])
    assert mine(api, cast.amir, verified["id"])["my_progress"] == 0
    response = api.post(
        f"/api/v1/shares/{share_id}/verify",
        cast.amir,
        {"post_url": "https://www.linkedin.com/feed/update/urn:li:share:1"},
    )
    assert response.status_code == 200, response.text
    assert mine(api, cast.amir, verified["id"])["my_progress"] == 1
    counted_click(api, share_id)
    counted_click(api, share_id, counted=False)  # a bot or a duplicate
    counted_click(api, share_id, at=NOW - timedelta(days=10))  # before the window
    assert mine(api, cast.amir, clicks["id"])["my_progress"] == 1
    before = mine(api, cast.amir, points["id"])["my_progress"]
    award(api, cast.amir, 7, NOW.date())
    award(api, cast.amir, 50, (NOW - timedelta(days=20)).date())  # outside
    assert mine(api, cast.amir, points["id"])["my_progress"] == before + 7


def test_team_participation_counts_opted_in_members_and_names_nobody(api, cast):
    content = api.approved_content(cast.erin)
    sharers = [api.person(f"sharer{number}", team="Platform") for number in range(3)]
    quiet = [api.person(f"quiet{number}", team="Platform") for number in range(2)]
    api.person("outsider", team="Platform", opted_in=False)  # not in the programme: not counted
    challenge = create(api, cast.erin, kind="team", measure="participation", target=60)
    for person in sharers:
        published(api, person, content["id"])
    body = mine(api, quiet[0], challenge["id"])
    assert body["joined"] is None
    assert body["my_team"] == {"team": "Platform", "progress": 60, "members": 5, "qualified": True}
    assert body["my_progress"] == 0
    results = api.get(f"/api/v1/challenges/{challenge['id']}/results", cast.erin).json()
    assert results["frozen"] is False
    assert results["lines"] == [
        {"progress": 60, "qualified": True, "ambassador_id": None, "name": None, "team": "Platform", "members": 5}
    ]


def test_team_totals_sum_the_members(api, cast):
    content = api.approved_content(cast.erin)
    people = [api.person(f"member{number}", team="Sales") for number in range(2)]
    challenge = create(api, cast.erin, kind="team", target=3)
    for person in people:
        published(api, person, content["id"])
    assert mine(api, people[0], challenge["id"])["my_team"]["progress"] == 2


# -- results ------------------------------------------------------------------------------------------


def test_results_freeze_after_the_grace_period_and_ignore_later_corrections(api, cast):
    content = api.approved_content(cast.erin)
    challenge = create(api, cast.erin, measure="clicks", target=1)
    join(api, cast.amir, challenge["id"])
    join(api, cast.bea, challenge["id"])
    share_id = published(api, cast.amir, content["id"])
    counted_click(api, share_id)
    end = NOW - timedelta(days=challenge_service.RESULTS_GRACE.days + 1)
    with api.engine.transaction() as session:
        row = challenge_service.get_challenge(session, challenge["id"])
        row.starts_at, row.ends_at = end - timedelta(days=10), end
        session.add(row)
        share = session.get(Share, share_id)
        share.published_at = end - timedelta(days=1)
        session.add(share)
        for click in session.exec(select(Click).where(Click.share_id == share_id)):
            click.occurred_at = end - timedelta(hours=1)
            session.add(click)
    body = mine(api, cast.amir, challenge["id"])
    assert (body["status"], body["results_frozen"], body["qualified"], body["qualified_count"]) == (
        "ended",
        True,
        True,
        1,
    )
    assert mine(api, cast.bea, challenge["id"])["qualified"] is False
    with api.engine.transaction() as session:  # a bot click found out later
        for click in session.exec(select(Click).where(Click.share_id == share_id)):
            click.counted = False
            session.add(click)
    results = api.get(f"/api/v1/challenges/{challenge['id']}/results", cast.erin).json()
    assert results["frozen"] is True
    assert [(line["name"], line["progress"], line["qualified"]) for line in results["lines"]] == [
        ("Amir", 1, True),
        ("Bea", 0, False),
    ]
    with api.engine.transaction() as session:
        events = session.exec(select(Event).where(Event.kind == "challenge.qualified")).all()
        assert [(event.ambassador_id, event.payload["challenge_id"]) for event in events] == [
            (cast.amir.id, challenge["id"])
        ]
    frozen = api.patch(f"/api/v1/challenges/{challenge['id']}", cast.erin, {"target": 5})
    api.problem(frozen, 409, detail="frozen")
    assert challenge_service.freeze_due(api.engine) == 0


# -- leaderboards -------------------------------------------------------------------------------------


def test_a_challenge_window_is_a_leaderboard_period(api, cast):
    content = api.approved_content(cast.erin)
    second = api.approved_content(cast.erin, url="https://example.com/second")
    challenge = create(api, cast.erin, target=5)
    hidden = api.person("hidden", leaderboard_visible=False)
    for who in (cast.amir, cast.bea, hidden):
        join(api, who, challenge["id"])
    published(api, cast.amir, content["id"])
    published(api, cast.bea, content["id"])
    published(api, cast.bea, second["id"])
    published(api, hidden, content["id"])
    outsider = api.person("not-joined")
    published(api, outsider, content["id"])  # did not join: not on this board
    board = api.get(f"/api/v1/leaderboards?period=challenge:{challenge['id']}", cast.amir).json()
    assert [(item["name"], item["points"]) for item in board["items"]] == [("Bea", 2), ("Amir", 1)]
    assert board["me"]["rank"] == 2
    hidden_board = api.get(f"/api/v1/leaderboards?period=challenge:{challenge['id']}", hidden).json()
    assert hidden_board["me"]["points"] == 1
    api.problem(api.get("/api/v1/leaderboards?period=challenge:abc", cast.amir), 422, field="period")
    api.problem(api.get("/api/v1/leaderboards?period=challenge:999999", cast.amir), 404)


def test_a_points_challenge_board_reads_daily_points(api, cast):
    challenge = create(api, cast.erin, measure="points", target=5)
    join(api, cast.amir, challenge["id"])
    award(api, cast.amir, 9, NOW.date())
    award(api, cast.amir, 40, (NOW - timedelta(days=30)).date())
    award(api, cast.bea, 20, NOW.date())  # did not join
    board = api.get(f"/api/v1/leaderboards?period=challenge:{challenge['id']}", cast.amir).json()
    assert [(item["name"], item["points"]) for item in board["items"]] == [("Amir", 9)]


def test_challenge_boards_respect_the_leaderboards_switch(api_factory, cast):
    off = api_factory(plugin_config={"gamification": {"leaderboards": False}})
    editor = off.person("editor-off", "editor")
    challenge = create(off, editor)
    off.problem(off.get(f"/api/v1/leaderboards?period=challenge:{challenge['id']}", editor), 404)
