"""Social media guidelines: published versions, safe rendering, re-acceptance, the admin page and the API."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from clarion.content import guidelines
from clarion.models import Ambassador, GuidelinesVersion
from clarion.testing import Person
from clarion.web.admin.forms import admin_csrf_token

TEXT = "- Share only what you like.\n- Say you work here.\n\nSee [the full text](https://intranet.example/guidelines)."


def publish(api: Any, who: Person, version: str = "2026-03", body: str = TEXT, **extra: Any) -> Any:
    return api.post("/api/v1/guidelines", who, {"version": version, "body": body, **extra})


def admin_form(api: Any, who: Person, **fields: Any) -> Any:
    data = {"csrf_token": admin_csrf_token(api.engine.settings.secret_key, who.external_id), **fields}
    return api.request("POST", "/admin/guidelines", who, data=data, follow_redirects=False)


def consent(api: Any, who: Person, version: str) -> Any:
    return api.post("/api/v1/me/consent", who, {"action": "opt_in", "guidelines_version": version})


def test_until_something_is_published_the_configured_version_is_in_force(api, cast):
    body = api.get("/api/v1/guidelines", cast.amir).json()
    assert body == {"version": "1", "html": None, "published_at": None}
    widget = api.get("/widgets/onboarding", api.person("newbie", opted_in=False)).text
    assert "Say that you work here when you post about us." in widget  # the built-in short list


def test_publishing_puts_the_new_text_in_force_and_asks_everyone_to_accept_again(api, cast):
    assert api.get("/api/v1/me", cast.amir).json()["profile"]["guidelines_version"] == "1"
    created = publish(api, cast.ada)
    assert created.status_code == 201, created.text
    assert created.json()["version"] == "2026-03"
    assert '<a href="https://intranet.example/guidelines" rel="noopener noreferrer">' in created.json()["html"]
    assert api.get("/api/v1/me", cast.amir).json()["current_guidelines_version"] == "2026-03"

    # Amir takes part under version 1: the onboarding widget shows the new text and asks him to accept it.
    widget = api.get("/widgets/onboarding", cast.amir).text
    assert "Our social media guidelines have changed (version 2026-03)" in widget
    assert "Share only what you like." in widget
    assert "Accept the new guidelines" in widget
    api.problem(consent(api, cast.amir, "1"), 422, field="guidelines_version", detail="version 2026-03")
    assert consent(api, cast.amir, "2026-03").status_code == 200
    assert "You are in, Amir" in api.get("/widgets/onboarding", cast.amir).text
    with api.engine.transaction() as session:
        amir = session.get(Ambassador, cast.amir.id)
        assert amir is not None
        assert amir.guidelines_version == "2026-03"
        assert amir.guidelines_accepted_at is not None


@pytest.mark.parametrize(
    ("version", "body", "status", "field"),
    [
        ("", TEXT, 422, "version"),
        ("with space", TEXT, 422, "version"),
        ("../../x", TEXT, 422, "version"),
        ("v" * 33, TEXT, 400, "version"),
        ("2026-03", "   ", 422, "body"),
        ("2026-03", "x" * 20_001, 400, "body"),
        ("1", TEXT, 409, "version"),  # the version in force
    ],
)
def test_bad_publications_are_refused_and_change_nothing(api, cast, version, body, status, field):
    api.problem(publish(api, cast.ada, version, body), status, field=field)
    with api.engine.transaction() as session:
        assert session.exec(select(GuidelinesVersion)).all() == []


def test_a_version_name_is_never_used_twice(api, cast):
    assert publish(api, cast.ada, "2026-03").status_code == 201
    assert publish(api, cast.ada, "2026-04").status_code == 201
    api.problem(publish(api, cast.ada, "2026-03"), 409, field="version", detail="published before")


def test_only_admins_publish_and_see_acceptance(api, cast):
    for who in (cast.amir, cast.erin):
        api.problem(publish(api, who), 403)
        api.problem(api.get("/api/v1/guidelines/acceptance", who), 403)
    api.problem(api.get("/api/v1/guidelines"), 401)
    api.problem(publish(api, None), 401)


def test_acceptance_counts_who_last_accepted_which_version(api, cast):
    cast.everyone()
    publish(api, cast.ada, "2026-03")
    consent(api, cast.bea, "2026-03")
    body = api.get("/api/v1/guidelines/acceptance", cast.ada).json()
    assert body["taking_part"] == 4
    versions = {row["version"]: (row["accepted"], row["in_force"]) for row in body["versions"]}
    assert versions == {"2026-03": (1, True), "1": (3, False)}


def test_markdown_is_rendered_without_any_script_or_raw_html(api, cast):
    hostile = (
        "<script>alert(1)</script>\n\n"
        '<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3))\n\n"
        "**fine** and <b>raw</b>"
    )
    html = str(guidelines.render(hostile))
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html  # shown as text, never a link
    assert "<strong>fine</strong>" in html
    assert "<b>" not in html


def test_admins_publish_from_the_admin_page(api, cast):
    page = api.get("/admin/guidelines", cast.ada).text
    assert "No guidelines have been published here yet" in page
    refused = admin_form(api, cast.ada, version="2026-03", body=TEXT)
    assert refused.status_code == 422
    assert "confirm that everyone taking part" in refused.text
    done = admin_form(api, cast.ada, version="2026-03", body=TEXT, confirm="yes")
    assert done.status_code == 303
    assert done.headers["location"] == "/admin/guidelines?saved=1"
    page = api.get("/admin/guidelines?saved=1", cast.ada).text
    assert "In force: version 2026-03" in page
    assert "Share only what you like." in page
    # The form starts from the text in force, so the next version is an edit of it.
    assert "- Share only what you like." in page
    assert "<dd>2026-03 · " in api.get("/admin/settings", cast.ada).text


def test_a_bad_admin_form_shows_the_message_and_keeps_the_text(api, cast):
    response = admin_form(api, cast.ada, version="no spaces please", body="Keep me", confirm="yes")
    assert response.status_code == 422
    assert "name the version" in response.text
    assert "Keep me" in response.text
    assert "Traceback" not in response.text
