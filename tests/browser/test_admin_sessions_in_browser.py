"""The sessions plugin's admin page in chromium: list, end a session by keyboard, axe, 360 px."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select
from test_admin_in_browser import admin_page, sign_in  # noqa: F401  (admin_page is a fixture)

from clarion.actors import Actor
from clarion.ambassadors.widget_sessions import issue
from clarion.models import AuthSession, SessionKind

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"


def seed(site: Any) -> str:
    """Ada (admin) and Erin (editor) signed in elsewhere; Erin's session id."""
    site.person("ada", role="admin", name="Ada Admin")
    erin = site.person("erin", role="editor", name="Erin Editor")
    with site.engine.transaction() as session:
        issue(
            session,
            site.engine.settings.secret_key,
            Actor(erin.id, erin.external_id, erin.role),
            3600,
            kind=SessionKind.ADMIN,
            user_agent=FIREFOX,
        )
        session.flush()
        return str(session.exec(select(AuthSession.id).where(AuthSession.ambassador_id == erin.id)).one())


def ended(site: Any, session_id: str) -> bool:
    with site.engine.transaction() as session:
        row = session.get(AuthSession, session_id)
        return row is not None and row.ended_at is not None


def test_an_admin_ends_a_session_by_keyboard(site, admin_page, axe_violations):  # noqa: F811
    erins = seed(site)
    page = admin_page()
    sign_in(page, site.clarion, "ada")
    page.get_by_role("link", name="Sessions").click()
    page.get_by_role("heading", name="Sessions", level=1).wait_for()
    assert "Firefox on Windows" in page.inner_text("main")
    found = {"list": axe_violations(page)}
    button = page.get_by_role("button", name="End this session (Erin Editor, Firefox on Windows)")
    button.focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    assert page.get_by_role("status").inner_text() == "Signed out."
    assert ended(site, erins)
    found["ended"] = axe_violations(page)
    assert {where: [v["id"] for v in violations] for where, violations in found.items() if violations} == {}


@pytest.mark.parametrize("width", [360])
def test_the_sessions_page_fits_a_phone(site, admin_page, width):  # noqa: F811
    seed(site)
    page = admin_page(width=width)
    sign_in(page, site.clarion, "ada")
    page.goto(f"{site.clarion}/admin/sessions/")
    page.get_by_role("heading", name="Sessions", level=1).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
