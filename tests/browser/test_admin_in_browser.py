"""The editor and admin UI in a real browser: an editor's content reaches the right feeds; axe; screenshots."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import pytest

from clarion.testing import TEST_SECRET
from clarion.tokens import EXCHANGE_MAX_TTL_SECONDS, mint_token

REPO = Path(__file__).resolve().parents[2]


def sign_in(page: Any, clarion: str, external_id: str) -> None:
    """Through the sign-in page, by keyboard: the way a person pastes the token their intranet gave them."""
    page.goto(f"{clarion}/admin/signin")
    token = mint_token(TEST_SECRET, external_id, ttl_seconds=EXCHANGE_MAX_TTL_SECONDS, jti=secrets.token_urlsafe(16))
    page.get_by_label("Sign-in token from your intranet").fill(token)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Run the programme").wait_for()


@pytest.fixture
def admin_page(site, chromium):
    def open_page(width: int = 1280, bypass_csp: bool = False) -> Any:
        context = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
        contexts.append(context)
        return context.new_page()

    contexts: list[Any] = []
    yield open_page
    for context in contexts:
        context.close()


def test_editor_content_reaches_the_targeted_ambassador_only(site, chromium, admin_page):
    site.person("amir", team="Sales")
    site.person("bea", team="Support")
    site.person("erin", role="editor")
    editor = admin_page()
    sign_in(editor, site.clarion, "erin")
    editor.get_by_role("link", name="New content").first.click()
    editor.get_by_role("textbox", name="Title", exact=True).fill("Sales kick-off in Ghent")
    editor.get_by_role("textbox", name="Link (URL)").fill("https://example.com/kick-off")
    editor.get_by_label("LinkedIn", exact=True).fill("Ready for our kick-off!")
    editor.get_by_label("Teams", exact=True).fill("Sales")
    editor.get_by_role("button", name="Create draft").click()
    editor.get_by_text("Saved.").wait_for()
    editor.get_by_role("button", name="Submit for review").click()
    editor.get_by_role("button", name="Approve").click()
    editor.get_by_text("approved", exact=True).first.wait_for()

    reader = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = reader.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        feed = page.locator('clarion-widget[name="feed"]')
        feed.get_by_role("link", name="Sales kick-off in Ghent").wait_for()
        page.goto(f"{site.intranet}/?user=bea")
        feed = page.locator('clarion-widget[name="feed"]')
        feed.locator(".cw").wait_for()
        assert feed.get_by_role("link", name="Sales kick-off in Ghent").count() == 0
    finally:
        reader.close()


def seed(site: Any) -> dict[str, int]:
    site.person("ada", role="admin", name="Ada Admin")
    site.person("amir", team="Sales", name="Amir Haddad")
    site.person("bram", team="Support", locale="nl", name="Bram de Vries")
    site.content(
        "Our new office in Utrecht",
        summary="Two hundred people, one canal view.",
        featured=True,
        topics=["offices"],
        share_texts=[{"network": "linkedin", "text": "We opened a new office in Utrecht"}],
    )
    from clarion.actors import Actor
    from clarion.content import content as content_service
    from clarion.content.content import ContentAction

    amir = site.person("sofia", name="Sofia Jansen")
    actor = Actor(amir.id, amir.external_id, amir.role)
    with site.engine.transaction() as session:
        suggestion = content_service.create_content(
            site.engine,
            session,
            actor,
            {"title": "A great read on remote teams", "url": "https://example.org/remote", "origin": "curated"},
        )
        suggestion_id = suggestion.content.id
        assert suggestion_id is not None
        content_service.transition_content(session, actor, suggestion_id, ContentAction.SUBMIT)
    return {"content": suggestion_id}


ADMIN_PAGES = [
    ("dashboard", "/admin"),
    ("content", "/admin/content"),
    ("content-form", "/admin/content/new"),
    ("content-edit", "/admin/content/{content}"),
    ("review", "/admin/review"),
    ("campaigns", "/admin/campaigns"),
    ("campaign-form", "/admin/campaigns/new"),
    ("ambassadors", "/admin/ambassadors"),
    ("import", "/admin/ambassadors/import"),
    ("settings", "/admin/settings"),
]


def test_no_serious_accessibility_violations_on_admin_pages(site, admin_page, axe_violations):
    ids = seed(site)
    page = admin_page(bypass_csp=True)
    page.goto(f"{site.clarion}/admin/signin")
    found = {"signin": axe_violations(page)}
    sign_in(page, site.clarion, "ada")
    for name, path in ADMIN_PAGES:
        page.goto(site.clarion + path.format(**ids))
        found[name] = axe_violations(page)
    # A form sent back with an error marks the field and announces the message.
    page.goto(f"{site.clarion}/admin/content/new")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_role("alert").wait_for()
    found["content-form-error"] = axe_violations(page)
    serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
    assert not serious, serious


def test_keyboard_reaches_the_skip_link_first(site, admin_page):
    seed(site)
    page = admin_page()
    sign_in(page, site.clarion, "ada")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize(("label", "width"), [("360", 360), ("desktop", 1100)])
def test_admin_pages_fit_and_are_screenshotted(site, admin_page, label, width, tmp_path):
    """Screenshots for docs/screenshots/ (written there with CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    ids = seed(site)
    page = admin_page(width=width)
    sign_in(page, site.clarion, "ada")
    for name, path in ADMIN_PAGES:
        page.goto(site.clarion + path.format(**ids))
        # At 360 px nothing scrolls sideways (wide tables scroll inside their own box).
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        if name in ("dashboard", "content", "content-form", "review", "ambassadors", "settings"):
            shot = target / f"admin-{name}-{label}.png"
            page.screenshot(path=str(shot), full_page=name != "content-form")
            assert shot.stat().st_size > 1000
