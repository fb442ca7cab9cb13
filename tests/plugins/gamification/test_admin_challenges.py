"""The challenge pages of the admin UI: list, create, edit with progress, errors named by field, archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from clarion.testing import Person
from clarion.web.admin.forms import admin_csrf_token
from clarion_plugins.gamification.models import Challenge

NOW = datetime.now(UTC)
MOMENT = "%Y-%m-%dT%H:%M"


def csrf(api: Any, who: Person) -> str:
    return admin_csrf_token(api.engine.settings.secret_key, who.external_id)


def submit(api: Any, who: Person, url: str, fields: dict[str, Any]) -> Any:
    return api.request("POST", url, who, data={"csrf_token": csrf(api, who), **fields}, follow_redirects=False)


def challenge_form(**overrides: Any) -> dict[str, Any]:
    return {
        "title": "Share 3 job posts this month",
        "description": "Help us find colleagues.",
        "kind": "individual",
        "measure": "shares",
        "target": "3",
        "topic": "jobs",
        "campaign_id": "",
        "network": "",
        "starts_at": (NOW - timedelta(days=1)).strftime(MOMENT),
        "ends_at": (NOW + timedelta(days=20)).strftime(MOMENT),
        "reward": "Lunch with the hiring team",
        "image_url": "",
        **overrides,
    }


def stored(api: Any) -> list[Challenge]:
    with api.engine.transaction() as session:
        return list(session.exec(select(Challenge).order_by(Challenge.id)).all())


def test_editors_create_edit_follow_and_archive_a_challenge(api, cast):
    created = submit(api, cast.erin, "/admin/challenges/new", challenge_form())
    assert created.status_code == 303, created.text
    [challenge] = stored(api)
    assert created.headers["location"] == f"/admin/challenges/{challenge.id}?saved=1"
    assert (challenge.title, challenge.topic, challenge.target, challenge.reward) == (
        "Share 3 job posts this month",
        "jobs",
        3,
        "Lunch with the hiring team",
    )
    api.post(f"/api/v1/me/challenges/{challenge.id}/participation", cast.amir)
    page = api.get(f"/admin/challenges/{challenge.id}?saved=1", cast.erin)
    assert page.status_code == 200
    assert "Saved." in page.text
    assert "Amir" in page.text  # who joined, for the editor
    assert "Live until" in page.text
    listed = api.get("/admin/challenges", cast.erin).text
    assert "Share 3 job posts this month" in listed
    assert "Active" in listed
    changed = submit(api, cast.erin, f"/admin/challenges/{challenge.id}", challenge_form(target="4"))
    assert changed.status_code == 303
    assert stored(api)[0].target == 4
    archived = submit(api, cast.erin, f"/admin/challenges/{challenge.id}/archive", {})
    assert archived.headers["location"] == "/admin/challenges"
    assert stored(api)[0].archived_at is not None
    assert "Share 3 job posts this month" not in api.get("/admin/challenges", cast.erin).text


def test_bad_forms_come_back_with_the_field_named(api, cast):
    for overrides, field in (
        ({"target": "-3"}, "target"),
        ({"ends_at": (NOW - timedelta(days=5)).strftime(MOMENT)}, "ends_at"),
        ({"measure": "participation", "target": "50"}, "measure"),
        ({"measure": "nonsense"}, "measure"),
        ({"title": ""}, "title"),
    ):
        response = submit(api, cast.erin, "/admin/challenges/new", challenge_form(**overrides))
        assert response.status_code == 422, (overrides, response.status_code)
        assert f'id="f-{field}"' in response.text
        assert 'aria-invalid="true"' in response.text
    assert stored(api) == []


def test_forms_without_the_token_are_refused(api, cast):
    response = api.request("POST", "/admin/challenges/new", cast.erin, data=challenge_form(), follow_redirects=False)
    assert response.status_code == 403
    forged = api.request(
        "POST",
        "/admin/challenges/new",
        cast.erin,
        data={**challenge_form(), "csrf_token": csrf(api, cast.amir)},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert stored(api) == []


def test_saving_a_frozen_challenge_unchanged_but_for_its_title_works(api, cast):
    end = NOW - timedelta(days=30)
    body = {
        "title": "Last month",
        "kind": "individual",
        "measure": "shares",
        "target": 1,
        "starts_at": (end - timedelta(days=30, seconds=17)).isoformat(),
        "ends_at": end.isoformat(),
    }
    created = api.post("/api/v1/challenges", cast.erin, body).json()
    assert api.get(f"/api/v1/challenges/{created['id']}/results", cast.erin).json()["frozen"] is True
    page = api.get(f"/admin/challenges/{created['id']}", cast.erin)
    assert "Final since" in page.text
    form = challenge_form(
        title="Last month, renamed",
        topic="",
        reward="",
        description="",
        starts_at=(end - timedelta(days=30, seconds=17)).strftime(MOMENT),
        ends_at=end.strftime(MOMENT),
        target="1",
    )
    assert submit(api, cast.erin, f"/admin/challenges/{created['id']}", form).status_code == 303
    assert stored(api)[0].title == "Last month, renamed"
    refused = submit(api, cast.erin, f"/admin/challenges/{created['id']}", {**form, "target": "2"})
    assert refused.status_code == 409
    assert "frozen" in refused.text
