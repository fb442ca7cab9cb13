"""Probes of issue 13: dates at the calendar's edges, Unicode digits, NUL, bad UTF-8, broken CSV — a 4xx, never a 500.

Every route reads dates through :mod:`clarion.inputs` (years 1900 to 2999), numbers with its
digits parser and files with its strict CSV reader, so both databases refuse the same input.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from clarion.models import Ambassador, Campaign, Content
from clarion.testing import Person
from clarion.web.admin.forms import admin_csrf_token
from clarion_plugins.gamification.models import Challenge

EDGE_MOMENTS = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "1899-12-31T23:00:00Z", "3000-01-01T00:00Z"]
EDGE_FORM_MOMENTS = ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T10:00", "3000-01-01T00:00"]
EDGE_PERIODS = ["from=9999-12-01&to=9999-12-31", "to=9999-12-31", "from=0001-01-01&to=0001-01-05", "from=1899-12-01"]
NEAR_EDGE_PERIODS = ["to=1900-01-05", "from=2999-12-01&to=2999-12-31", "from=1900-01-01&to=1900-01-01"]
UNICODE_DIGITS = ["²", "٣", "1²", "๑๒"]
NOW = datetime.now(UTC)


def csrf(api: Any, who: Person) -> str:
    return admin_csrf_token(api.engine.settings.secret_key, who.external_id)


def submit(api: Any, who: Person, url: str, fields: dict[str, Any], **kwargs: Any) -> Any:
    data = {"csrf_token": csrf(api, who), **fields}
    return api.request("POST", url, who, data=data, follow_redirects=False, **kwargs)


def count(api: Any, model: Any) -> int:
    with api.engine.transaction() as session:
        return len(session.exec(select(model)).all())


# -- dates at the edges of the calendar ----------------------------------------------------------------------------


@pytest.mark.parametrize("query", EDGE_PERIODS)
def test_analytics_periods_outside_the_years_are_refused(api, cast, query):
    campaign = api.create_campaign(cast.erin)
    content = api.approved_content(cast.erin)
    editor_routes = [
        "/api/v1/analytics/programme",
        f"/api/v1/analytics/campaigns/{campaign['id']}",
        f"/api/v1/analytics/content/{content['id']}",
        "/api/v1/analytics/teams/Sales",
        "/api/v1/analytics/networks/linkedin",
        f"/api/v1/analytics/ambassadors/{cast.amir.id}",
        "/api/v1/analytics/breakdown?by=team",
    ]
    for path in editor_routes:
        separator = "&" if "?" in path else "?"
        body = api.problem(api.get(f"{path}{separator}{query}", cast.ada), 422)
        assert "1900 to 2999" in body["detail"], path
    for path in ["/api/v1/me/analytics", "/api/v1/me/analytics/content"]:
        body = api.problem(api.get(f"{path}?{query}", cast.amir), 422)
        assert "1900 to 2999" in body["detail"], path


@pytest.mark.parametrize("query", EDGE_PERIODS)
def test_admin_analytics_pages_say_which_years_they_take(api, cast, query):
    campaign = api.create_campaign(cast.erin)
    for path in ["/admin/analytics/", f"/admin/analytics/campaigns/{campaign['id']}", "/admin/analytics/teams/Sales"]:
        page = api.get(f"{path}?{query}", cast.erin)
        assert page.status_code < 500, page.text
        assert "Pick dates in the years 1900 to 2999." in page.text, path


@pytest.mark.parametrize("query", NEAR_EDGE_PERIODS)
def test_periods_at_the_edges_of_the_years_are_answered(api, cast, query):
    assert api.get(f"/api/v1/analytics/programme?{query}", cast.erin).status_code == 200
    assert api.get(f"/api/v1/me/analytics?{query}", cast.amir).status_code == 200
    assert api.get(f"/admin/analytics/?{query}", cast.erin).status_code < 500


@pytest.mark.parametrize("moment", EDGE_MOMENTS)
def test_api_times_outside_the_years_are_refused_everywhere(api, cast, moment):
    for field in ("starts_at", "ends_at"):
        body = api.problem(api.post("/api/v1/campaigns", cast.erin, {"name": "S", "slug": "s", field: moment}), 400)
        assert body["field"] == field
        assert "1900 to 2999" in body["detail"]
    campaign = api.create_campaign(cast.erin)
    api.problem(api.patch(f"/api/v1/campaigns/{campaign['id']}", cast.erin, {"ends_at": moment}), 400, field="ends_at")
    for field in ("publish_at", "expires_at"):
        response = api.post("/api/v1/content", cast.erin, {"title": "T", "url": "https://example.com", field: moment})
        api.problem(response, 400, field=field)
    challenge = {"title": "C", "kind": "individual", "measure": "shares", "target": 1}
    window = {"starts_at": (NOW - timedelta(days=1)).isoformat(), "ends_at": (NOW + timedelta(days=1)).isoformat()}
    for field in ("starts_at", "ends_at"):
        response = api.post("/api/v1/challenges", cast.erin, {**challenge, **window, field: moment})
        api.problem(response, 400, field=field)
    assert (count(api, Challenge), count(api, Content)) == (0, 0)


def test_the_years_themselves_are_taken(api, cast):
    campaign = api.create_campaign(
        cast.erin, starts_at="1900-01-01T00:00:00Z", ends_at="2999-12-31T23:59:59.999999+00:00"
    )
    assert (campaign["starts_at"], campaign["ends_at"]) == ("1900-01-01T00:00:00Z", "2999-12-31T23:59:59.999999Z")


@pytest.mark.parametrize("moment", EDGE_FORM_MOMENTS)
def test_admin_forms_refuse_times_outside_the_years(api, cast, moment):
    content = {"title": "T", "url": "https://example.com", "edit_policy": "suggested", "origin": "official"}
    for field in ("publish_at", "expires_at"):
        page = submit(api, cast.erin, "/admin/content/new", {**content, field: moment})
        assert page.status_code == 422, page.text
        assert "must be in the years 1900 to 2999" in page.text
    for field in ("starts_at", "ends_at"):
        page = submit(api, cast.erin, "/admin/campaigns/new", {"name": "S", "slug": "s", field: moment})
        assert page.status_code == 422, page.text
        challenge = {"title": "C", "kind": "individual", "measure": "shares", "target": "1"}
        window = {"starts_at": "2026-01-01T00:00", "ends_at": "2026-02-01T00:00"}
        page = submit(api, cast.erin, "/admin/challenges/new", {**challenge, **window, field: moment})
        assert page.status_code == 422, page.text
        assert "must be in the years 1900 to 2999" in page.text
    assert (count(api, Content), count(api, Campaign), count(api, Challenge)) == (0, 0, 0)


def test_a_stored_challenge_at_the_calendar_edges_breaks_no_page(api, cast):
    # Rows written before the bounds existed (or by hand) must not take the challenge pages down.
    with api.engine.transaction() as session:
        row = Challenge(
            title="Forever",
            kind="individual",
            measure="points",
            target=1,
            starts_at=datetime(1, 1, 1, tzinfo=UTC),
            ends_at=datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        )
        session.add(row)
        session.flush()
        challenge_id = row.id
    assert api.post(f"/api/v1/me/challenges/{challenge_id}/participation", cast.amir).status_code == 200
    for who, path in [
        (cast.amir, "/api/v1/me/challenges"),
        (cast.bea, "/api/v1/me/challenges"),
        (cast.amir, f"/api/v1/leaderboards?period=challenge:{challenge_id}"),
        (cast.erin, f"/api/v1/challenges/{challenge_id}"),
        (cast.erin, f"/api/v1/challenges/{challenge_id}/results"),
        (cast.erin, "/api/v1/challenges"),
        (cast.erin, f"/admin/challenges/{challenge_id}"),
        (cast.amir, "/widgets/challenges"),
    ]:
        response = api.get(path, who)
        assert response.status_code == 200, (path, response.text)


def test_leaderboard_periods_with_unicode_digits_or_far_months_are_refused(api, cast):
    for period in ("challenge:²", "challenge:٣", "challenge:99999999999999999999", "campaign:²", "campaign:٣"):
        api.problem(api.get(f"/api/v1/leaderboards?period={period}", cast.amir), 422, field="period")
    api.problem(api.get("/api/v1/leaderboards/employee-of-the-month?month=9999-12", cast.amir), 422, field="month")


def test_ids_beyond_32_bits_are_refused_not_overflowing(api, cast):
    # Found by nox -s fuzz: SQLite cannot bind an integer this large (OverflowError, a 500).
    response = api.get(
        "/api/v1/analytics/breakdown?by=ambassador&campaign_id=227343242058852293037831673765429248", cast.erin
    )
    api.problem(response, 400, field="campaign_id")


# -- Unicode digits ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_admin_number_fields_refuse_unicode_digits(api, cast, digits):
    for field in ("goal_shares", "goal_clicks", "goal_reach", "goal_participation"):
        page = submit(api, cast.erin, "/admin/campaigns/new", {"name": "S", "slug": "s", field: digits})
        assert page.status_code == 422, page.text
    content = {"title": "T", "url": "https://example.com", "edit_policy": "suggested", "origin": "official"}
    page = submit(api, cast.erin, "/admin/content/new", {**content, "campaign_id": digits})
    assert page.status_code == 422, page.text
    challenge = {"title": "C", "kind": "individual", "measure": "shares", "target": digits}
    window = {"starts_at": "2026-01-01T00:00", "ends_at": "2026-02-01T00:00"}
    page = submit(api, cast.erin, "/admin/challenges/new", {**challenge, **window})
    assert page.status_code == 422, page.text
    assert (count(api, Content), count(api, Campaign), count(api, Challenge)) == (0, 0, 0)


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_widget_settings_refuse_unicode_digits(api, cast, digits):
    for path in (f"/widgets/leaderboard?scope=campaign:{digits}", f"/widgets/feed?campaign_id={digits}"):
        response = api.get(path, cast.amir)
        assert response.status_code == 400, (path, response.text)


# -- NUL, invalid UTF-8, locales and networks ----------------------------------------------------------------------


def test_nul_characters_are_refused_on_every_database(api, cast):
    body = api.problem(
        api.post("/api/v1/content", cast.erin, {"title": "a\x00b", "url": "https://example.com"}), 422, field="title"
    )
    assert "NUL" in body["detail"]
    response = api.post("/api/v1/ambassadors", cast.ada, {"external_id": "zed", "name": "Z\x00"})
    api.problem(response, 422, field="name")
    page = submit(api, cast.erin, "/admin/campaigns/new", {"name": "S\x00", "slug": "s"})
    assert page.status_code == 422, page.text
    assert (count(api, Content), count(api, Campaign)) == (0, 0)


def test_invalid_utf8_is_refused_not_stored(api, cast):
    headers = {"content-type": "application/json"}
    bad = b'{"title": "caf\xe9", "url": "https://example.com"}'
    response = api.post("/api/v1/content", cast.erin, content=bad, headers=headers)
    api.problem(response, 400)
    form = b"csrf_token=" + csrf(api, cast.erin).encode() + b"&name=caf%E9&slug=s"
    page = api.request(
        "POST",
        "/admin/campaigns/new",
        cast.erin,
        content=form,
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert page.status_code in (400, 422), page.text
    assert (count(api, Content), count(api, Campaign)) == (0, 0)


@pytest.mark.parametrize("locale", ["zz-INVALID", "xx", "nl-XX", "zz"])
def test_unknown_locales_are_refused(api, cast, locale):
    body = api.problem(api.patch("/api/v1/me", cast.amir, {"locale": locale}), 422, field="locale")
    assert "unknown locale" in body["detail"]
    response = api.post("/api/v1/ambassadors", cast.ada, {"external_id": "zed", "name": "Zed", "locale": locale})
    api.problem(response, 422, field="locale")


def test_content_in_unknown_languages_is_refused(api, cast):
    body = {"title": "T", "url": "https://example.com", "language": "zz-INVALID"}
    api.problem(api.post("/api/v1/content", cast.erin, body), 422, field="language")
    content = api.create_content(cast.erin, language="nl-BE")
    api.problem(api.patch(f"/api/v1/content/{content['id']}", cast.erin, {"language": "xx"}), 422, field="language")
    form = {"title": "T", "url": "https://example.com", "edit_policy": "suggested", "origin": "official"}
    page = submit(api, cast.erin, "/admin/content/new", {**form, "language": "zz-INVALID"})
    assert page.status_code == 422, page.text


@pytest.mark.parametrize("locale", ["en", "nl", "nl-BE", "pt-BR", "zh-Hant", "fr"])
def test_real_locales_are_taken(api, cast, locale):
    response = api.patch("/api/v1/me", cast.amir, {"locale": locale})
    assert response.status_code == 200, response.text


def test_unknown_networks_are_refused(api, cast):
    api.problem(api.post("/api/v1/me/accounts", cast.amir, {"network": "myspace", "handle": "me"}), 422)
    window = {"starts_at": (NOW - timedelta(days=1)).isoformat(), "ends_at": (NOW + timedelta(days=1)).isoformat()}
    challenge = {"title": "C", "kind": "individual", "measure": "shares", "target": 1, **window}
    response = api.post("/api/v1/challenges", cast.erin, {**challenge, "network": "myspace"})
    api.problem(response, 422, field="network")
    response = api.post(
        "/api/v1/content",
        cast.erin,
        {"title": "T", "url": "https://example.com", "share_texts": [{"network": "myspace", "text": "Hi"}]},
    )
    api.problem(response, 422)


# -- CSV imports ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csv_text", "words"),
    [
        ('external_id,name\nok1,Fine\n"A,,,,,,\nok2,Also fine\n', "line 3 is not valid CSV"),
        ("external_id,name,name\nok1,Fine,Fine\n", "names a column twice: name"),
        ("external_id,name\nok1,Fi\x00ne\n", "NUL"),
    ],
)
def test_broken_ambassador_csv_is_refused_with_its_line(api, cast, csv_text, words):
    assert cast.ada
    before = count(api, Ambassador)
    page = submit(api, cast.ada, "/admin/ambassadors/import", {"csv_text": csv_text}, files={"file": ("", b"")})
    assert page.status_code == 422, page.text
    assert words in page.text
    assert count(api, Ambassador) == before


def test_ambassador_csv_with_unknown_locales_is_refused(api, cast):
    csv_text = "external_id,name,locale\nzed,Zed,zz-INVALID\n"
    page = submit(api, cast.ada, "/admin/ambassadors/import", {"csv_text": csv_text}, files={"file": ("", b"")})
    assert page.status_code == 422, page.text
    assert "line 2" in page.text


def upload(api, who, text: str | bytes) -> Any:
    content = text.encode() if isinstance(text, str) else text
    return api.post("/api/v1/metrics/import", who, content=content, headers={"content-type": "text/csv"})


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("{share},impressions,10,0001-01-01T00:00:00+05:00", "observed_at", "years 1900 to 2999"),
        ("{share},impressions,10,1899-12-31", "observed_at", "years 1900 to 2999"),
        ("{share},impressions,²,2026-11-20", "value", "not a whole number"),
        ("²,impressions,10,2026-11-20", "share", "no share"),
    ],
)
def test_metric_import_rows_at_the_edges_are_refused(api, cast, linkedin_share, row, column, words):
    response = upload(api, cast.ada, "share,metric,value,observed_at\n" + row.format(share=linkedin_share["id"]) + "\n")
    body = api.problem(response, 422)
    [problem] = body["errors"]
    assert (problem["line"], problem["column"]) == (2, column)
    assert words in problem["message"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('share,metric,value,observed_at\n{share},impressions,10,2026-11-20\n"A,,,\n', "line 3 is not valid CSV"),
        ("share,metric,value,share\n{share},impressions,10,2026-11-20\n", "names a column twice"),
        (b"share,metric,value,observed_at\n{share},impr\xe9ssions,10,2026-11-20\n", "not UTF-8"),
        ("share,metric,value,observed_at\n{share},impressions,10,2026-11-20\x00\n", "NUL"),
    ],
)
def test_broken_metric_files_are_refused(api, cast, linkedin_share, text, words):
    share = str(linkedin_share["id"])
    content = text.replace(b"{share}", share.encode()) if isinstance(text, bytes) else text.format(share=share)
    body = api.problem(upload(api, cast.ada, content), 422)
    assert words in body["detail"]


def test_a_stored_campaign_and_content_at_the_calendar_edges_break_no_page(api, cast):
    campaign = api.create_campaign(cast.erin)
    content = api.approved_content(cast.erin, campaign_id=campaign["id"])
    with api.engine.transaction() as session:
        row = session.get(Campaign, campaign["id"])
        row.starts_at, row.ends_at = datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
        item = session.get(Content, content["id"])
        item.publish_at, item.expires_at = datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    for who, path in [
        (cast.erin, f"/api/v1/campaigns/{campaign['id']}"),
        (cast.erin, f"/admin/campaigns/{campaign['id']}"),
        (cast.erin, f"/admin/content/{content['id']}"),
        (cast.erin, f"/api/v1/analytics/campaigns/{campaign['id']}"),
        (cast.erin, f"/admin/analytics/campaigns/{campaign['id']}"),
        (cast.erin, "/admin/analytics/"),
        (cast.erin, "/admin/campaigns"),
        (cast.amir, f"/api/v1/leaderboards?period=campaign:{campaign['id']}"),
        (cast.amir, "/api/v1/me/feed"),
        (cast.amir, f"/widgets/campaign?campaign_id={campaign['id']}"),
        (cast.amir, "/widgets/feed"),
    ]:
        response = api.get(path, who)
        assert response.status_code == 200, (path, response.text[:500])
