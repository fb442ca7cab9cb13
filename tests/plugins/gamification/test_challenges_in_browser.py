"""The challenges widget in a real browser: joining by a click, in the custom element and in the iframe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from clarion_plugins.gamification.models import Challenge, ChallengeKind, ChallengeMeasure, ChallengeParticipant

FRAME = 'iframe[title="Clarion: challenges"]'


@pytest.fixture
def context(chromium: Any) -> Any:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def challenge(site: Any) -> int:
    with site.engine.transaction() as session:
        row = Challenge(
            title="Share 3 job posts this month",
            kind=ChallengeKind.INDIVIDUAL,
            measure=ChallengeMeasure.SHARES,
            target=3,
            starts_at=datetime.now(UTC) - timedelta(days=2),
            ends_at=datetime.now(UTC) + timedelta(days=20),
            reward="Lunch with the hiring team",
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        return row.id


def joined(site: Any, challenge_id: int) -> list[int]:
    with site.engine.transaction() as session:
        query = select(ChallengeParticipant.ambassador_id).where(ChallengeParticipant.challenge_id == challenge_id)
        return list(session.exec(query).all())


def test_an_ambassador_joins_and_leaves_a_challenge_from_the_widget(site, context):
    from playwright.sync_api import expect

    amir = site.person("amir")
    challenge_id = challenge(site)
    page = context.new_page()
    page.goto(f"{site.intranet}/?user=amir")
    element = page.locator('clarion-widget[name="challenges"]')
    element.get_by_text("Share 3 job posts this month").wait_for()
    assert joined(site, challenge_id) == []  # showing the widget joins nobody
    join = element.get_by_role("button", name="Join")
    expect(join).to_be_enabled()
    join.click()
    expect(element.get_by_role("button", name="Leave")).to_be_visible()
    expect(element.get_by_text("0 of 3")).to_be_visible()
    assert joined(site, challenge_id) == [amir.id]
    # The framed page acts with its session cookie and CSRF header.
    # The widgets on one page tell each other: the framed one shows the join without a reload.
    framed = page.frame_locator(FRAME)
    leave = framed.get_by_role("button", name="Leave")
    expect(leave).to_be_enabled()
    leave.click()
    expect(framed.get_by_role("button", name="Join")).to_be_enabled()
    assert joined(site, challenge_id) == []


def test_no_serious_accessibility_violations_in_the_challenges_widget(site, chromium, axe_violations):
    amir = site.person("amir")
    challenge_id = challenge(site)
    with site.engine.transaction() as session:
        session.add(ChallengeParticipant(challenge_id=challenge_id, ambassador_id=amir.id))
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site.intranet}/?user=amir")
        page.locator('clarion-widget[name="challenges"] .cw-challenge').wait_for()
        page.frame_locator(FRAME).locator(".cw-challenge").wait_for()
        found = {"intranet page": axe_violations(page)}
        for frame in page.frames:
            if "/embed/challenges" in frame.url:
                found["frame"] = axe_violations(frame)
        assert len(found) == 2
        serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
        assert not serious, serious
    finally:
        context.close()
