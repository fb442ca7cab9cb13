"""The my-data widget in chromium: no accessibility violations, and erasing by keyboard at 360 px."""

from __future__ import annotations

from typing import Any

import pytest

from clarion.models import Ambassador

FRAME = 'iframe[title="Clarion: my data"]'


@pytest.fixture
def intranet_widgets() -> tuple[Any, ...]:
    return (("my-data", "Clarion: my data", {}),)


def test_the_my_data_widget_is_accessible_and_erases_by_keyboard(site, chromium, axe_violations):
    from playwright.sync_api import expect

    bea = site.person("bea", name="Bea Jansen")
    context = chromium.new_context(bypass_csp=True, viewport={"width": 360, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=bea")
        framed = page.frame_locator(FRAME)
        framed.get_by_role("button", name="Prepare my data for download").wait_for()
        found = {"intranet page": axe_violations(page)}
        frame = next(frame for frame in page.frames if "/embed/my-data" in frame.url)
        found["frame"] = axe_violations(frame)
        serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
        assert not serious, serious
        assert frame.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")

        # The confirm step: open the disclosure, tick the box, press the button — all by keyboard.
        summary = framed.get_by_text("Erase my account and my data…")
        summary.focus()
        page.keyboard.press("Enter")
        checkbox = framed.get_by_label("I understand that this cannot be undone")
        button = framed.get_by_role("button", name="Erase my account for good")
        expect(button).to_be_enabled()
        checkbox.focus()
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        expect(framed.get_by_role("status").last).to_have_text("Your account is erased. Thank you for taking part.")
        with site.engine.transaction() as session:
            assert session.get(Ambassador, bea.id).erased_at is not None
    finally:
        context.close()
