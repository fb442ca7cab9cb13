"""The admin analytics dashboards: figures equal the API's, charts hold the series, drill-downs, bad input, roles."""

from __future__ import annotations

import csv
import html
import io
import re
import secrets
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from babel.numbers import format_currency, format_decimal
from litestar.testing import TestClient
from markupsafe import escape

from clarion.metrics import figures, rollups
from clarion.metrics.figures import MAX_PERIOD_DAYS, Interval, Period, Scope
from clarion.metrics.metrics import record_sample
from clarion.models import Campaign, Click, MetricSource, Role, utcnow
from clarion.tokens import mint_token
from clarion.web.app import create_app
from clarion_plugins.analytics.charts import Series, bar, column_chart, nice_maximum
from clarion_plugins.analytics.trends import goals_per_campaign, trends

capture_ids = count()
# (days ago, person, content, network, clicks counted, bot clicks): three teams, three networks, two campaigns.
HISTORY = [
    (80, "ana", 0, "linkedin", 3, 1),
    (62, "ana", 1, "x", 1, 0),
    (45, "ben", 0, "linkedin", 5, 2),
    (44, "cas", 2, "facebook", 0, 1),
    (30, "ben", 2, "x", 2, 0),
    (21, "dora", 1, "linkedin", 7, 3),
    (12, "ana", 2, "linkedin", 4, 0),
    (9, "eve", 0, "facebook", 1, 1),
    (3, "dora", 0, "x", 2, 0),
    (0, "cas", 1, "linkedin", 6, 2),
]


@pytest.fixture
def programme(api: Any, cast: Any) -> dict[str, Any]:
    """A programme like the demo's in miniature: 90 days of shares, clicks and reported metrics, rollups filed."""
    people = {
        "ana": api.person("ana", team="Platform"),
        "ben": api.person("ben", team="Sales"),
        "cas": api.person("cas", team="Sales"),
        "dora": api.person("dora", team="Support & Care"),
        "eve": api.person("eve", team="Platform"),
        "fay": api.person("fay", team="Support & Care"),  # opted in, never shares
    }
    api.add_account(people["ana"], "linkedin", "@ana", follower_count=640)
    api.add_account(people["dora"], "linkedin", "@dora", follower_count=1200)
    spring = api.create_campaign(cast.erin, name="Spring hiring", slug="spring", goal_shares=6, goal_clicks=20)
    autumn = api.create_campaign(cast.erin, name="Autumn launch", slug="autumn")
    content = [
        api.approved_content(cast.erin, title="We are hiring", url="https://example.com/a", campaign_id=spring["id"]),
        api.approved_content(cast.erin, title="Launch day", url="https://example.com/b", campaign_id=autumn["id"]),
        api.approved_content(cast.erin, title="Culture post", url="https://example.com/c"),
    ]
    now = datetime.now(UTC)
    for days_ago, who, item, network, counted, bots in HISTORY:
        share = api.share(people[who], content[item]["id"], network)
        assert api.post(f"/api/v1/shares/{share['id']}/opened", people[who]).status_code == 200
        moment = now - timedelta(days=days_ago, minutes=5)
        with api.engine.transaction() as session:
            session.execute(
                sa.text("UPDATE event SET occurred_at = :moment WHERE share_id = :id AND kind = 'share.published'"),
                {"moment": moment, "id": share["id"]},
            )
            session.execute(
                sa.text("UPDATE share SET published_at = :moment WHERE id = :id"), {"moment": moment, "id": share["id"]}
            )
            for number in range(counted + bots):
                session.add(
                    Click(
                        capture_id=f"adm{next(capture_ids)}",
                        share_id=share["id"],
                        occurred_at=moment + timedelta(hours=1 + number),
                        counted=number < counted,
                        bot_reason=None if number < counted else "user agent: LinkedInBot",
                    )
                )
            if network == "linkedin":
                for hours, reactions in ((2, 2 + counted), (20, 5 + 2 * counted)):
                    record_sample(
                        session,
                        share["id"],
                        "reactions",
                        reactions,
                        source=MetricSource.REPORTED,
                        observed_at=moment + timedelta(hours=hours),
                    )
                record_sample(
                    session,
                    share["id"],
                    "impressions",
                    300 * (counted + 1),
                    source=MetricSource.REPORTED,
                    observed_at=moment + timedelta(hours=20),
                )
    rollups.update(api.engine, settle_seconds=0)
    return {"campaign_id": spring["id"], "content_id": content[0]["id"], "team": "Support & Care"}


def shown(page: str, key: str) -> str:
    """The text of the figure ``key`` as the page shows it."""
    found = re.search(rf'data-figure="{key}">(.*?)</span>', page, re.S)
    assert found is not None, f"figure {key} is not on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def written(figure: dict[str, Any], language: str = "en") -> str:
    value = figure["value"]
    if value is None:
        return "—not available"
    if figure["key"] == "participation_rate":
        return f"{format_decimal(round(value * 100, 1), locale=language)}%"
    if figure["key"] == "click_through_per_share":
        return format_decimal(round(value, 2), locale=language)
    return format_decimal(value, locale=language)


def range_query(days: int = 90, interval: str = "week") -> str:
    today = utcnow().date()
    return f"from={today - timedelta(days=days - 1)}&to={today}&interval={interval}"


def test_overview_figures_and_emv_equal_the_api(api, cast, programme):
    query = range_query()
    page = api.get(f"/admin/analytics?{query}", cast.erin)
    assert page.status_code == 200, page.text
    body = api.get(f"/api/v1/analytics/programme?{query}", cast.erin).json()
    for figure in body["figures"]:
        assert shown(page.text, figure["key"]) == written(figure), figure["key"]
        assert str(escape(figure["formula"])) in page.text
    assert body["figures"][0]["value"] > 0
    for value in body["emv"]:
        money = format_currency(value["amount_minor"] / 100, value["currency"], locale="en")
        assert f'data-emv="{value["model"]}-{value["currency"]}">{money}<' in page.text
        assert str(escape(value["formula"])) in page.text
    # Every provenance the API names is labelled on the page, with the formula behind a details element.
    for source in {figure["source"] for figure in body["figures"]}:
        assert f'class="source source-{source}"' in page.text
    assert page.text.count("<details>") >= len(body["figures"])


def test_the_default_range_is_the_last_90_days_by_week(api, cast, programme):
    page = api.get("/admin/analytics", cast.erin)
    today = utcnow().date()
    assert f'name="from" value="{today - timedelta(days=89)}"' in page.text
    assert f'name="to" value="{today}"' in page.text
    assert '<option value="week" selected>' in page.text
    body = api.get(f"/api/v1/analytics/programme?{range_query()}", cast.erin).json()
    assert shown(page.text, "shares") == written(body["figures"][0])


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_charts_hold_every_value_of_the_series(api, cast, programme, interval):
    query = range_query(interval=interval)
    page = api.get(f"/admin/analytics?{query}", cast.erin).text
    series = api.get(f"/api/v1/analytics/programme?{query}", cast.erin).json()["series"]
    charts = re.findall(r'<figure class="chart-card">.*?</figure>', page, re.S)
    by_title = {re.search(r'<h3 id="chart-([\w-]+)-title">', chart).group(1): chart for chart in charts}
    assert {"shares", "unique_clicks", "potential_reach", "ambassadors_sharing"} <= set(by_title)
    assert any(key.startswith("emv-") for key in by_title)
    for key in ("shares", "unique_clicks", "potential_reach"):
        chart = by_title[key]
        assert 'role="img" aria-labelledby="chart-' + key + "-title chart-" + key + '-summary"' in chart
        assert chart.count('<rect class="bar"') == len(series)
        cells = re.findall(r'<td data-label="[^"]*" class="number">([^<]*)</td>', chart)
        assert cells == [format_decimal(point[key], locale="en") for point in series]
        assert format_decimal(sum(point[key] for point in series), locale="en") in chart  # the summary's total
    # The tallest column is the highest value and reaches the top of the axis scale it sets.
    shares = [point["shares"] for point in series]
    heights = [float(value) for value in re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"', by_title["shares"])]
    assert heights.index(max(heights)) == shares.index(max(shares))


def test_participation_and_emv_per_bucket_agree_with_the_period(api, programme):
    today = utcnow().date()
    period = Period(today - timedelta(days=89), today)
    with api.engine.transaction() as session:
        found = trends(api.engine, session, Scope(), period, Interval.WEEK)
        whole = figures.report(api.engine, session, Scope(), period, Interval.WEEK)
        weekly = [
            figures.report(api.engine, session, Scope(), Period(max(start, period.start), min(end, period.end)))
            for start, end in zip(
                found.starts, [*(s - timedelta(days=1) for s in found.starts[1:]), period.end], strict=False
            )
        ]
    sharing = {figure.key: figure.value for figure in whole.figures}["ambassadors_sharing"]
    assert found.ambassadors_sharing == [
        {figure.key: figure.value for figure in week.figures}["ambassadors_sharing"] for week in weekly
    ]
    assert max(found.ambassadors_sharing) <= sharing <= sum(found.ambassadors_sharing)
    # Each bucket is valued on its own, like a report over that week alone; the buckets need not add up to the
    # period's value (CPM values reach on a network only when the period reported no impressions there).
    assert {(series.model, series.currency) for series in found.emv} == {
        (value.model, value.currency) for value in whole.emv
    }
    for series in found.emv:
        per_week = [
            next(v for v in week.emv if (v.model, v.currency) == (series.model, series.currency)).amount_minor
            for week in weekly
        ]
        assert series.amounts == per_week
    assert any(any(series.amounts) for series in found.emv)


def test_breakdowns_link_to_drill_downs_and_csv(api, cast, programme):
    query = range_query()
    page = api.get(f"/admin/analytics?{query}", cast.erin).text
    today = utcnow().date()
    start = today - timedelta(days=89)
    for by, path in (("campaign", "campaigns"), ("team", "teams"), ("network", "networks"), ("content", "content")):
        rows = api.get(f"/api/v1/analytics/breakdown?by={by}&from={start}&to={today}", cast.erin).json()["rows"]
        assert rows
        assert f"/api/v1/analytics/breakdown?by={by}&amp;from={start}&amp;to={today}&amp;format=csv" in page
        for row in rows:
            if row["key"] is not None:
                assert (
                    f'href="/admin/analytics/{path}/{quote(str(row["key"]), safe="")}?{query.replace("&", "&amp;")}"'
                    in page
                )
    for table in ("figures", "series", "emv"):
        assert (
            f"/api/v1/analytics/programme?from={start}&amp;to={today}&amp;interval=week&amp;format=csv&amp;table={table}"
            in page
        )


def test_campaign_drill_down_shows_goals_against_actuals(api, cast, programme):
    campaign_id = programme["campaign_id"]
    with api.engine.transaction() as session:
        campaign = session.get(Campaign, campaign_id)
        campaign.goal_shares, campaign.goal_clicks = 50, 400
        session.add(campaign)
    query = range_query(interval="day")
    page = api.get(f"/admin/analytics/campaigns/{campaign_id}?{query}", cast.erin)
    assert page.status_code == 200, page.text
    body = api.get(f"/api/v1/analytics/campaigns/{campaign_id}?{query}", cast.erin).json()
    for figure in body["figures"]:
        assert shown(page.text, figure["key"]) == written(figure)
    assert {goal["key"] for goal in body["goals"]} >= {"shares", "clicks"}
    goals = re.search(r'<section aria-labelledby="goals-heading">.*?</section>', page.text, re.S).group(0)
    for goal in body["goals"]:
        assert f'<td data-label="Target" class="number">{format_decimal(goal["target"], locale="en")}</td>' in goals
        assert f'<td data-label="Actual" class="number">{format_decimal(goal["actual"], locale="en")}</td>' in goals
    assert f"/api/v1/analytics/campaigns/{campaign_id}?" in page.text
    assert "table=goals" in page.text
    # The overview's campaign table shows the same goals.
    overview = api.get(f"/admin/analytics?{query}", cast.erin).text
    shares_goal = next(goal for goal in body["goals"] if goal["key"] == "shares")
    assert f"Shares: {format_decimal(shares_goal['actual'], locale='en')} / 50" in overview


def test_team_network_and_content_drill_downs_equal_the_api(api, cast, programme):
    query = range_query(interval="month")
    for page_path, api_path in (
        (f"/admin/analytics/teams/{quote(programme['team'])}", f"/api/v1/analytics/teams/{quote(programme['team'])}"),
        ("/admin/analytics/networks/linkedin", "/api/v1/analytics/networks/linkedin"),
        (f"/admin/analytics/content/{programme['content_id']}", f"/api/v1/analytics/content/{programme['content_id']}"),
    ):
        page = api.get(f"{page_path}?{query}", cast.erin)
        assert page.status_code == 200, page.text
        body = api.get(f"{api_path}?{query}", cast.erin).json()
        for figure in body["figures"]:
            assert shown(page.text, figure["key"]) == written(figure), (page_path, figure["key"])
        assert page.text.count('<rect class="bar"') >= len(body["series"])
        assert 'href="/admin/analytics?' in page.text  # back to the programme, keeping the range


def test_unknown_scopes_are_not_found_pages(api, cast):
    assert api.get("/admin/analytics/campaigns/999", cast.erin).status_code == 404
    assert api.get("/admin/analytics/content/999", cast.erin).status_code == 404
    unknown = api.get("/admin/analytics/networks/myspace", cast.erin)
    assert unknown.status_code == 422
    assert "myspace" in unknown.text
    assert "Traceback" not in unknown.text


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("from=2026-05-10&to=2026-05-01", "to", "The end date is before the start date"),
        ("interval=fortnight", "interval", "per day, week or month"),
        ("from=2000-01-01&to=2026-01-01", "from", f"at most {format_decimal(MAX_PERIOD_DAYS, locale='en')} days"),
        ("from=yesterday", "from", "The start date is not a date"),
        ("to=2026-02-30", "to", "The end date is not a date"),
    ],
)
def test_bad_ranges_show_the_form_with_a_clear_message(api, cast, query, field, words):
    for path in ("/admin/analytics", "/admin/analytics/networks/linkedin"):
        response = api.get(f"{path}?{query}", cast.erin)
        assert response.status_code == 400
        assert words in response.text
        assert 'role="alert"' in response.text
        assert f'name="{field}"' in response.text
        # The field at fault, and only it, is marked and points at the message.
        assert re.search(rf'name="{field}"[^>]*aria-invalid="true" aria-describedby="range-error"', response.text)
        assert response.text.count('aria-invalid="true"') == 1
        assert "Traceback" not in response.text


def test_an_overlong_query_value_is_a_400_page(api, cast):
    response = api.get("/admin/analytics?from=" + "9" * 200, cast.erin)
    assert response.status_code == 400
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/analytics",
        "/admin/analytics/campaigns/1",
        "/admin/analytics/teams/Sales",
        "/admin/analytics/networks/linkedin",
        "/admin/analytics/content/1",
    ],
)
def test_ambassadors_cannot_open_the_dashboards(api, cast, path):
    refused = api.get(path, cast.amir)
    assert refused.status_code == 403
    assert "needs the editor role" in refused.text
    assert api.get(path, follow_redirects=False).headers["location"] == "/admin/signin"


def test_editors_and_admins_see_the_dashboards(api, cast):
    for who in (cast.erin, cast.ada):
        page = api.get("/admin/analytics", who)
        assert page.status_code == 200
        assert '<a href="/admin/analytics" aria-current="page">Analytics</a>' in page.text


def test_the_admin_session_cookie_downloads_the_csv(api, cast, programme):
    """Signed in through /admin/signin, the CSV links (to the analytics API) open with the session cookie alone."""
    token = mint_token(
        api.engine.settings.secret_key, cast.erin.external_id, ttl_seconds=300, jti=secrets.token_urlsafe(12)
    )
    with TestClient(create_app(engine=api.engine)) as browser:
        assert browser.post("/admin/signin", data={"token": token}, follow_redirects=False).status_code == 303
        page = browser.get(f"/admin/analytics?{range_query()}").text
        links = [html.unescape(link) for link in re.findall(r'<a href="([^"]+format=csv[^"]*)" download>', page)]
        assert len(links) == 7  # figures, emv, series and four breakdowns
        for link in links:
            response = browser.get(link)
            assert response.status_code == 200, (link, response.text)
            assert response.headers["content-type"].startswith("text/csv")
            assert next(iter(csv.reader(io.StringIO(response.text))))
        figures = next(link for link in links if "table=figures" in link)
        rows = {row["key"]: row for row in csv.DictReader(io.StringIO(browser.get(figures).text))}
        assert shown(page, "shares") == format_decimal(int(rows["shares"]["value"]), locale="en")


def test_home_page_summarises_the_last_30_days(api, cast, programme):
    page = api.get("/admin", cast.erin).text
    today = utcnow().date()
    body = api.get(f"/api/v1/analytics/programme?from={today - timedelta(days=29)}&to={today}", cast.erin).json()
    figures = {figure["key"]: figure for figure in body["figures"]}
    for key in ("shares", "ambassadors_sharing", "participation_rate", "clicks_unique", "potential_reach"):
        assert shown(page, key) == written(figures[key])
    assert 'href="/admin/analytics"' in page
    assert "not part of this admin yet" not in page


def test_the_dashboards_speak_dutch(api, cast, programme):
    dutch = api.person("daan", Role.EDITOR, locale="nl-BE")
    page = api.get(f"/admin/analytics?{range_query()}", dutch).text
    assert '<html lang="nl">' in page
    assert "Programma-analyse" in page
    assert "gemeten" in page
    body = api.get(f"/api/v1/analytics/programme?{range_query()}", cast.erin).json()
    shares = body["figures"][0]
    assert shown(page, "shares") == format_decimal(shares["value"], locale="nl")
    bad = api.get("/admin/analytics?from=2026-05-10&to=2026-05-01", dutch)
    assert bad.status_code == 400
    assert "De einddatum ligt vóór de begindatum" in bad.text


def test_an_empty_programme_renders_without_charts_data(api, cast):
    page = api.get("/admin/analytics", cast.erin)
    assert page.status_code == 200
    assert "Nothing in this period." in page.text
    assert "No shares in this period." in page.text


# -- charts -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (21, 25), (240, 250), (2600, 5000), (0.4, 0.5)]
)
def test_axis_tops_are_round_numbers_at_or_above_the_highest_value(value, top):
    assert nice_maximum(value) == pytest.approx(top)


def test_column_chart_draws_one_column_per_bucket_scaled_to_the_axis():
    today = utcnow().date()
    starts = [today - timedelta(days=2), today - timedelta(days=1), today]
    svg = str(
        column_chart(Series(starts, [5, 0, 10]), labelled_by="t s", format_value=lambda v: f"{v:g}", format_day=str)
    )
    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"', svg)]
    assert len(heights) == 3
    assert heights[1] == 0
    assert heights[2] == pytest.approx(2 * heights[0], abs=0.2)
    assert f"<title>{today}: 10</title>" in svg
    assert 'aria-labelledby="t s"' in svg
    assert ">10<" in svg
    assert ">0<" in svg


def test_column_chart_escapes_what_it_writes():
    svg = str(
        column_chart(
            Series([utcnow().date()], [1]),
            labelled_by='x" onload="alert(1)',
            format_value=lambda v: "<b>",
            format_day=lambda d: "&",
        )
    )
    assert 'onload="alert' not in svg
    assert "<b>" not in svg
    assert "&lt;b&gt;" in svg


def test_table_bars_are_proportional_and_hidden_from_screen_readers():
    assert 'width="50"' in str(bar(5, 10))
    assert 'width="0"' in str(bar(3, 0))
    assert 'aria-hidden="true"' in str(bar(1, 1))


def test_goals_per_campaign_equal_each_campaigns_report(api, programme):
    today = utcnow().date()
    period = Period(today - timedelta(days=89), today)
    with api.engine.transaction() as session:
        ids = list(session.execute(sa.select(Campaign.id)).scalars())
        found = goals_per_campaign(session, Scope(), period, ids)
        for campaign_id in ids:
            assert (
                found[campaign_id] == figures.report(api.engine, session, Scope(campaign_id=campaign_id), period).goals
            )
    assert any(found.values())
