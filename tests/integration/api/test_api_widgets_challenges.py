"""The challenges widget: my progress, join and leave buttons, team totals without names, results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

NOW = datetime.now(UTC)


def challenge(api, editor, **fields):
    body = {
        "title": "Share 3 job posts",
        "kind": "individual",
        "measure": "shares",
        "target": 3,
        "starts_at": (NOW - timedelta(days=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=9)).isoformat(),
        **fields,
    }
    response = api.post("/api/v1/challenges", editor, body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_widget_offers_joining_then_shows_my_progress(api, cast):
    created = challenge(api, cast.erin, reward="Lunch with the hiring team")
    html = api.get("/widgets/challenges", cast.amir).text
    assert "Share 3 job posts" in html
    assert "Lunch with the hiring team" in html
    assert 'data-action="join-challenge"' in html
    assert "optional" in html
    assert api.get("/widgets/challenges", cast.amir).headers["cache-control"] == "no-store"
    api.post(f"/api/v1/me/challenges/{created['id']}/participation", cast.amir)
    content = api.approved_content(cast.erin)
    share = api.share(cast.amir, content["id"])
    api.post(f"/api/v1/shares/{share['id']}/opened", cast.amir)
    joined = api.get("/widgets/challenges", cast.amir).text
    assert 'data-action="leave-challenge"' in joined
    assert "1 of 3" in joined
    assert '<progress max="100" value="33"' in joined


def test_a_team_challenge_shows_the_team_total_and_no_join_button(api, cast):
    challenge(api, cast.erin, kind="team", measure="participation", target=50, title="Platform takes part")
    member = api.person("member", team="Platform")
    api.person("quiet-member", team="Platform")
    share = api.share(member, api.approved_content(cast.erin)["id"])
    api.post(f"/api/v1/shares/{share['id']}/opened", member)
    html = api.get("/widgets/challenges", member).text
    assert "Team Platform" in html
    assert "50% of 50%" in html
    assert "join-challenge" not in html
    assert "Quiet" not in html


def test_the_widget_speaks_dutch_and_says_when_there_is_nothing(api, cast):
    dutch = api.person("nl", locale="nl")
    assert "Op dit moment zijn er geen uitdagingen." in api.get("/widgets/challenges", dutch).text
