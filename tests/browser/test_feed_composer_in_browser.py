"""The feed's compact cards and its composer in a real browser: post through the API in two clicks, by keyboard."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import select

import api_fixtures
from clarion.ambassadors.credentials import store_credential
from clarion.connectors import Credential, PublishedPost, SharePost
from clarion.jobs import job_queue
from clarion.models import NetworkAccount, Share, ShareStatus

REPO = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
POST_URL = "https://pubnet.example/@amir/1"


class PubNet(api_fixtures.PubNet):
    """PubNet publishing at once."""

    def publish(self, context: Any, credential: Credential, post: SharePost, *, idempotency_key: str) -> PublishedPost:
        return PublishedPost(external_id="1", url=POST_URL)


@pytest.fixture
def site_plugins() -> dict[str, Any]:
    return {"pubnet": api_fixtures.PubNetPlugin(PubNet)}


def widget(page: Any, name: str) -> Any:
    return page.locator(f'clarion-widget[name="{name}"]')


def connect(site: Any, who: Any, network: str = "pubnet") -> None:
    with site.engine.transaction() as session:
        account = NetworkAccount(ambassador_id=who.id, network=network, handle="@amir")
        session.add(account)
        session.flush()
        store_credential(site.engine, session, account, Credential(access_token="token", handle="@amir"))


def violations(target: Any) -> list[str]:
    """Critical, serious and moderate axe-core violations in the feed (its shadow tree, the open composer)."""
    target.add_script_tag(path=str(AXE))
    found = target.evaluate(
        "async () => (await axe.run(document.querySelector('clarion-widget[name=feed]'),"
        " {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']}: {v['nodes'][0]['html'][:120]}" for v in found if v["impact"] in ("critical", "serious", "moderate")
    ]


def test_a_connected_ambassador_posts_in_two_clicks_and_sees_it_published(site, chromium):
    amir = site.person("amir")
    connect(site, amir)
    content_id = site.content(
        "Our new office", share_texts=[{"network": "linkedin", "text": "We opened a new office in Utrecht"}]
    )
    consumer = job_queue(site.engine).start_in_background(workers=1, periodic=False)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        feed = widget(page, "feed")
        feed.get_by_role("button", name="Post on PubNet with my account").click()  # click 1
        dialog = feed.get_by_role("dialog")
        dialog.get_by_text("of 500 characters").wait_for()
        assert "/r/" in dialog.locator(".cw-preview-text").inner_text()
        # No text for PubNet: the general text first, the text written for LinkedIn to pick from.
        assert dialog.get_by_label("Your post").input_value() == "Our new office"
        assert dialog.get_by_role("radio", name="We opened a new office in Utrecht").is_visible()
        started = time.monotonic()
        dialog.get_by_role("button", name="Post now").click()  # click 2
        link = dialog.get_by_role("link", name="View your post")
        link.wait_for(timeout=5000)
        assert time.monotonic() - started < 5
        assert link.get_attribute("href") == POST_URL
        assert dialog.get_by_text("Published.").is_visible()
    finally:
        context.close()
        consumer.stop()
    with site.engine.transaction() as session:
        share = session.exec(select(Share).where(Share.content_id == content_id)).one()
        assert (share.network, share.method.value, share.status) == ("pubnet", "api", ShareStatus.PUBLISHED)


def test_the_composer_by_keyboard_in_dutch_at_360_px_without_violations(site, chromium):
    site.person("bram", locale="nl")
    site.content(
        "Ons nieuwe kantoor",
        language="nl",
        edit_policy="locked",
        share_texts=[{"network": "linkedin", "text": "Ons nieuwe kantoor in Utrecht"}],
        topics=["kantoren"],
    )
    context = chromium.new_context(bypass_csp=True, viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=bram")
        feed = widget(page, "feed")
        share = feed.get_by_role("button", name="Delen…")
        share.focus()
        page.keyboard.press("Enter")
        dialog = feed.get_by_role("dialog")
        text = dialog.get_by_label("Je bericht")
        text.wait_for()
        dialog.get_by_text("tekens").wait_for()
        assert text.get_attribute("readonly") is not None
        assert dialog.get_by_text("kan niet worden gewijzigd").is_visible()
        assert text.evaluate("field => field.getRootNode().activeElement === field")  # focus moved into the dialog
        found = violations(page)
        assert not found, found
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        assert share.evaluate("button => button.getRootNode().activeElement === button")  # focus back on Share
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_a_card_is_compact(site, chromium, width):
    """The height per item, measured (the wall of text fields took about 640 px at 1280 px)."""
    site.person("amir")
    for number in range(4):
        site.content(
            f"News item {number} with a title of a usual length",
            summary="A summary of two lines at most: what happened, why it matters and who it is for.",
            topics=["news"],
            image_url=None,
            share_texts=[{"network": "linkedin", "text": "Worth reading"}, {"network": "x", "text": "Read this"}],
        )
    context = chromium.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        cards = widget(page, "feed").locator(".cw-card")
        cards.first.wait_for()
        first, last = cards.first.bounding_box(), cards.last.bounding_box()
        per_item = (last["y"] + last["height"] - first["y"]) / cards.count()
        print(f"feed height per item at {width} px: {per_item:.0f} px")
        assert per_item <= (150 if width == 1280 else 230)
    finally:
        context.close()


@pytest.mark.parametrize(("language", "user"), [("en", "amir"), ("nl", "bram")])
def test_screenshots_and_accessibility_of_the_feed_and_its_composer(site, chromium, language, user, tmp_path):
    """Screenshots for docs/screenshots/ (written there with CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    person = site.person(user, locale=language)
    connect(site, person)
    site.content(
        "Our new office in Utrecht",
        summary="Two hundred people, one canal view: the new office opens on Monday.",
        topics=["offices"],
        featured=True,
        share_texts=[
            {"network": "linkedin", "text": "We opened a new office in Utrecht"},
            {"network": "x", "text": "New office!"},
        ],
    )
    site.content("How we test in real browsers", summary="A look at our engineering practice.", topics=["engineering"])
    site.content(
        "Ons nieuwe kantoor in Utrecht", language="nl", summary="Tweehonderd mensen, één uitzicht op de gracht."
    )
    for width in (1280, 360):
        context = chromium.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
        try:
            page = context.new_page()
            page.goto(f"{site.intranet}/?user={user}")
            feed = widget(page, "feed")
            feed.locator(".cw-card").first.wait_for()
            feed.screenshot(path=str(target / f"feed-{language}-{width}.png"))
            feed.locator(".cw-share").first.click()
            dialog = feed.get_by_role("dialog")
            expect(dialog.locator(".cw-count")).not_to_be_empty()
            page.screenshot(path=str(target / f"feed-composer-{language}-{width}.png"))
            found = violations(page)  # the cards and the open composer, with a connected account
            assert not found, (language, width, found)
        finally:
            context.close()
