"""The editor and admin UI at /admin: every page and form through the test client, roles and bad input."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from clarion.models import AdvocacyLevel, Ambassador, Campaign, Content, ContentAudience, ContentStatus, Role, ShareText
from clarion.testing import Person
from clarion.tokens import mint_token
from clarion.web.admin.forms import admin_csrf_token
from clarion.web.app import create_app

EDITOR_PAGES = [
    "/admin",
    "/admin/content",
    "/admin/content/new",
    "/admin/review",
    "/admin/campaigns",
    "/admin/campaigns/new",
    "/admin/challenges",
    "/admin/challenges/new",
    "/admin/analytics",
]
ADMIN_PAGES = [
    "/admin/ambassadors",
    "/admin/ambassadors/import",
    "/admin/settings",
    "/admin/guidelines",
    "/admin/sessions",
]


# Every route of the admin UI and the lowest role that may use it (a meta-test keeps this complete).
ADMIN_ROUTES = {
    ("GET", "/admin/signin"): "public",
    ("POST", "/admin/signin"): "public",
    ("POST", "/admin/signout"): "editor",
    ("POST", "/admin/language"): "editor",
    ("GET", "/admin"): "editor",
    ("GET", "/admin/content"): "editor",
    ("GET", "/admin/content/new"): "editor",
    ("POST", "/admin/content/new"): "editor",
    ("GET", "/admin/content/{content_id}"): "editor",
    ("POST", "/admin/content/{content_id}"): "editor",
    ("POST", "/admin/content/{content_id}/transition"): "editor",
    ("GET", "/admin/review"): "editor",
    ("GET", "/admin/campaigns"): "editor",
    ("GET", "/admin/campaigns/new"): "editor",
    ("POST", "/admin/campaigns/new"): "editor",
    ("GET", "/admin/campaigns/{campaign_id}"): "editor",
    ("POST", "/admin/campaigns/{campaign_id}"): "editor",
    ("GET", "/admin/challenges"): "editor",
    ("GET", "/admin/challenges/new"): "editor",
    ("POST", "/admin/challenges/new"): "editor",
    ("GET", "/admin/challenges/{challenge_id}"): "editor",
    ("POST", "/admin/challenges/{challenge_id}"): "editor",
    ("POST", "/admin/challenges/{challenge_id}/archive"): "editor",
    ("GET", "/admin/ambassadors"): "admin",
    ("GET", "/admin/ambassadors/{ambassador_id}"): "admin",
    ("POST", "/admin/ambassadors/{ambassador_id}"): "admin",
    ("GET", "/admin/ambassadors/import"): "admin",
    ("POST", "/admin/ambassadors/import"): "admin",
    ("GET", "/admin/metrics-import"): "admin",
    ("POST", "/admin/metrics-import"): "admin",
    ("GET", "/admin/personal-data"): "admin",
    ("GET", "/admin/personal-data/{ambassador_id}/erase"): "admin",
    ("POST", "/admin/personal-data/{ambassador_id}/erase"): "admin",
    ("GET", "/admin/settings"): "admin",
    ("GET", "/admin/guidelines"): "admin",
    ("POST", "/admin/guidelines"): "admin",
    ("GET", "/admin/audit"): "admin",
    ("GET", "/admin/audit/export.csv"): "admin",
    ("GET", "/admin/analytics"): "editor",
    ("GET", "/admin/analytics/campaigns/{campaign_id}"): "editor",
    ("GET", "/admin/analytics/teams/{team:str}"): "editor",
    ("GET", "/admin/analytics/networks/{network:str}"): "editor",
    ("GET", "/admin/analytics/content/{content_id}"): "editor",
    ("GET", "/admin/sessions"): "admin",
    ("POST", "/admin/sessions/{person_id}/{session_id:str}/end"): "admin",
    ("POST", "/admin/sessions/{person_id}/end"): "admin",
}


def test_every_admin_route_is_listed_with_its_role(api):
    found = {
        (method, route.path.replace(":int", "")): handler.opt["role"]
        for route in api.app.routes
        if route.path.startswith("/admin")
        for handler in getattr(route, "route_handlers", [])
        for method in handler.http_methods
        if method != "OPTIONS"
    }
    assert found == ADMIN_ROUTES


@pytest.mark.parametrize(("method", "path"), [key for key, role in ADMIN_ROUTES.items() if role != "public"])
def test_every_protected_admin_route_refuses_ambassadors_and_strangers(api, cast, method, path):
    concrete = re.sub(r"\{\w+\}", str(cast.bea.id), path)
    anonymous = api.request(method, concrete, follow_redirects=False)
    assert anonymous.status_code in {303, 401, 403}
    if method == "GET":
        assert anonymous.headers["location"] == "/admin/signin"
    refused = api.request(
        method, concrete, cast.amir, data={"csrf_token": csrf(api, cast.amir)}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert "Traceback" not in refused.text


def csrf(api: Any, who: Person) -> str:
    return admin_csrf_token(api.engine.settings.secret_key, who.external_id)


def submit(api: Any, who: Person, url: str, fields: dict[str, Any], **kwargs: Any) -> Any:
    return api.request(
        "POST", url, who, data={"csrf_token": csrf(api, who), **fields}, follow_redirects=False, **kwargs
    )


def content_form(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Our new office",
        "url": "https://example.com/office",
        "summary": "We moved.",
        "language": "en",
        "edit_policy": "suggested",
        "origin": "official",
        "topics": "Office, news",
        "teams": "Sales, Support",
        "departments": "",
        "locales": "",
        "text_linkedin": "Proud of our new office!\n---\nCome visit us.",
        "text_x": "New office #hq",
        "publish_at": "2026-01-01T09:00",
        "expires_at": "",
        **overrides,
    }


def rows(api: Any, model: Any) -> list[Any]:
    with api.engine.transaction() as session:
        return list(session.exec(select(model)).all())


@pytest.mark.parametrize("page", EDITOR_PAGES + ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(api, page):
    response = api.get(page, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/signin"


@pytest.mark.parametrize("page", EDITOR_PAGES + ADMIN_PAGES)
def test_ambassadors_get_403(api, cast, page):
    response = api.get(page, cast.amir)
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "Not allowed" in response.text


@pytest.mark.parametrize("page", EDITOR_PAGES)
def test_editors_reach_editor_pages_but_not_admin_ones(api, cast, page):
    response = api.get(page, cast.erin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert 'href="/admin/ambassadors"' not in response.text  # the navigation shows what the role allows
    for admin_page in ADMIN_PAGES:
        assert api.get(admin_page, cast.erin).status_code == 403


@pytest.mark.parametrize("page", EDITOR_PAGES + ADMIN_PAGES)
def test_admins_reach_every_page(api, cast, page):
    response = api.get(page, cast.ada)
    assert response.status_code == 200, response.text
    assert 'href="/admin/ambassadors"' in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_dashboard_links_the_analytics_dashboards(api, cast):
    page = api.get("/admin", cast.erin).text
    assert "not part of this admin yet" not in page
    assert '<a href="/admin/analytics">Open the analytics dashboards</a>' in page


# -- sign-in ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def browser(api):
    """A client of its own, keeping cookies as a browser does."""
    with TestClient(create_app(engine=api.engine)) as client:
        yield client


def exchange_token(api: Any, who: Person) -> str:
    return mint_token(api.engine.settings.secret_key, who.external_id, ttl_seconds=300, jti=secrets.token_urlsafe(12))


def page_csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_sign_in_with_an_intranet_token_sets_the_session_cookie(api, cast, browser):
    response = browser.post("/admin/signin", data={"token": exchange_token(api, cast.erin)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/admin"
    assert "clarion_session=cws." in response.headers["set-cookie"]
    assert "HttpOnly" in response.headers["set-cookie"]
    page = browser.get("/admin/content")
    assert page.status_code == 200
    assert "Erin" in page.text
    token = page_csrf(page.text)
    assert token != csrf(api, cast.erin)  # the session's own token, not one derived from the person
    # A cookie-borne form needs the form's CSRF token; the cookie alone changes nothing.
    refused = browser.post("/admin/campaigns/new", data={"name": "X", "slug": "x"}, follow_redirects=False)
    assert refused.status_code == 403
    assert rows(api, Campaign) == []
    accepted = browser.post(
        "/admin/campaigns/new",
        data={"name": "X", "slug": "x", "csrf_token": token},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    foreign = browser.post(
        "/admin/campaigns/new",
        data={"name": "Y", "slug": "y", "csrf_token": token},
        headers={"origin": "http://evil.test"},
        follow_redirects=False,
    )
    assert foreign.status_code == 403
    assert [campaign.slug for campaign in rows(api, Campaign)] == ["x"]
    out = browser.post("/admin/signout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert browser.get("/admin", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    ("token", "words"), [("", "paste the sign-in token"), ("not-a-token", "token"), ("reuse", "already used")]
)
def test_a_bad_sign_in_shows_the_form_again(api, cast, browser, token, words):
    if token == "reuse":
        token = exchange_token(api, cast.erin)
        assert browser.post("/admin/signin", data={"token": token}, follow_redirects=False).status_code == 303
        browser.cookies.clear()
    response = browser.post("/admin/signin", data={"token": token}, follow_redirects=False)
    assert 400 <= response.status_code < 500
    assert words in response.text
    assert 'name="token"' in response.text
    assert "set-cookie" not in response.headers


def test_ambassadors_cannot_sign_in_to_the_admin(api, cast, browser):
    response = browser.post("/admin/signin", data={"token": exchange_token(api, cast.amir)}, follow_redirects=False)
    assert response.status_code == 403
    assert "needs the editor role" in response.text
    assert "set-cookie" not in response.headers


def test_demo_sign_in_page_offers_the_demo_people(api_factory, browser):
    demo = api_factory(demo=True)
    admin = demo.person("demo-admin", Role.ADMIN, name="Dana Admin")
    page = demo.get("/admin/signin")
    assert "Sign in as Dana Admin (admin)" in page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    with TestClient(create_app(engine=demo.engine)) as client:
        assert client.post("/admin/signin", data={"token": token.group(1)}, follow_redirects=False).status_code == 303
        assert "Dana Admin" in client.get("/admin").text
    assert admin.role is Role.ADMIN


# -- content --------------------------------------------------------------------------------------------------------


def test_editor_creates_content_with_texts_targeting_and_schedule(api, cast):
    campaign = api.create_campaign(cast.erin)
    response = submit(
        api, cast.erin, "/admin/content/new", content_form(campaign_id=str(campaign["id"]), featured="on")
    )
    assert response.status_code == 303, response.text
    [content] = rows(api, Content)
    assert response.headers["location"] == f"/admin/content/{content.id}?saved=1"
    assert (content.title, content.status, content.featured, content.campaign_id) == (
        "Our new office",
        ContentStatus.DRAFT,
        True,
        campaign["id"],
    )
    assert content.publish_at is not None
    assert content.publish_at.isoformat() == "2026-01-01T09:00:00+00:00"
    assert sorted((text.network, text.text) for text in rows(api, ShareText)) == [
        ("linkedin", "Come visit us."),
        ("linkedin", "Proud of our new office!"),
        ("x", "New office #hq"),
    ]
    assert sorted(row.value for row in rows(api, ContentAudience)) == ["Sales", "Support"]
    page = api.get(f"/admin/content/{content.id}?saved=1", cast.erin)
    assert "Saved." in page.text
    assert "Proud of our new office!\n---\nCome visit us." in page.text


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"title": ""}, "title", "title is required"),
        ({"url": "ftp://example.com"}, "url", "absolute http(s) URL"),
        ({"publish_at": "tomorrow"}, "publish_at", "must be a date and time"),
        ({"expires_at": "2025-12-31T00:00"}, "expires_at", "expires_at must be after publish_at"),
        ({"edit_policy": "anything"}, "edit_policy", "edit policy must be one of"),
        ({"campaign_id": "999"}, "campaign_id", "999"),
        ({"campaign_id": "abc"}, "campaign_id", "not a valid choice"),
    ],
)
def test_bad_content_shows_the_form_again_and_saves_nothing(api, cast, overrides, field, words):
    response = submit(api, cast.erin, "/admin/content/new", content_form(**overrides))
    assert response.status_code == 422, response.text
    assert words in response.text
    assert 'role="alert"' in response.text
    assert f'id="f-{field}"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="Our new office"' in response.text or field == "title"  # what was typed survives
    assert rows(api, Content) == []


def test_forms_without_the_csrf_token_change_nothing(api, cast):
    response = api.request("POST", "/admin/content/new", cast.erin, data=content_form(), follow_redirects=False)
    assert response.status_code == 403
    assert "reload the page" in response.text
    assert rows(api, Content) == []


def test_edit_and_lifecycle_from_the_content_page(api, cast):
    content = api.create_content(cast.erin, title="First")
    response = submit(api, cast.erin, f"/admin/content/{content['id']}", content_form(title="Renamed", teams=""))
    assert response.status_code == 303, response.text
    [row] = rows(api, Content)
    assert row.title == "Renamed"
    for action in ("submit", "approve", "archive", "reopen"):
        moved = submit(api, cast.erin, f"/admin/content/{content['id']}/transition", {"action": action})
        assert moved.status_code == 303, moved.text
    assert rows(api, Content)[0].status is ContentStatus.DRAFT
    wrong = submit(api, cast.erin, f"/admin/content/{content['id']}/transition", {"action": "approve"})
    assert wrong.status_code == 409
    assert "cannot approve content that is draft" in wrong.text


def test_content_list_filters(api, cast):
    api.approved_content(cast.erin, title="Shown", topics=["jobs"])
    api.create_content(cast.erin, title="Hidden draft")
    page = api.get("/admin/content?status=approved&topic=jobs", cast.erin).text
    assert "Shown" in page
    assert "Hidden draft" not in page
    assert api.get("/admin/content?status=nonsense", cast.erin).status_code == 400
    assert api.get("/admin/content/99999", cast.erin).status_code == 404


def test_filters_left_on_any_filter_nothing(api, cast):
    """The list forms send every dropdown, so "Any" arrives as an empty value: no filter, never a 400."""
    api.approved_content(cast.erin, title="Shown", topics=["jobs"])
    api.create_content(cast.erin, title="Also shown")
    content = api.get("/admin/content?status=&origin=&campaign=&topic=", cast.erin)
    assert content.status_code == 200
    assert "Shown" in content.text
    assert "Also shown" in content.text
    assert api.get("/admin/content?status=approved&origin=&campaign=", cast.erin).status_code == 200
    people = api.get("/admin/ambassadors?search=&role=", cast.ada)
    assert people.status_code == 200
    assert people.text.count("/admin/ambassadors/") >= 2  # erin and ada both listed


# -- review queue ---------------------------------------------------------------------------------------------------


def test_review_queue_approve_reject_and_request_changes(api, cast):
    ids = [api.create_content(cast.amir, title=f"Idea {n}", origin="curated")["id"] for n in range(3)]
    for content_id in ids:
        api.moved(cast.amir, content_id, "submit")
    queue = api.get("/admin/review", cast.erin).text
    assert all(f"Idea {n}" in queue for n in range(3))
    assert "by Amir" in queue
    url = "/admin/content/{}/transition"
    assert submit(api, cast.erin, url.format(ids[0]), {"action": "approve", "back": "review"}).status_code == 303
    missing_note = submit(api, cast.erin, url.format(ids[1]), {"action": "reject", "back": "review", "note": " "})
    assert missing_note.status_code == 422
    assert "reject needs a note" in missing_note.text
    assert "Idea 1" in missing_note.text  # the queue again, with the item still in it
    assert (
        submit(
            api, cast.erin, url.format(ids[1]), {"action": "reject", "back": "review", "note": "Off topic"}
        ).status_code
        == 303
    )
    changes = submit(
        api, cast.erin, url.format(ids[2]), {"action": "request_changes", "back": "review", "note": "Add a text"}
    )
    assert changes.headers["location"] == "/admin/review?done=request_changes"
    statuses = {row.id: (row.status, row.status_note) for row in rows(api, Content)}
    assert statuses == {
        ids[0]: (ContentStatus.APPROVED, None),
        ids[1]: (ContentStatus.REJECTED, "Off topic"),
        ids[2]: (ContentStatus.CHANGES_REQUESTED, "Add a text"),
    }
    assert "Nothing waits for review." in api.get("/admin/review", cast.erin).text


def test_ambassadors_cannot_use_review_forms(api, cast):
    content = api.create_content(cast.amir, origin="curated")
    api.moved(cast.amir, content["id"], "submit")
    response = submit(api, cast.amir, f"/admin/content/{content['id']}/transition", {"action": "approve"})
    assert response.status_code == 403
    assert rows(api, Content)[0].status is ContentStatus.SUBMITTED


# -- campaigns ------------------------------------------------------------------------------------------------------


def test_campaigns_create_and_edit_with_goals(api, cast):
    form = {"name": "Spring", "slug": "spring", "goal_shares": "100", "goal_clicks": "", "hashtags": "#go, team"}
    created = submit(api, cast.erin, "/admin/campaigns/new", form)
    assert created.status_code == 303, created.text
    [campaign] = rows(api, Campaign)
    assert (campaign.goal_shares, campaign.goal_clicks, campaign.hashtags) == (100, None, ["go", "team"])
    edited = submit(api, cast.erin, f"/admin/campaigns/{campaign.id}", {**form, "goal_reach": "5000", "ends_at": ""})
    assert edited.status_code == 303
    assert rows(api, Campaign)[0].goal_reach == 5000
    assert "100 shares" in api.get("/admin/campaigns", cast.erin).text


def test_campaign_participation_goal_in_the_form(api, cast):
    form = {"name": "Spring", "slug": "spring", "goal_participation": "35"}
    assert submit(api, cast.erin, "/admin/campaigns/new", form).status_code == 303
    [campaign] = rows(api, Campaign)
    assert campaign.goal_participation == 35
    page = api.get(f"/admin/campaigns/{campaign.id}", cast.erin).text
    assert 'name="goal_participation" type="number" value="35"' in page
    assert "never for one person" in page
    assert "35% participation" in api.get("/admin/campaigns", cast.erin).text
    refused = submit(api, cast.erin, f"/admin/campaigns/{campaign.id}", {**form, "goal_participation": "101"})
    assert refused.status_code == 422
    assert "whole percentage from 0 to 100" in refused.text
    assert rows(api, Campaign)[0].goal_participation == 35
    assert (
        submit(api, cast.erin, f"/admin/campaigns/{campaign.id}", {**form, "goal_participation": ""}).status_code == 303
    )
    assert rows(api, Campaign)[0].goal_participation is None


@pytest.mark.parametrize(
    ("fields", "status", "words"),
    [
        ({"name": "A", "slug": "Not A Slug"}, 422, "slug uses lower-case"),
        ({"name": "A", "slug": "a", "goal_shares": "-3"}, 422, "whole number"),
        ({"name": "A", "slug": "a", "starts_at": "2026-02-01T00:00", "ends_at": "2026-01-01T00:00"}, 422, "after"),
        ({"name": "", "slug": "a"}, 422, "name is required"),
        ({"name": "Dup", "slug": "taken"}, 409, "already exists"),
    ],
)
def test_bad_campaigns_show_the_form_again(api, cast, fields, status, words):
    api.create_campaign(cast.erin, name="Taken", slug="taken")
    response = submit(api, cast.erin, "/admin/campaigns/new", fields)
    assert response.status_code == status, response.text
    assert words in response.text
    assert len(rows(api, Campaign)) == 1


# -- ambassadors ----------------------------------------------------------------------------------------------------


def test_admin_sets_role_and_level_by_hand(api, cast):
    form = {"name": "Amir", "email": "amir@example.com", "team": "Sales", "locale": "nl", "role": "editor"}
    response = submit(api, cast.ada, f"/admin/ambassadors/{cast.amir.id}", {**form, "advocacy_level": "production"})
    assert response.status_code == 303, response.text
    with api.engine.transaction() as session:
        amir = session.get(Ambassador, cast.amir.id)
        assert (amir.role, amir.advocacy_level, amir.team) == (Role.EDITOR, AdvocacyLevel.PRODUCTION, "Sales")
    bad = submit(api, cast.ada, f"/admin/ambassadors/{cast.amir.id}", {**form, "advocacy_level": "guru"})
    assert bad.status_code == 422
    assert "advocacy level must be one of" in bad.text
    bad_email = submit(
        api, cast.ada, f"/admin/ambassadors/{cast.amir.id}", {**form, "email": "nope", "advocacy_level": "curation"}
    )
    assert bad_email.status_code == 422
    assert "e-mail address" in bad_email.text


def test_editors_cannot_change_people(api, cast):
    form = {"name": "Amir", "role": "admin", "advocacy_level": "production"}
    assert submit(api, cast.erin, f"/admin/ambassadors/{cast.amir.id}", form).status_code == 403
    upload = submit(api, cast.erin, "/admin/ambassadors/import", {"csv_text": "external_id,name\nx,X\n"})
    assert upload.status_code == 403
    assert {person.external_id for person in rows(api, Ambassador)} == {"amir", "erin"}


def test_csv_import_invites_everyone_at_once(api, cast):
    csv_text = "external_id,name,email,team,role,advocacy_level\nzoe,Zoe,zoe@example.com,Sales,,\nyan,Yan,,Ops,editor,curation\n"
    response = submit(
        api, cast.ada, "/admin/ambassadors/import", {}, files={"file": ("people.csv", csv_text.encode(), "text/csv")}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/admin/ambassadors?imported=2"
    people = {person.external_id: person for person in rows(api, Ambassador)}
    assert people["zoe"].role is Role.AMBASSADOR
    assert people["zoe"].opted_in_at is None
    assert (people["yan"].role, people["yan"].advocacy_level) == (Role.EDITOR, AdvocacyLevel.CURATION)
    assert "Imported 2 people." in api.get(response.headers["location"], cast.ada).text


@pytest.mark.parametrize(
    ("csv_text", "problems"),
    [
        ("", ["choose a CSV file or paste its lines"]),
        ("name,colour\nA,red\n", ["unknown columns colour", "missing columns external_id"]),
        ("external_id,name\n", ["header but no rows"]),
        (
            "external_id,name,role,email\nnew1,New,,\n,Nameless,,\nnew2,,,\nnew3,N3,boss,\nnew1,Again,,\nada,Ada,,\nnew4,N4,,bad\n",
            [
                "line 3: external id is required",
                "line 4: name is required",
                "line 5: role must be one of",
                "line 6: external_id 'new1' repeats line 2",
            ],
        ),
        (
            "external_id,name\nada,Ada again\nnew9,Fine\n",
            ["line 2: an ambassador with external_id 'ada' already exists"],
        ),
        ("external_id,name,email\nnew9,Fine,not-an-email\n", ["line 2: email must be an e-mail address"]),
    ],
)
def test_csv_import_is_all_or_nothing_with_every_problem_listed(api, cast, csv_text, problems):
    assert cast.ada.role is Role.ADMIN
    before = {person.external_id for person in rows(api, Ambassador)}
    response = submit(
        api, cast.ada, "/admin/ambassadors/import", {"csv_text": csv_text}, files={"file": ("", b"", "text/csv")}
    )
    assert response.status_code == 422, response.text
    assert "Nothing was imported" in response.text
    for problem in problems:
        assert problem.replace("'", "&#39;") in response.text, problem
    assert {person.external_id for person in rows(api, Ambassador)} == before


def test_csv_import_refuses_files_that_are_not_utf8(api, cast):
    response = submit(
        api,
        cast.ada,
        "/admin/ambassadors/import",
        {},
        files={"file": ("p.csv", "external_id,name\nx,Zoë\n".encode("latin-1"), "text/csv")},
    )
    assert response.status_code == 422
    assert "not UTF-8" in response.text


# -- programme, language, escaping ---------------------------------------------------------------------------------


def test_programme_page_shows_guidelines_and_plugins(api, cast):
    page = api.get("/admin/settings", cast.ada).text
    assert "Social media guidelines version" in page
    assert api.engine.settings.guidelines_version in page
    for record in api.engine.pm.describe():
        assert record.name in page


def test_the_admin_speaks_dutch_to_dutch_editors(api, cast):
    dutch = api.person("daan", Role.EDITOR, locale="nl-BE")
    page = api.get("/admin/content/new", dutch).text
    assert '<html lang="nl">' in page
    assert "Nieuwe inhoud" in page
    assert "Suggested texts per network" not in page


def test_everything_typed_is_escaped(api, cast):
    api.create_content(cast.erin, title="<script>alert(1)</script>")
    page = api.get("/admin/content", cast.erin).text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_labels_and_forms_are_dutch_too(api, cast):
    dutch = api.person("daan", Role.EDITOR, locale="nl")
    api.approved_content(cast.erin, title="Klaar")
    page = api.get("/admin/content", dutch).text
    assert "goedgekeurd" in page  # the status label, from a macro
    assert "Inhoudsbibliotheek" in page
    bad = submit(api, dutch, "/admin/content/new", content_form(url="nope"))
    assert "Dit kon niet worden opgeslagen:" in bad.text


def test_long_lists_page_and_keep_their_filters(api, cast):
    with api.engine.transaction() as session:
        for number in range(30):
            session.add(Content(title=f"Item {number}", url="https://example.com/item", status=ContentStatus.APPROVED))
    first = api.get("/admin/content?status=approved", cast.erin).text
    assert "30 items" in first
    assert len(re.findall(r'href="/admin/content/\d+"', first)) == 25
    assert 'href="?status=approved&amp;offset=25"' in first
    second = api.get("/admin/content?status=approved&offset=25", cast.erin).text
    assert len(re.findall(r'href="/admin/content/\d+"', second)) == 5
    assert 'href="?status=approved&amp;offset=0"' in second
    assert api.get("/admin/content?offset=-1", cast.erin).status_code == 400


def test_the_intranets_trusted_proxy_signs_editors_in_without_a_token(api_factory):
    proxy = {"proxies": ["10.0.0.0/8"], "secret": "proxy-secret"}
    proxied = api_factory(plugin_config={"identity-trusted-header": proxy})
    tina = proxied.person("tina", Role.EDITOR, name="Tina Tester")
    headers = {"x-test-peer": "10.1.2.3", "x-clarion-user": "tina", "x-clarion-proxy-secret": "proxy-secret"}
    page = proxied.get("/admin/campaigns/new", headers=headers)
    assert page.status_code == 200
    assert "Tina Tester" in page.text
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page.text)
    assert token is not None
    form = {"name": "Proxy", "slug": "proxy"}
    refused = proxied.post("/admin/campaigns/new", data=form, headers=headers, follow_redirects=False)
    assert refused.status_code == 403  # the proxy vouches for every request, the browser's own too
    created = proxied.post(
        "/admin/campaigns/new", data={**form, "csrf_token": token.group(1)}, headers=headers, follow_redirects=False
    )
    assert created.status_code == 303
    spoofed = {**headers, "x-test-peer": "192.168.1.5"}
    assert proxied.get("/admin", headers=spoofed, follow_redirects=False).status_code == 303  # to the sign-in page
    assert tina.role is Role.EDITOR


def test_the_language_switch_changes_the_admin_language_for_this_browser(api, cast):
    dutch = api.person("dora", Role.EDITOR, locale="nl")
    assert "Inhoudsbibliotheek" in api.get("/admin/content", dutch).text
    switched = submit(api, dutch, "/admin/language", {"language": "en", "next": "/admin/content?status=draft"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/admin/content?status=draft"
    assert "clarion_admin_language=en" in switched.headers["set-cookie"]
    english = api.get("/admin/content", dutch, headers={"cookie": "clarion_admin_language=en"}).text
    assert "Content library" in english
    assert 'lang="en"' in english
    assert "Inhoudsbibliotheek" in api.get("/admin/content", cast.erin, headers={"cookie": "clarion_admin_language=nl"}).text
    assert submit(api, dutch, "/admin/language", {"language": "xx"}).status_code == 422
    away = submit(api, dutch, "/admin/language", {"language": "nl", "next": "https://evil.test/"})
    assert away.headers["location"] == "/admin"
    api.client.cookies.clear()  # the client is shared by the run
