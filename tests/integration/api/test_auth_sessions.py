"""Server-side sessions, per-session CSRF tokens and the CSRF check no header skips (issue 13 probes)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlmodel import select

from clarion.ambassadors.widget_sessions import CSRF_HEADER, summarise_user_agent
from clarion.models import Ambassador, AuditEntry, AuthSession
from clarion.testing import Person
from clarion.tokens import mint_token
from clarion.web.admin.forms import admin_csrf_token
from clarion.web.app import create_app

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
OPT_IN = {"action": "opt_in", "guidelines_version": "1"}


def identity_token(api: Any, who: Person) -> str:
    return mint_token(api.engine.settings.secret_key, who.external_id, ttl_seconds=300, jti=secrets.token_urlsafe(12))


@pytest.fixture
def browsers(api: Any) -> Iterator[Any]:
    """``browsers()`` → a new client keeping its own cookies, as a separate browser does."""
    clients: list[TestClient[Any]] = []

    def new() -> TestClient[Any]:
        client: TestClient[Any] = TestClient(create_app(engine=api.engine))
        client.__enter__()
        clients.append(client)
        return client

    yield new
    for client in clients:
        client.__exit__(None, None, None)


def newcomer(api: Any) -> Person:
    return api.person("nina", opted_in=False)


def admin_sign_in(api: Any, browser: TestClient[Any], who: Person) -> str:
    """Sign ``who`` in to /admin; the CSRF token of the session's forms."""
    response = browser.post(
        "/admin/signin",
        data={"token": identity_token(api, who)},
        headers={"user-agent": FIREFOX},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', browser.get("/admin").text)
    assert found is not None
    return found.group(1)


def sessions_of(api: Any, who: Person) -> list[AuthSession]:
    with api.engine.transaction() as session:
        return list(session.exec(select(AuthSession).where(AuthSession.ambassador_id == who.id)).all())


def test_sign_out_ends_the_session_so_a_copied_cookie_opens_nothing(api, cast, browsers):
    browser = browsers()
    token = admin_sign_in(api, browser, cast.erin)
    copied = browser.cookies.get("clarion_session")
    (row,) = sessions_of(api, cast.erin)
    assert (row.kind, row.user_agent, row.ended_at) == ("admin", "Firefox on Windows", None)
    assert browser.post("/admin/signout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    thief = browsers()
    thief.cookies.set("clarion_session", copied)
    response = thief.get("/admin", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/admin/signin")
    (row,) = sessions_of(api, cast.erin)
    assert row.ended_at is not None


def test_every_session_has_its_own_csrf_token_and_not_the_persons(api, cast, browsers):
    first, second = browsers(), browsers()
    token_one, token_two = admin_sign_in(api, first, cast.erin), admin_sign_in(api, second, cast.erin)
    assert token_one != token_two
    refused = first.post("/admin/campaigns/new", data={"name": "X", "slug": "x", "csrf_token": token_two})
    assert refused.status_code == 403
    accepted = first.post(
        "/admin/campaigns/new", data={"name": "X", "slug": "x", "csrf_token": token_one}, follow_redirects=False
    )
    assert accepted.status_code == 303


def test_sign_out_everywhere_ends_every_session_of_the_person_and_is_audited(api, cast, browsers):
    laptop, phone = browsers(), browsers()
    token = admin_sign_in(api, laptop, cast.erin)
    admin_sign_in(api, phone, cast.erin)
    widget = api.post("/api/v1/sessions", json={"token": identity_token(api, cast.erin)}).json()
    bearer = {"authorization": f"Bearer {widget['session_token']}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 200
    response = laptop.post("/admin/signout", data={"csrf_token": token, "everywhere": "1"}, follow_redirects=False)
    assert response.status_code == 303
    assert phone.get("/admin", follow_redirects=False).status_code == 303
    api.problem(api.get("/api/v1/me", headers=bearer), 401, detail="ended")
    assert all(row.ended_at is not None for row in sessions_of(api, cast.erin))
    with api.engine.transaction() as session:
        actions = [entry.action for entry in session.exec(select(AuditEntry)).all()]
    assert "sessions.ended" in actions


@pytest.mark.parametrize("authorization", ["Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Negotiate YIIGhgYGKwYBBQUCoIIGejCC", "x"])
def test_a_cookie_request_with_any_other_authorization_scheme_still_needs_the_csrf_token(
    api, cast, browsers, authorization
):
    browser = browsers()
    body = browser.post("/api/v1/sessions", json={"token": identity_token(api, newcomer(api))}).json()
    refused = browser.post("/api/v1/me/consent", json=OPT_IN, headers={"authorization": authorization})
    api.problem(refused, 403, detail="csrf")
    accepted = browser.post(
        "/api/v1/me/consent", json=OPT_IN, headers={"authorization": authorization, CSRF_HEADER: body["csrf_token"]}
    )
    assert accepted.status_code == 200, accepted.text


def test_a_valid_bearer_token_needs_no_csrf_token(api, cast, browsers):
    browser = browsers()
    body = browser.post("/api/v1/sessions", json={"token": identity_token(api, newcomer(api))}).json()
    response = browser.post(
        "/api/v1/me/consent", json=OPT_IN, headers={"authorization": f"Bearer {body['session_token']}"}
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_json_routes_refuse_other_media_types_with_415(api, media_type):
    nina = newcomer(api)
    headers = {"content-type": media_type}
    response = api.post(
        "/api/v1/me/consent", nina, content=b'{"action": "opt_in", "guidelines_version": "1"}', headers=headers
    )
    api.problem(response, 415, detail="application/json")
    assert api.post("/api/v1/me/consent", nina, json=OPT_IN).status_code == 200


def test_a_person_removed_takes_their_sessions_along(api, cast, browsers):
    admin_sign_in(api, browsers(), cast.erin)
    with api.engine.transaction() as session:
        session.delete(session.get(Ambassador, cast.erin.id))
    assert sessions_of(api, cast.erin) == []


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (FIREFOX, "Firefox on Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Safari/604.1",
            "Safari on iOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0", "Edge on Linux"),
        ("curl/8.5.0", "curl/8.5.0"),
        (None, ""),
    ],
)
def test_user_agents_are_summarised(user_agent, summary):
    assert summarise_user_agent(user_agent) == summary


# -- /admin/sessions (the built-in sessions plugin) ------------------------------------------------


def test_admins_see_open_sessions_and_end_one_or_all_of_a_persons(api, cast, browsers):
    laptop, phone = browsers(), browsers()
    admin_sign_in(api, laptop, cast.erin)
    admin_sign_in(api, phone, cast.erin)
    page = api.get("/admin/sessions", cast.ada)
    assert page.status_code == 200
    assert page.text.count("Firefox on Windows") >= 2
    assert "Erin" in page.text
    first, second = sessions_of(api, cast.erin)
    token = {"csrf_token": admin_csrf_token(api.engine.settings.secret_key, cast.ada.external_id)}
    ended = api.post(f"/admin/sessions/{cast.erin.id}/{first.id}/end", cast.ada, data=token, follow_redirects=False)
    assert (ended.status_code, ended.headers["location"]) == (303, "/admin/sessions?ended=1")
    assert {row.id: row.ended_at is not None for row in sessions_of(api, cast.erin)} == {
        first.id: True,
        second.id: False,
    }
    assert api.post(f"/admin/sessions/{cast.erin.id}/{first.id}/end", cast.ada, data=token).status_code == 404
    assert (
        api.post(f"/admin/sessions/{cast.erin.id}/end", cast.ada, data=token, follow_redirects=False).status_code == 303
    )
    assert all(row.ended_at is not None for row in sessions_of(api, cast.erin))
    assert laptop.get("/admin", follow_redirects=False).status_code == 303
    assert phone.get("/admin", follow_redirects=False).status_code == 303
    with api.engine.transaction() as session:
        audited = session.exec(select(AuditEntry).where(AuditEntry.action == "sessions.ended")).all()
    assert [(entry.subject_type, entry.subject_id) for entry in audited] == [
        ("session", first.id),
        ("ambassador", str(cast.erin.id)),
    ]
    assert all(entry.actor_id == cast.ada.id for entry in audited)
    assert "Nobody is signed in." in api.get("/admin/sessions", cast.ada).text


def test_the_sessions_page_needs_the_form_token_and_the_admin_role(api, cast, browsers):
    admin_sign_in(api, browsers(), cast.erin)
    assert api.post(f"/admin/sessions/{cast.erin.id}/end", cast.ada, data={}).status_code == 403
    token = {"csrf_token": admin_csrf_token(api.engine.settings.secret_key, cast.erin.external_id)}
    assert api.post(f"/admin/sessions/{cast.erin.id}/end", cast.erin, data=token).status_code == 403
    assert api.get("/admin/sessions", cast.erin).status_code == 403
    assert (
        api.post(
            f"/admin/sessions/{cast.erin.id}/nobody-at-all/end",
            cast.ada,
            data={"csrf_token": admin_csrf_token(api.engine.settings.secret_key, cast.ada.external_id)},
        ).status_code
        == 404
    )
    assert sessions_of(api, cast.erin)[0].ended_at is None


def test_the_sessions_page_speaks_dutch(api, cast):
    dutch = api.person("dirk", "admin", locale="nl-NL")
    page = api.get("/admin/sessions", dutch)
    assert "Sessies" in page.text
    assert "Overal afmelden" in page.text


def test_sessions_a_day_past_their_end_are_swept_at_the_next_sign_in(api, cast, browsers, clock):
    admin_sign_in(api, browsers(), cast.erin)
    clock.move(timedelta(seconds=api.engine.settings.widget_session_seconds) + timedelta(days=1, seconds=1))
    admin_sign_in(api, browsers(), cast.ada)
    assert sessions_of(api, cast.erin) == []
    assert len(sessions_of(api, cast.ada)) == 1
