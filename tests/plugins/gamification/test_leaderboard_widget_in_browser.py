"""The leaderboard widget in a real browser: all three modes, switching the period, me highlighted, privacy, a11y, 360 px."""

from __future__ import annotations

import itertools
import os
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from clarion.event_log import record_event
from clarion.models import Ambassador
from clarion.points import points as points_service
from clarion.scoring import Award

REPO = Path(__file__).resolve().parents[3]
FRAME = 'iframe[title="Clarion: leaderboard"]'
TODAY = datetime.now(UTC).date()
_keys = itertools.count()


def award(site: Any, person: Any, points: int, day: Any = TODAY) -> None:
    with site.engine.transaction() as session:
        event, _ = record_event(
            session,
            "test.bonus",
            idempotency_key=f"test.browser-bonus:{next(_keys)}",
            ambassador_id=person.id,
            occurred_at=datetime.combine(day, time(12), tzinfo=UTC),
        )
        points_service.score_in(
            site.engine, session, event, [Award(rule="bonus", ambassador_id=person.id, points=points, reason="a bonus")]
        )


def programme(site: Any) -> None:
    """Amir 7th this month; Bea on top but hidden; Olga only long ago."""
    for number in range(6):
        award(site, site.person(f"colleague-{number}", name=f"Colleague {number}", team="Blue"), 20 + 10 * number)
    award(site, site.person("amir", name="Amir", team="Blue"), 15)
    bea = site.person("bea", name="Bea", team="Red")
    award(site, bea, 500)
    with site.engine.transaction() as session:
        row = session.get(Ambassador, bea.id)
        row.leaderboard_visible = False
        session.add(row)
    award(site, site.person("olga", name="Olga Oldtimer"), 900, TODAY - timedelta(days=800))


def modes(page: Any) -> dict[str, Any]:
    return {
        "element": page.locator('clarion-widget[name="leaderboard"]'),
        "iframe": page.frame_locator(FRAME),
        "fragment": page.locator("#server-fragment .clarion-fragment").filter(has=page.locator(".cw-leaderboard")),
    }


def rows(board: Any) -> list[str]:
    return [text.split("\n")[0] for text in board.locator("tr.cw-line th").all_inner_texts()]


def test_the_leaderboard_in_all_three_modes_switches_period_and_highlights_me(site, chromium):
    from playwright.sync_api import expect

    programme(site)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        for mode, board in modes(page).items():
            me = board.locator('tr[aria-current="true"]')
            expect(me).to_contain_text("Amir")
            expect(me).to_contain_text("(you)")
            expect(board.locator(".cw-standing")).to_contain_text("You are number 7 of 7 (top 100%)")
            names = rows(board)
            assert "Bea" not in " ".join(names), (mode, names)  # hidden from everyone else
            assert not any("Olga" in name for name in names), (mode, names)
            expect(board.get_by_role("button", name="Show")).to_be_enabled()
            board.get_by_label("Period").select_option(label="All time")
            board.get_by_role("button", name="Show").click()
            expect(board.locator("[data-board-period]")).to_contain_text("All time")
            expect(board.locator("tr.cw-line").first).to_contain_text("Olga Oldtimer")
            expect(board.locator('tr[aria-current="true"]')).to_contain_text("Amir")
            assert board.get_by_label("Period").input_value() == "all"
            board.get_by_label("Who").select_option(label="My team (Blue)")
            board.get_by_role("button", name="Show").click()
            expect(board.locator("tr.cw-line").first).to_contain_text("Colleague 5")
            expect(board.locator(".cw-standing")).to_contain_text("You are number 7 of 7")
        # The framed page kept the parent origin, so it still sizes itself in the intranet's page.
        frame = page.locator(FRAME)
        expect(frame).not_to_have_css("height", "320px")
    finally:
        context.close()


def test_a_hidden_ambassador_sees_only_themselves_marked(site, chromium):
    from playwright.sync_api import expect

    programme(site)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=bea")
        for board in modes(page).values():
            me = board.locator('tr[aria-current="true"]')
            expect(me).to_contain_text("Bea")
            expect(me).to_contain_text("only you see yourself")
            expect(board.locator('[data-state="hidden"]')).to_be_visible()
    finally:
        context.close()


def test_no_serious_accessibility_violations_in_the_leaderboard(site, chromium, axe_violations):
    programme(site)
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        for board in modes(page).values():
            board.locator("tr.cw-me").first.wait_for()
        found = {"intranet page": axe_violations(page)}
        for frame in page.frames:
            if "/embed/leaderboard" in frame.url:
                found[frame.url.split("?")[0]] = axe_violations(frame)
        assert len(found) == 2
        serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
        assert not serious, serious
    finally:
        context.close()


@pytest.mark.parametrize(("label", "width"), [("360", 360), ("desktop", 1100)])
def test_the_leaderboard_fits_and_screenshots(site, chromium, label, width, tmp_path):
    """Works at 360 px; screenshots for docs/screenshots/ (written there with CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    programme(site)
    context = chromium.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        element = page.locator('clarion-widget[name="leaderboard"]')
        element.locator("tr.cw-me").wait_for()
        path = target / f"leaderboard-{label}.png"
        element.screenshot(path=str(path))
        assert path.stat().st_size > 1000
        assert element.bounding_box()["width"] <= width
        framed = page.frame_locator(FRAME).locator("body")
        framed.locator("tr.cw-me").wait_for()
        assert framed.evaluate("body => body.scrollWidth <= body.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
