"""my-queue and profile in a real browser: keyboard only, widgets telling each other, axe, screenshots."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import select

from api_fixtures import PubNetPlugin
from clarion.models import Ambassador, NetworkAccount, Share, ShareStatus
from clarion.testing import TEST_SECRET
from clarion.tokens import mint_token

REPO = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOWN = (
    ("onboarding", "Clarion: join the programme", {}),
    ("my-queue", "Clarion: my queue", {}),
    ("profile", "Clarion: my profile", {}),
)




@pytest.fixture
def site_plugins() -> dict[str, Any]:
    return {"pubnet": PubNetPlugin()}


@pytest.fixture
def intranet_widgets() -> tuple[Any, ...]:
    return SHOWN


def with_a_scheduled_share(site: Any, external_id: str, **fields: Any) -> Any:
    """A person with PubNet connected, one share published and one scheduled for the day after tomorrow."""
    person = site.person(external_id, **fields)
    with site.engine.transaction() as session:
        session.add(
            NetworkAccount(ambassador_id=person.id, network="pubnet", handle="@amir", credentials_encrypted=b"x")
        )
    content_id = site.content("We are hiring engineers")
    token = mint_token(TEST_SECRET, person.external_id, ttl_seconds=300)
    when = (datetime.now(UTC) + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    with httpx.Client(base_url=site.clarion, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        shared = client.post("/api/v1/shares", json={"content_id": content_id, "network": "linkedin"})
        assert shared.status_code == 201, shared.text
        assert client.post(f"/api/v1/shares/{shared.json()['id']}/opened").status_code == 200
        body = {"content_id": content_id, "network": "pubnet", "method": "api", "scheduled_at": when.isoformat()}
        response = client.post("/api/v1/shares", json=body)
        assert response.status_code == 201, response.text
    return person


def widget(page: Any, name: str) -> Any:
    return page.locator(f'clarion-widget[name="{name}"]')


def press_until_focused(page: Any, locator: Any, key: str = "Tab", limit: int = 80) -> None:
    """Tab through the page until ``locator`` has the focus: the way a keyboard user gets there."""
    for _ in range(limit):
        page.keyboard.press(key)
        if locator.evaluate(
            "(target) => { let active = document.activeElement; while (active && active.shadowRoot && "
            "active.shadowRoot.activeElement) active = active.shadowRoot.activeElement; return active === target; }"
        ):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_profile_and_queue_by_keyboard_alone(site, chromium):
    from playwright.sync_api import expect

    amir = with_a_scheduled_share(site, "amir")
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site.intranet}/?user=amir")
    queue, profile, onboarding = widget(page, "my-queue"), widget(page, "profile"), widget(page, "onboarding")
    expect(queue.get_by_text("Scheduled").first).to_be_visible()
    expect(queue.locator(".cw-state-published")).to_have_text("✓ Published")
    expect(onboarding).to_be_hidden()  # joined and shared: onboarding is done

    # Cancel the scheduled share with the keyboard; the queue shows it gone and keeps the focus on its heading.
    cancel = queue.get_by_role("button", name=re.compile(r"^Cancel\b.*We are hiring engineers"))
    expect(cancel).to_be_enabled()
    press_until_focused(page, cancel)
    page.keyboard.press("Enter")
    expect(queue.get_by_role("button", name=re.compile(r"^Cancel\b.*We are hiring engineers"))).to_have_count(0)
    expect(queue.get_by_role("heading", name="My queue")).to_be_focused()
    with site.engine.transaction() as session:
        statuses = sorted(share.status for share in session.exec(select(Share).where(Share.ambassador_id == amir.id)))
    assert statuses == sorted([ShareStatus.PUBLISHED, ShareStatus.CANCELLED])

    # Pause: the profile says so with the focus on the news; the framed copy of the profile follows without a reload.
    pause = profile.get_by_role("button", name="Pause")
    press_until_focused(page, pause)
    page.keyboard.press("Enter")
    paused = profile.get_by_text("You have paused")
    expect(paused).to_be_focused()
    framed = page.frame_locator('iframe[title="Clarion: my profile"]')
    expect(framed.get_by_text("You have paused")).to_be_visible()
    expect(onboarding).to_be_visible()  # paused: the onboarding offers to resume
    resume = profile.get_by_role("button", name="Resume")
    press_until_focused(page, resume)
    page.keyboard.press("Space")
    expect(profile.get_by_text("You are taking part")).to_be_focused()

    # Quiet hours (Enter ticks the box as Space does) and a personal cap, saved from the keyboard.
    quiet = profile.get_by_role("checkbox", name="Never publish or schedule for me between these times")
    press_until_focused(page, quiet)
    page.keyboard.press("Enter")
    expect(quiet).to_be_checked()
    page.keyboard.press("Tab")
    start = profile.get_by_label("From")
    expect(start).to_be_focused()
    start.fill("23:00")  # a time field's segments depend on the browser's locale; the value is what matters
    press_until_focused(page, profile.get_by_role("button", name="Save preferences"))
    page.keyboard.press("Enter")
    expect(profile.get_by_text("Your preferences are saved.")).to_be_visible()
    limits_box = profile.locator(".cw-limits-box > summary")
    press_until_focused(page, limits_box)
    page.keyboard.press("Enter")  # opens "My daily limits"
    cap = profile.get_by_role("spinbutton", name="LinkedIn")
    press_until_focused(page, cap)
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(profile.get_by_text("Your daily limits are saved.")).to_be_visible()
    with site.engine.transaction() as session:
        person = session.get(Ambassador, amir.id)
        assert (person.quiet_hours_start, person.quiet_hours_end) == (23 * 60, 7 * 60)
    limits = httpx.get(
        f"{site.clarion}/api/v1/me/daily-limits",
        headers={"Authorization": f"Bearer {mint_token(TEST_SECRET, 'amir', ttl_seconds=60)}"},
    ).json()
    assert limits == {"limits": {"linkedin": 1}}


# Rules about the page around the widgets, not the widgets: the example intranet shows each widget three times
# (one per mode, so its region's name repeats) and neither it nor a bare framed widget has an <h1>.
HOST_PAGE_RULES = {"landmark-unique": False, "page-has-heading-one": False}


def axe(target: Any) -> list[dict[str, Any]]:
    target.add_script_tag(path=str(AXE))
    found = target.evaluate(
        "async (rules) => (await axe.run(document, {resultTypes: ['violations'], rules: Object.fromEntries("
        "Object.entries(rules).map(([id, on]) => [id, {enabled: on}]))})).violations",
        HOST_PAGE_RULES,
    )
    return [v for v in found if v["impact"] in ("moderate", "serious", "critical")]


@pytest.mark.parametrize("locale", ["en", "nl"])
@pytest.mark.parametrize(("label", "width"), [("360", 360), ("desktop", 1280)])
def test_queue_and_profile_are_accessible_and_pictured(site, chromium, locale, label, width, tmp_path):
    """axe finds nothing moderate or worse; screenshots for docs/screenshots/ (CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    with_a_scheduled_share(site, "amir", locale=locale)
    context = chromium.new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=amir")
    for name in ("my-queue", "profile"):
        widget(page, name).locator(".cw").wait_for()
    for frame_title in ("Clarion: my queue", "Clarion: my profile"):
        page.frame_locator(f'iframe[title="{frame_title}"]').locator(".cw").wait_for()
    found = {"intranet page": axe(page)}
    for frame in page.frames:
        if "/embed/" in frame.url:
            found[frame.url.split("?")[0]] = axe(frame)
    bad = {where: [(v["id"], v["impact"]) for v in violations] for where, violations in found.items() if violations}
    assert not bad, bad
    suffix = label if locale == "en" else f"{label}-nl"
    for name in ("my-queue", "profile"):
        element = widget(page, name)
        element.screenshot(path=str(target / f"{name}-{suffix}.png"))
        assert element.bounding_box()["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
