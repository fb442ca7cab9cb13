"""my-impact, campaign and submit in a real browser: all three modes, a suggestion reaching review, a11y, screenshots."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import col, select

from clarion.events import EventKind
from clarion.metrics import rollups
from clarion.models import Campaign, Click, Content, ContentOrigin, ContentStatus, Event
from clarion.testing import TEST_SECRET
from clarion.tokens import mint_token

REPO = Path(__file__).resolve().parents[2]
CAMPAIGN = "engineering-hiring"  # the slug the example intranet shows by default
FRAMES = {
    "my-impact": 'iframe[title="Clarion: my impact"]',
    "campaign": 'iframe[title="Clarion: campaign progress"]',
    "submit": 'iframe[title="Clarion: suggest content"]',
}
capture_ids = count()


@pytest.fixture
def context(chromium: Any) -> Any:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def ready(form: Any) -> None:
    """Wait until embed.js has bound the form (its button starts disabled; a framed page reloads once first)."""
    from playwright.sync_api import expect  # imported here like the conftest: collection never needs playwright

    expect(form.get_by_role("button", name="Send for review")).to_be_enabled()


def widget(page: Any, name: str) -> Any:
    return page.locator(f'clarion-widget[name="{name}"]')


def fragment(page: Any, name: str) -> Any:
    return page.locator(f"#server-fragment .cw-{name}")


def campaign(site: Any) -> int:
    with site.engine.transaction() as session:
        row = Campaign(
            name="We're hiring engineers",
            slug=CAMPAIGN,
            description="Help us find engineers for Platform, Mobile and Data.",
            goal_shares=10,
            goal_clicks=40,
            starts_at=datetime.now(UTC) - timedelta(days=60),
            ends_at=datetime.now(UTC) + timedelta(days=30),
            hashtags=["WeAreHiring"],
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def activity(site: Any, person: Any, campaign_id: int) -> None:
    """Shares over the last weeks with clicks on them, folded into the rollups the widgets read."""
    token = mint_token(TEST_SECRET, person.external_id, ttl_seconds=300)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=site.clarion, headers=headers, timeout=10) as client:
        for week in range(5):
            content_id = site.content(f"Open role {week}", campaign_id=campaign_id)
            share = client.post(
                "/api/v1/shares", json={"content_id": content_id, "network": ("linkedin", "x")[week % 2]}
            )
            assert share.status_code == 201, share.text
            opened = client.post(f"/api/v1/shares/{share.json()['id']}/opened")
            assert opened.status_code == 200, opened.text
            when = datetime.now(UTC) - timedelta(days=7 * week + 1)
            with site.engine.transaction() as session:
                for event in session.exec(
                    select(Event).where(
                        Event.share_id == share.json()["id"], Event.kind == EventKind.SHARE_PUBLISHED.value
                    )
                ):
                    event.occurred_at = when  # as if shared that week
                for _ in range(3 + 2 * week):
                    session.add(
                        Click(
                            capture_id=f"b{next(capture_ids)}",
                            share_id=share.json()["id"],
                            occurred_at=when + timedelta(hours=2),
                            counted=True,
                        )
                    )
    rollups.update(site.engine, settle_seconds=0)


def test_the_new_widgets_render_in_all_three_modes(site, context):
    amir = site.person("amir")
    activity(site, amir, campaign(site))
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=amir")
    for name, text in (
        ("my-impact", "My impact"),
        ("campaign", "We're hiring engineers"),
        ("submit", "Send for review"),
    ):
        widget(page, name).get_by_text(text).first.wait_for()
        page.frame_locator(FRAMES[name]).get_by_text(text).first.wait_for()
        fragment(page, name).get_by_text(text).first.wait_for()
    impact = widget(page, "my-impact")
    assert impact.locator('[data-figure="shares"] .cw-number').inner_text() == "5"
    assert impact.locator('[data-figure="clicks_unique"] .cw-number').inner_text() == str(
        sum(3 + 2 * w for w in range(5))
    )
    assert impact.locator("[data-trend=clicks] svg[role=img] rect").count() == 5
    goals = widget(page, "campaign").locator("[data-goal=shares]")
    assert "5 of 10" in goals.inner_text()


def test_a_suggestion_from_the_widget_arrives_in_the_review_queue(site, context):
    amir = site.person("amir")
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=amir")
    form = widget(page, "submit")
    ready(form)
    form.get_by_label("Link", exact=True).fill("ftp://example.org/nope")
    form.get_by_label("Title").fill("A great read on remote teams")
    form.get_by_label("Your comment or draft text").fill("Matches how we work.")
    form.get_by_role("button", name="Send for review").click()
    error = form.locator("#cw-submit-url-error")
    error.wait_for()
    assert "url" in error.inner_text().lower()
    assert form.get_by_label("Link", exact=True).get_attribute("aria-invalid") == "true"
    form.get_by_label("Link", exact=True).fill("https://example.org/remote-teams")
    form.get_by_role("button", name="Send for review").click()
    form.get_by_text("Your suggestion is waiting for review").wait_for()
    assert form.get_by_label("Title").input_value() == ""
    # The framed page posts with its session cookie and CSRF token.
    framed = page.frame_locator(FRAMES["submit"])
    ready(framed)
    framed.get_by_label("Something I made myself").check()
    framed.get_by_label("Link", exact=True).fill("https://example.org/my-talk")
    framed.get_by_label("Title").fill("My talk at the meetup")
    framed.get_by_role("button", name="Send for review").click()
    framed.get_by_text("Your suggestion is waiting for review").wait_for()
    # The server-rendered fragment, bound by embed.js on the intranet's page.
    inlined = fragment(page, "submit")
    ready(inlined)
    inlined.get_by_label("Link", exact=True).fill("https://example.org/fragment")
    inlined.get_by_label("Title").fill("Seen on the portal")
    inlined.get_by_role("button", name="Send for review").click()
    inlined.get_by_text("Your suggestion is waiting for review").wait_for()
    with site.engine.transaction() as session:
        suggested = session.exec(select(Content).where(Content.author_id == amir.id).order_by(col(Content.id))).all()
        assert [(c.title, c.origin, c.status) for c in suggested] == [
            ("A great read on remote teams", ContentOrigin.CURATED, ContentStatus.SUBMITTED),
            ("My talk at the meetup", ContentOrigin.PRODUCED, ContentStatus.SUBMITTED),
            ("Seen on the portal", ContentOrigin.CURATED, ContentStatus.SUBMITTED),
        ]
        assert suggested[0].summary == "Matches how we work."


def test_no_serious_accessibility_violations_in_the_new_widgets(site, chromium, axe_violations):
    amir = site.person("amir")
    activity(site, amir, campaign(site))
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        for name in FRAMES:
            widget(page, name).locator(".cw").wait_for()
            page.frame_locator(FRAMES[name]).locator(".cw").wait_for()
        found = {"intranet page (custom elements, fragments)": axe_violations(page)}
        for frame in page.frames:
            if any(f"/embed/{name}" in frame.url for name in FRAMES):
                found[frame.url.split("?")[0]] = axe_violations(frame)
        assert len(found) == 4
        serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
        assert not serious, serious
    finally:
        context.close()


@pytest.mark.parametrize(("label", "width"), [("360", 360), ("desktop", 1100)])
def test_screenshots_of_the_new_widgets(site, chromium, label, width, tmp_path):
    """Screenshots for docs/screenshots/ (written there with CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    amir = site.person("amir")
    activity(site, amir, campaign(site))
    context = chromium.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        for name in FRAMES:
            element = widget(page, name)
            element.locator(".cw").wait_for()
            path = target / f"{name}-{label}.png"
            element.screenshot(path=str(path))
            assert Path(path).stat().st_size > 1000
            assert element.bounding_box()["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
