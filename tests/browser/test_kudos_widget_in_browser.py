"""contrib/clarion-kudos's widget in a real browser: thanking a colleague in every embed mode, by keyboard, at 360px.

The plugin is loaded from its source folder (``contrib/clarion-kudos/src``) the way an installed
distribution would be: its static file, templates and Dutch catalog come from next to its module.
"""

from __future__ import annotations

import importlib
import secrets
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from clarion.models import Content, ContentStatus, Share, ShareMethod, ShareStatus, utcnow

KUDOS_SOURCE = Path(__file__).resolve().parents[2] / "contrib" / "clarion-kudos" / "src"
FRAME = 'iframe[title="Clarion: kudos"]'


@pytest.fixture
def site_plugins() -> dict[str, Any]:
    if str(KUDOS_SOURCE) not in sys.path:
        sys.path.insert(0, str(KUDOS_SOURCE))
    return {"kudos": importlib.import_module("clarion_kudos.plugin")}


@pytest.fixture
def intranet_widgets() -> tuple[Any, ...]:
    return (("kudos", "Clarion: kudos", {}),)


def published_share(site: Any, author_id: int, title: str) -> int:
    with site.engine.transaction() as session:
        content = Content(title=title, url="https://example.com/news", status=ContentStatus.APPROVED)
        session.add(content)
        session.flush()
        share = Share(
            content_id=content.id,
            ambassador_id=author_id,
            network="linkedin",
            text="Have a look",
            method=ShareMethod.INTENT,
            status=ShareStatus.PUBLISHED,
            published_at=utcnow(),
            link_code=secrets.token_hex(6),
        )
        session.add(share)
        session.flush()
        assert share.id is not None
        return share.id


def thanks(site: Any) -> dict[int, str | None]:
    from clarion_kudos.models import Kudos

    with site.engine.transaction() as session:
        return {row.share_id: row.message for row in session.exec(select(Kudos))}


def thank_by_keyboard(page: Any, scope: Any, share_id: int, message: str) -> None:
    """Focus the message box, type, Tab to the button and press Enter: no mouse."""
    from playwright.sync_api import expect

    item = scope.locator(f'[data-share-id="{share_id}"]')
    button = item.get_by_role("button", name="Thank Amir Haddad")
    expect(button).to_be_enabled()  # enabled once embed.js bound the widget
    item.get_by_label("A few words for Amir Haddad (optional)").focus()
    page.keyboard.type(message)
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


def test_a_colleague_thanks_an_ambassador_in_every_mode_by_keyboard_at_360px(site, chromium):
    from playwright.sync_api import expect

    amir = site.person("amir", name="Amir Haddad")
    site.person("bea", name="Bea Jansen")
    in_element, in_frame, in_fragment = (published_share(site, amir.id, title) for title in ("One", "Two", "Three"))
    context = chromium.new_context(viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=bea")
        element = page.locator('clarion-widget[name="kudos"]')
        framed = page.frame_locator(FRAME)
        fragment = page.locator(".clarion-fragment")

        thank_by_keyboard(page, element, in_element, "Thanks for sharing!")
        expect(element.get_by_role("status")).to_have_text("Your thanks are on their way to Amir Haddad.")
        thank_by_keyboard(page, framed, in_frame, "Great post")
        expect(framed.get_by_role("status")).to_have_text("Your thanks are on their way to Amir Haddad.")
        thank_by_keyboard(page, fragment, in_fragment, "")
        expect(fragment.get_by_role("status")).to_have_text("Your thanks are on their way to Amir Haddad.")
        assert thanks(site) == {in_element: "Thanks for sharing!", in_frame: "Great post", in_fragment: None}

        # Thanking twice is refused with the server's words, shown in the widget.
        for button in framed.locator(f'[data-share-id="{in_element}"] button').all():
            expect(button).to_be_enabled()
            button.focus()
            page.keyboard.press("Enter")
        expect(framed.get_by_role("status")).to_have_text("you already thanked Amir Haddad for this share")

        # The widget's own stylesheet reached the Shadow DOM, the frame and the inlined fragment.
        for scope in (element, framed, fragment):
            share = scope.locator(".cw-kudos-share").first
            assert share.evaluate("node => getComputedStyle(node).borderTopStyle") == "solid"
        # At 360px nothing in the framed widget scrolls sideways.
        frame = next(frame for frame in page.frames if "/embed/kudos" in frame.url)
        assert frame.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        width = element.evaluate("node => node.shadowRoot.querySelector('.cw').scrollWidth <= node.clientWidth")
        assert width
    finally:
        context.close()


def test_no_serious_accessibility_violations_in_the_kudos_widget(site, chromium, axe_violations):
    amir = site.person("amir", name="Amir Haddad")
    bea = site.person("bea", name="Bea Jansen")
    published_share(site, amir.id, "Our new office")
    from clarion_kudos import service

    from clarion.actors import Actor

    with site.engine.transaction() as session:  # Bea has thanks of her own to show
        service.give(
            session, Actor(amir.id, amir.external_id, amir.role), published_share(site, bea.id, "Jobs"), "Thank you!"
        )
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=bea")
        page.locator('clarion-widget[name="kudos"] .cw-kudos-form').wait_for()
        page.frame_locator(FRAME).locator(".cw-kudos-form").wait_for()
        found = {"intranet page": axe_violations(page)}
        for frame in page.frames:
            if "/embed/kudos" in frame.url:
                found["frame"] = axe_violations(frame)
        assert len(found) == 2
        serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
        assert not serious, serious
    finally:
        context.close()
