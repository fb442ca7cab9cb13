"""OIDC sign-in in a real browser: Clarion → the identity provider → back, with the session cookie set."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from clarion.models import Ambassador
from clarion.testing import make_person


def _page(chromium: Any) -> tuple[Any, Any]:
    context = chromium.new_context(viewport={"width": 360, "height": 800})
    return context, context.new_page()


def test_an_editor_signs_in_to_the_admin_with_the_company_account(oidc_site, chromium, axe_violations):
    make_person(oidc_site.engine, "erin", role="editor", name="Erin Editor")
    oidc_site.idp.sign_in_as("erin", email="erin@example.com", name="Erin Editor")
    context, page = _page(chromium)
    try:
        page.goto(f"{oidc_site.clarion}/admin/signin")
        assert axe_violations(page) == []
        page.get_by_role("link", name="Sign in with your company account").click()
        page.get_by_role("heading", name="Run the programme").wait_for()
        assert page.url == f"{oidc_site.clarion}/admin"
        cookies = {cookie["name"]: cookie for cookie in context.cookies()}
        session = next(cookie for name, cookie in cookies.items() if "session" in name)
        assert session["httpOnly"] is True
        # The state cookie of the round trip is gone once it served.
        assert not any("oidc" in name and cookie["value"] for name, cookie in cookies.items())
    finally:
        context.close()


def test_a_new_ambassador_opens_the_feed_through_the_provider_and_is_provisioned(oidc_site, chromium):
    oidc_site.idp.sign_in_as("noor", email="noor@example.com", name="Noor Newcomer")
    context, page = _page(chromium)
    try:
        page.goto(f"{oidc_site.clarion}/auth/oidc/login?next=/embed/feed")
        page.wait_for_url(f"{oidc_site.clarion}/embed/feed")
        page.locator(".cw").first.wait_for()
        assert "Signing you in" not in page.content()
        with oidc_site.engine.transaction() as session:
            noor = session.exec(select(Ambassador).where(Ambassador.external_id == "noor")).one()
        assert noor.name == "Noor Newcomer"
    finally:
        context.close()


def test_an_ambassador_declining_at_the_provider_sees_a_clear_page_not_an_error(oidc_site, chromium):
    oidc_site.idp.deny_next()
    context, page = _page(chromium)
    try:
        response = page.goto(f"{oidc_site.clarion}/auth/oidc/login?next=/embed/feed")
        assert response is not None
        page.get_by_role("heading").first.wait_for()
        assert page.url.startswith(f"{oidc_site.clarion}/auth/oidc/callback")
        text = page.locator("body").inner_text()
        assert "Traceback" not in text
        assert "cancelled or refused at the identity provider" in text
        assert page.get_by_role("link", name="Sign in again").count() == 1
    finally:
        context.close()


def test_an_ambassador_cannot_enter_the_admin_through_the_provider(oidc_site, chromium):
    make_person(oidc_site.engine, "amir")
    oidc_site.idp.sign_in_as("amir", name="Amir")
    context, page = _page(chromium)
    try:
        page.goto(f"{oidc_site.clarion}/admin/signin")
        page.get_by_role("link", name="Sign in with your company account").click()
        page.get_by_role("heading", name="Not allowed").wait_for()
        assert "needs the editor role" in page.locator("main").inner_text()
        assert page.get_by_role("heading", name="Run the programme").count() == 0
    finally:
        context.close()
