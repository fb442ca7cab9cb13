"""The my-impact, campaign and submit widgets as their fragments render them: own figures only, settings, Dutch."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from clarion.metrics import rollups
from clarion.models import AdvocacyLevel, Ambassador, Click, Role
from clarion.web.templates_loader import template_environment

capture_ids = count()


def publish(api: Any, who: Any, content_id: int, network: str = "linkedin") -> dict[str, Any]:
    share = api.share(who, content_id, network)
    response = api.post(f"/api/v1/shares/{share['id']}/opened", who)
    assert response.status_code == 200, response.text
    return share


def clicks(api: Any, share_id: int, how_many: int) -> None:
    with api.engine.transaction() as session:
        for _ in range(how_many):
            session.add(
                Click(
                    capture_id=f"w{next(capture_ids)}",
                    share_id=share_id,
                    occurred_at=datetime.now(UTC),
                    counted=True,
                )
            )


def figure(html: str, key: str) -> tuple[str, str]:
    """The number and the provenance label of one figure of a rendered widget."""
    found = re.search(
        rf'data-figure="{key}">\s*<dt>[^<]*</dt>\s*<dd><span class="cw-number">([^<]*)</span>'
        rf'(?: <span class="cw-source"[^>]*>([^<]*)</span>)?',
        html,
    )
    assert found, f"no figure {key!r} in {html}"
    return found.group(1), found.group(2) or ""


@pytest.fixture
def activity(api, cast):
    """Amir shares twice (3 counted clicks), Bea shares three times (7 clicks), in the campaign 'autumn'."""
    campaign = api.create_campaign(cast.erin, name="Autumn drive", slug="autumn", goal_shares=10, goal_clicks=8)
    content = api.approved_content(cast.erin, title="News", campaign_id=campaign["id"])
    amir_share = publish(api, cast.amir, content["id"], "linkedin")
    publish(api, cast.amir, content["id"], "x")
    more = api.approved_content(cast.erin, title="More news", campaign_id=campaign["id"])
    bea_shares = [
        publish(api, cast.bea, item["id"], network)
        for item, network in ((content, "linkedin"), (content, "x"), (more, "linkedin"))
    ]
    clicks(api, amir_share["id"], 3)
    clicks(api, bea_shares[0]["id"], 7)
    rollups.update(api.engine, settle_seconds=0)
    return {"campaign": campaign, "content": content}


# -- my impact -------------------------------------------------------------------------------------


def test_my_impact_shows_my_figures_with_their_provenance(api, cast, activity):
    html = api.get("/widgets/my-impact", cast.amir).text
    assert figure(html, "shares") == ("2", "measured")
    assert figure(html, "clicks_unique") == ("3", "measured")
    reach = {item["key"]: item for item in api.get("/api/v1/me/analytics", cast.amir).json()["figures"]}[
        "potential_reach"
    ]
    labels = {"reported": "reported by the networks", "estimated": "estimated", "mixed": "reported and estimated"}
    assert figure(html, "potential_reach") == (f"{reach['value']:,}", labels[reach["source"]])
    balance = api.get("/api/v1/me/points", cast.amir).json()["balance"]
    assert figure(html, "points")[0] == f"{balance:,}"
    assert "The last 90 days" in html
    assert api.get("/widgets/my-impact", cast.amir).headers["cache-control"] == "private, max-age=60"


def test_my_impact_never_shows_anyone_elses_figures(api, cast, activity):
    amir = api.get("/widgets/my-impact", cast.amir).text
    bea = api.get("/widgets/my-impact", cast.bea).text
    assert figure(bea, "shares")[0] == "3"
    assert figure(bea, "clicks_unique")[0] == "7"
    assert figure(amir, "shares")[0] == "2"
    assert figure(amir, "clicks_unique")[0] == "3"
    newcomer = api.get("/widgets/my-impact", api.person("newcomer")).text
    assert figure(newcomer, "shares")[0] == "0"
    assert figure(newcomer, "clicks_unique")[0] == "0"
    # The same figures as the API reads for each of them.
    mine = {item["key"]: item["value"] for item in api.get("/api/v1/me/analytics", cast.amir).json()["figures"]}
    assert (mine["shares"], mine["clicks_unique"]) == (2, 3)


def test_my_impact_draws_the_trend_server_side(api, cast, activity):
    html = api.get("/widgets/my-impact", cast.amir).text
    charts = dict(re.findall(r'data-trend="(\w+)">.*?(<svg [^>]*>.*?</svg>)', html, re.S))
    assert set(charts) == {"shares", "clicks"}
    assert 'aria-label="Shares per week over the last 90 days: 2 in all, at most 2 in a week."' in charts["shares"]
    assert 'aria-label="Clicks per week over the last 90 days: 3 in all, at most 3 in a week."' in charts["clicks"]
    for kind, svg in charts.items():
        assert 'role="img"' in svg
        heights = [float(h) for h in re.findall(rf'<rect class="cw-bar-{kind}"[^>]* height="([\d.]+)"', svg)]
        assert heights == [pytest.approx(38.0)], kind  # this week only, filling its row
    assert "<script" not in html


def test_my_impact_says_what_the_next_level_needs(api_factory):
    api = api_factory(
        plugin_config={
            "gamification": {"curation_criteria": {"points": 15, "verified_shares": 1}, "production_criteria": {}}
        }
    )
    amir = api.person("amir")
    api.add_account(amir, "x", "@amir")  # points for connecting an account
    balance = api.get("/api/v1/me/points", amir).json()["balance"]
    html = api.get("/widgets/my-impact", amir).text
    assert "My level: Engagement" in html
    assert "What the Curation level needs:" in html
    points_row = re.search(r'data-criterion="points">(.*?)</li>', html, re.S).group(1)
    assert f"{min(balance, 15)} / 15 points" in points_row
    assert f"{15 - balance} to go" in points_row
    assert '<progress max="1" value="0"' in html  # verified shares: none yet
    with api.engine.transaction() as session:
        session.get(Ambassador, amir.id).advocacy_level = AdvocacyLevel.CURATION
    promoted = api.get("/widgets/my-impact", amir).text
    assert "The Production level is opened by the programme team." in promoted


def test_my_impact_takes_no_settings(api, cast):
    api.problem(api.get("/widgets/my-impact?campaign_id=1", cast.amir), 400, field="campaign_id")


def test_my_impact_in_dutch(api, activity):
    bram = api.person("bram", locale="nl-NL")
    html = api.get("/widgets/my-impact", bram).text
    assert "Mijn impact" in html
    assert "Mijn niveau: Betrokkenheid" in html
    assert "De afgelopen 90 dagen" in html
    assert ">gemeten<" in html
    assert 'lang="nl"' in html


# -- campaign --------------------------------------------------------------------------------------


def test_the_campaign_widget_shows_goals_against_progress(api, cast, activity):
    by_slug = api.get("/widgets/campaign?campaign=autumn", cast.amir).text
    by_id = api.get(f"/widgets/campaign?campaign_id={activity['campaign']['id']}", cast.amir).text
    assert by_slug == by_id
    assert "Autumn drive" in by_slug
    shares = re.search(r'data-goal="shares">(.*?)</li>', by_slug, re.S).group(1)
    assert "5 of 10" in shares
    assert 'value="50"' in shares
    assert "50% of the goal" in shares
    clicks_goal = re.search(r'data-goal="clicks">(.*?)</li>', by_slug, re.S).group(1)
    assert "10 of 8" in clicks_goal
    assert "Goal reached!" in clicks_goal
    assert 'value="100"' in clicks_goal
    # My part only: Amir's two shares, never Bea's three.
    assert "Your shares for this campaign: 2. Thank you!" in by_slug
    assert "Your shares for this campaign: 3." in api.get("/widgets/campaign?campaign=autumn", cast.bea).text


def test_a_campaign_without_goals_shows_its_figures_and_an_upcoming_one_says_so(api, cast):
    api.create_campaign(cast.erin, name="Open", slug="open")
    html = api.get("/widgets/campaign?campaign=open", cast.amir).text
    assert figure(html, "shares") == ("0", "measured")
    assert "You have not shared for this campaign yet." in html
    later = (datetime.now(UTC) + timedelta(days=10)).isoformat()
    api.create_campaign(cast.erin, name="Later", slug="later", starts_at=later, goal_shares=5)
    upcoming = api.get("/widgets/campaign?campaign=later", cast.amir).text
    assert "This campaign has not started yet." in upcoming
    assert "data-goal" not in upcoming


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("", 400, None),
        ("?campaign=autumn&campaign_id=1", 400, None),
        ("?campaign=nope", 404, "campaign"),
        ("?campaign_id=999999", 404, "campaign_id"),
        ("?campaign_id=abc", 400, "campaign_id"),
        ("?slug=autumn", 400, "slug"),
    ],
)
def test_the_campaign_widget_checks_its_settings(api, cast, activity, query, status, field):
    response = api.get(f"/widgets/campaign{query}", cast.amir)
    api.problem(response, status, field=field if field else None)


def test_the_campaign_widget_in_dutch(api, activity):
    html = api.get("/widgets/campaign?campaign=autumn", api.person("bram", locale="nl")).text
    assert "Onze doelen" in html
    assert "5 van 10" in html
    assert "Doel bereikt!" in html


# -- submit ----------------------------------------------------------------------------------------


def test_the_submit_form_offers_what_the_programme_allows(api, cast):
    html = api.get("/widgets/submit", cast.amir).text
    assert 'data-action="suggest"' in html
    assert "disabled data-needs-script>Send for review</button>" in html  # embed.js enables it: no native submit
    assert 'value="curated" checked' in html
    assert 'value="produced"' in html
    assert 'name="url" type="url"' in html
    assert 'name="title"' in html
    assert api.get("/widgets/submit", cast.amir).headers["cache-control"] == "no-store"


def test_the_submit_form_respects_the_level_gates(api_factory):
    api = api_factory(submit_requires_level={"produced": "production"})
    amir = api.person("amir")
    html = api.get("/widgets/submit", amir).text
    assert '<input type="hidden" name="origin" value="curated">' in html
    assert "Suggesting your own work opens at the Production level." in html
    gated = api_factory(submit_requires_level={"curated": "curation", "produced": "production"})
    locked = gated.get("/widgets/submit", gated.person("amira")).text
    assert 'data-action="suggest"' not in locked
    assert "Suggesting content opens at the Curation level; you are at the Engagement level." in locked
    editor = gated.get("/widgets/submit", gated.person("erina", Role.EDITOR)).text
    assert 'data-action="suggest"' in editor  # editors always may


def test_a_suggestion_goes_to_the_review_queue_in_one_step(api, cast):
    body = {
        "origin": "curated",
        "title": "A great article",
        "url": "https://example.org/great",
        "summary": "Worth reading",
        "submit_for_review": True,
    }
    created = api.post("/api/v1/content", cast.amir, body)
    assert created.status_code == 201, created.text
    assert (created.json()["status"], created.json()["author_id"]) == ("submitted", cast.amir.id)
    queue = api.get("/api/v1/content?status=submitted", cast.erin).json()["items"]
    assert [item["title"] for item in queue] == ["A great article"]
    mine = api.get("/widgets/submit", cast.amir).text
    assert re.search(r'data-status="submitted"><span class="cw-recent-title">A great article</span>', mine)
    assert "A great article" not in api.get("/widgets/submit", cast.bea).text  # never someone else's


def test_a_refused_suggestion_leaves_nothing_behind(api_factory):
    api = api_factory(submit_requires_level={"curated": "curation"})
    amir = api.person("amir")
    erin = api.person("erin", Role.EDITOR)
    bad_url = {"origin": "produced", "title": "Mine", "url": "javascript:alert(1)", "submit_for_review": True}
    api.problem(api.post("/api/v1/content", amir, bad_url), 422, field="url")
    gated = {"origin": "curated", "title": "Link", "url": "https://example.org/x", "submit_for_review": True}
    api.problem(api.post("/api/v1/content", amir, gated), 403)
    api.problem(api.post("/api/v1/content", amir, {**gated, "origin": "produced", "title": ""}), 400, field="title")
    assert api.get("/api/v1/content?mine=true", amir).json()["items"] == []
    assert api.get("/api/v1/content?status=submitted", erin).json()["items"] == []


def test_the_submit_widget_in_dutch(api):
    html = api.get("/widgets/submit", api.person("bram", locale="nl")).text
    assert "Stel iets voor om te delen" in html
    assert "Ter beoordeling versturen" in html


@pytest.mark.parametrize(
    ("language", "number", "day"), [("en", "12,500", "Nov 2, 2026"), ("nl", "12.500", "2 nov 2026")]
)
def test_numbers_and_dates_are_written_the_way_the_language_does(language, number, day):
    template = template_environment().from_string("{{ n|number }} {{ d|day }}")
    assert template.render(n=12500, d=date(2026, 11, 2), language=language) == f"{number} {day}"


def test_my_impact_shows_my_badges_my_month_rank_and_recent_points_with_why(api, cast, activity):
    html = api.get("/widgets/my-impact", cast.amir).text
    earned = re.search(r'<li class="cw-badge-card" data-badge="first-share">(.*?)</li>', html, re.S)
    assert earned, html
    assert 'src="data:image/svg+xml;base64,' in earned.group(1)
    assert "First share" in earned.group(1)
    assert "You published your first share." in earned.group(1)
    assert "earned " in earned.group(1)
    assert re.search(r'data-next-badge="[^"]+"', html)  # the closest unearned badges, with progress
    ledger = api.get("/api/v1/me/points", cast.amir).json()["items"]
    shown = re.findall(r'<li class="cw-ledger-line" data-rule="([^"]+)" data-event="([^"]+)">', html)
    assert shown == [(item["rule"], item["event_kind"]) for item in ledger[:5]]
    assert ledger[0]["reason"] in html
    board = api.get("/api/v1/leaderboards?period=month", cast.amir).json()
    rank = re.search(r'data-month-rank="(\d+)">This month you are number (\d+) of (\d+)', html)
    assert rank
    assert (int(rank.group(2)), int(rank.group(3))) == (board["me"]["rank"], board["ranked"])
    assert "only you see yourself" not in html


def test_my_impact_rank_respects_hidden_and_turned_off_leaderboards(api, api_factory, cast, activity):
    with api.engine.transaction() as session:
        amir = session.get(Ambassador, cast.amir.id)
        amir.leaderboard_visible = False
        session.add(amir)
    html = api.get("/widgets/my-impact", cast.amir).text
    assert re.search(r'data-month-rank="\d+">This month you are number', html)
    assert "only you see yourself" in html
    off = api_factory(plugin_config={"gamification": {"leaderboards": False}})
    html = off.get("/widgets/my-impact", cast.amir).text
    assert "data-month-rank" not in html
    assert "Recent points and why" in html
