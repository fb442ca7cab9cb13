"""The widgets in a real browser: the example intranet on another origin embeds them in all three modes."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from clarion.models import Ambassador, Share, ShareStatus

REPO = Path(__file__).resolve().parents[2]

INTENT = re.compile(r"https://www\.linkedin\.com/.*")
POST_TEXT = "We opened a new office in Utrecht"


@pytest.fixture
def context(chromium: Any) -> Any:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    # The share window opens LinkedIn's composer; answer it locally (the machine is offline).
    context.route(INTENT, lambda route: route.fulfill(status=200, content_type="text/html", body="<p>composer</p>"))
    yield context
    context.close()


def widget(page: Any, name: str) -> Any:
    return page.locator(f'clarion-widget[name="{name}"]')


def test_the_intranet_embeds_the_feed_in_all_three_modes(site, context):
    site.person("amir")
    site.content("Our new office", share_texts=[{"network": "linkedin", "text": POST_TEXT}])
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=amir")
    # Custom element (Shadow DOM: Playwright's locators pierce open shadow roots).
    feed = widget(page, "feed")
    feed.get_by_role("link", name="Our new office").wait_for()
    assert page.evaluate("document.querySelector('clarion-widget[name=feed]').shadowRoot !== null")
    # iframe: framed by a configured origin, signed in from the URL fragment, the token gone.
    frame = page.frame_locator('iframe[title="Clarion: ready to share"]')
    frame.get_by_role("link", name="Our new office").wait_for()
    framed = next(f for f in page.frames if "/embed/feed" in f.url)
    assert "#token" not in framed.url
    assert "token=" not in framed.url
    # Server-rendered fragment, inlined by the intranet's backend.
    page.locator("#server-fragment").get_by_role("link", name="Our new office").wait_for()
    # Auto-height: the framed page reported its height to its parent.
    iframe_height = page.eval_on_selector('iframe[title="Clarion: ready to share"]', "frame => frame.style.height")
    assert iframe_height.endswith("px")


def test_a_newcomer_opts_in_and_shares_in_three_clicks(site, context):
    content_id = site.content("Our new office", share_texts=[{"network": "linkedin", "text": POST_TEXT}])
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=newcomer")
    clicks = 0

    def click(locator: Any) -> None:
        nonlocal clicks
        clicks += 1
        locator.click()

    onboarding = widget(page, "onboarding")
    onboarding.get_by_text("Taking part is voluntary.").wait_for()
    click(onboarding.get_by_label("I have read and accept the guidelines"))
    click(onboarding.get_by_role("button", name="Join the programme"))
    onboarding.get_by_text("Next steps").wait_for()
    feed = widget(page, "feed")
    share_button = feed.get_by_role("button", name="Share on LinkedIn")
    with page.expect_popup() as popup_info:
        click(share_button)
    popup = popup_info.value
    popup.wait_for_url(INTENT)
    assert "Utrecht" in popup.url
    feed.get_by_text("Your post is open in a new window").wait_for()
    assert clicks <= 3
    with site.engine.transaction() as session:
        newcomer = session.exec(select(Ambassador).where(Ambassador.external_id == "newcomer")).one()
        assert newcomer.is_active
        share = session.exec(select(Share).where(Share.ambassador_id == newcomer.id)).one()
        assert (share.content_id, share.network, share.text) == (content_id, "linkedin", POST_TEXT)
        assert share.status is ShareStatus.PUBLISHED


def test_a_locked_text_cannot_be_edited(site, context):
    site.person("amir")
    site.content(
        "Quarterly results", edit_policy="locked", share_texts=[{"network": "linkedin", "text": "Our results"}]
    )
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=amir")
    feed = widget(page, "feed")
    feed.get_by_role("button", name="Share…").click()
    text = feed.get_by_role("dialog").get_by_label("Your post")
    text.wait_for()
    feed.get_by_role("dialog").get_by_role("radio", name="LinkedIn").check()
    expect(text).to_have_value("Our results")
    assert text.get_attribute("readonly") is not None
    assert feed.get_by_text("cannot be changed").is_visible()


def test_framing_from_an_origin_not_configured_is_refused(site, context, stranger_page):
    site.person("amir")
    stranger = stranger_page(f'<iframe title="stolen" src="{site.clarion}/embed/feed"></iframe>')
    page = context.new_page()
    page.goto(stranger.origin)
    framed = [frame for frame in page.frames if frame is not page.main_frame]
    assert framed, "the stranger's page has its iframe"
    for frame in framed:
        frame.wait_for_load_state("load")  # refused or not, the frame has finished loading
        # Chromium replaces a refused frame with an error page: none of Clarion's content runs in it.
        assert "Ready to share" not in frame.content()
        assert "Signing you in" not in frame.content()
    assert "stranger" not in site.engine.settings.embed_origins


MESSAGE_ROUND_TRIP = """() => new Promise(resolve => {
    const token = "clarion-test-" + Math.random();
    addEventListener("message", function arrived(event) {
        if (event.data === token) { removeEventListener("message", arrived); resolve(); }
    });
    postMessage(token, "*");
})"""


def test_forged_messages_are_ignored(site, context, stranger_page):
    site.person("amir")
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=amir")
    iframe = 'iframe[title="Clarion: ready to share"]'
    page.frame_locator(iframe).get_by_text("Ready to share").wait_for()
    page.wait_for_function(f"document.querySelector('{iframe}').style.height !== ''")
    honest = page.eval_on_selector(iframe, "frame => frame.style.height")
    framed_body = page.frame_locator(iframe).locator("body")
    framed_body.evaluate("body => { body.dataset.marker = 'before-forgery'; }")  # a reload would drop it
    forger = stranger_page(
        "<script>parent.postMessage({type: 'clarion:height', height: 3333}, '*');"
        "for (const f of parent.frames) f.postMessage({type: 'clarion:refresh'}, '*');</script>"
    )
    # A frame from another origin forges the height message; the page itself forges one too.
    page.evaluate(
        """origin => { const f = document.createElement('iframe'); f.src = origin; f.title = 'forger';
                       document.body.append(f); window.postMessage({type: 'clarion:height', height: 4444}, '*'); }""",
        forger.origin,
    )
    # The forger's script ran when its frame loaded; a message each window then sends itself is
    # handled after the forged ones, so by its arrival they have had every chance to do harm.
    page.locator('iframe[title="forger"]').element_handle().content_frame().wait_for_load_state("load")
    for window in (page.main_frame, page.locator(iframe).element_handle().content_frame()):
        window.evaluate(MESSAGE_ROUND_TRIP)
    assert page.eval_on_selector(iframe, "frame => frame.style.height") == honest
    # The framed page ignored the forged refresh: still the same document.
    assert framed_body.evaluate("body => body.dataset.marker") == "before-forgery"


def test_no_serious_accessibility_violations(site, chromium, axe_violations):
    site.person("amir", opted_in=False)
    site.content("Our new office", share_texts=[{"network": "linkedin", "text": POST_TEXT}])
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        widget(page, "onboarding").get_by_text("Taking part is voluntary.").wait_for()
        page.frame_locator('iframe[title="Clarion: join the programme"]').get_by_text("voluntary").first.wait_for()
        found = {"intranet page (custom elements, fragment)": axe_violations(page)}
        for frame in page.frames:
            if "/embed/" in frame.url:
                found[frame.url.split("?")[0]] = axe_violations(frame)
        serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
        assert not serious, serious
    finally:
        context.close()


@pytest.mark.parametrize(("label", "width"), [("360", 360), ("desktop", 1100)])
def test_screenshots_of_each_widget(site, chromium, label, width, tmp_path):
    """Screenshots for docs/screenshots/ (written there with CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    site.person("amir", opted_in=False)
    site.person("bram", locale="nl")
    site.content(
        "Our new office in Utrecht",
        summary="Two hundred people, one canal view: the new office opens on Monday.",
        topics=["offices"],
        featured=True,
        share_texts=[{"network": "linkedin", "text": POST_TEXT}, {"network": "x", "text": "New office in Utrecht!"}],
    )
    site.content("How we test in real browsers", summary="A look at our engineering practice.")
    context = chromium.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        for user, name in (("amir", "onboarding"), ("bram", "feed")):
            page.goto(f"{site.intranet}/?user={user}")
            element = widget(page, name)
            element.locator(".cw").wait_for()
            path = target / f"{name}-{label}.png"
            element.screenshot(path=str(path))
            assert Path(path).stat().st_size > 1000
            assert element.bounding_box()["width"] <= width
        # At 360 px nothing scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
