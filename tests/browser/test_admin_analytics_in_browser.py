"""The analytics dashboards in a real browser: change the range, drill down, axe, 360 px, screenshots."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa
from test_admin_in_browser import REPO, admin_page, sign_in  # noqa: F401  (admin_page is a fixture)

from clarion.actors import Actor
from clarion.metrics import rollups
from clarion.metrics.metrics import record_sample
from clarion.models import Click, MetricSource
from clarion.shares import sharing

capture_ids = count()
# (days ago, person, network, counted clicks)
HISTORY = [
    (70, "amir", "linkedin", 4),
    (40, "bram", "x", 2),
    (20, "amir", "x", 1),
    (8, "cleo", "linkedin", 6),
    (1, "bram", "linkedin", 3),
]


def seed(site: Any) -> None:
    """Ada (admin) and three ambassadors in two teams with 70 days of shares, clicks and reactions, rolled up."""
    site.person("ada", role="admin", name="Ada Admin")
    people = {
        "amir": site.person("amir", team="Sales", name="Amir Haddad"),
        "bram": site.person("bram", team="Support", name="Bram de Vries"),
        "cleo": site.person("cleo", team="Support", name="Cleo Martin"),
    }
    content_id = site.content("Our new office in Utrecht", summary="Two hundred people, one canal view.")
    now = datetime.now(UTC)
    for days_ago, who, network, clicks in HISTORY:
        person = people[who]
        actor = Actor(person.id, person.external_id, person.role)
        with site.engine.transaction() as session:
            share_id = sharing.create_share(
                site.engine, session, actor, content_id=content_id, network=network
            ).share.id
            sharing.open_share(site.engine, session, actor, share_id)
        moment = now - timedelta(days=days_ago, minutes=5)
        with site.engine.transaction() as session:
            session.execute(
                sa.text("UPDATE event SET occurred_at = :moment WHERE share_id = :id AND kind = 'share.published'"),
                {"moment": moment, "id": share_id},
            )
            for number in range(clicks):
                session.add(
                    Click(
                        capture_id=f"b{next(capture_ids)}",
                        share_id=share_id,
                        occurred_at=moment + timedelta(hours=number + 1),
                        counted=True,
                    )
                )
            record_sample(
                session,
                share_id,
                "reactions",
                3 * clicks,
                source=MetricSource.REPORTED,
                observed_at=moment + timedelta(hours=12),
            )
    rollups.update(site.engine, settle_seconds=0)


def test_dashboard_range_drill_down_axe_and_360px(site, admin_page, axe_violations):  # noqa: F811
    seed(site)
    page = admin_page(bypass_csp=True)
    sign_in(page, site.clarion, "ada")
    page.get_by_role("link", name="Open the analytics dashboards").click()
    page.get_by_role("heading", name="Programme analytics", level=1).wait_for()
    assert page.locator('[data-figure="shares"]').inner_text() == "5"
    found = {"overview": axe_violations(page)}

    # Only the last 30 days, per day: two shares left, one column per day.
    today = datetime.now(UTC).date()
    page.get_by_label("From").fill((today - timedelta(days=29)).isoformat())
    page.get_by_label("Show per").select_option("day")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**interval=day**")
    assert page.locator('[data-figure="shares"]').inner_text() == "3"
    assert page.locator("figure:has(#chart-shares-title) rect.bar").count() == 30
    # The data behind a chart opens by keyboard.
    summary = page.locator("figure:has(#chart-shares-title) details.chart-data summary")
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("figure:has(#chart-shares-title) details.chart-data table").is_visible()
    # The formula behind a figure, too.
    page.locator('li.figure-card:has([data-figure="potential_reach"]) summary').focus()
    page.keyboard.press("Enter")
    assert page.locator('li.figure-card:has([data-figure="potential_reach"]) .formula').is_visible()
    found["overview-by-day"] = axe_violations(page)

    page.get_by_role("link", name="Support", exact=True).click()
    page.get_by_role("heading", name="Team: Support").wait_for()
    assert page.locator('[data-figure="shares"]').inner_text() == "2"
    assert "interval=day" in page.url
    found["team"] = axe_violations(page)

    # A range that ends before it starts: the form again, with the message announced.
    page.goto(f"{site.clarion}/admin/analytics?from=2026-05-10&to=2026-05-01")
    page.get_by_role("alert").wait_for()
    assert "before the start date" in page.get_by_role("alert").inner_text()
    found["bad-range"] = axe_violations(page)
    serious = {where: [v["id"] for v in violations] for where, violations in found.items() if violations}
    assert not serious, serious


@pytest.mark.parametrize(("label", "width"), [("360", 360), ("desktop", 1100)])
def test_analytics_pages_fit_and_are_screenshotted(site, admin_page, label, width, tmp_path):  # noqa: F811
    """Screenshots for docs/screenshots/ (written there with CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    seed(site)
    page = admin_page(width=width)
    sign_in(page, site.clarion, "ada")
    for name, path in (("analytics", "/admin/analytics"), ("analytics-network", "/admin/analytics/networks/linkedin")):
        page.goto(site.clarion + path)
        # At 360 px nothing scrolls sideways (wide tables scroll inside their own box).
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        shot = target / f"admin-{name}-{label}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 1000
