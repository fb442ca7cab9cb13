"""The metrics-import plugin's admin page in chromium: check, import, errors, axe, 360 px, keyboard."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlmodel import select
from test_admin_in_browser import REPO, admin_page, sign_in  # noqa: F401  (admin_page is a fixture)

from clarion.actors import Actor
from clarion.models import MetricSample
from clarion.shares import sharing


def seed(site: Any) -> int:
    """Ada (admin) and one published LinkedIn share of Amir's; its id."""
    site.person("ada", role="admin", name="Ada Admin")
    amir = site.person("amir", team="Sales", name="Amir Haddad")
    content_id = site.content("Our new office in Utrecht", summary="Two hundred people, one canal view.")
    actor = Actor(amir.id, amir.external_id, amir.role)
    with site.engine.transaction() as session:
        share_id = sharing.create_share(site.engine, session, actor, content_id=content_id, network="linkedin").share.id
        sharing.open_share(site.engine, session, actor, share_id)
    assert share_id is not None
    return share_id


def stored(site: Any, share_id: int) -> list[tuple[str, int]]:
    with site.engine.transaction() as session:
        rows = session.exec(select(MetricSample).where(MetricSample.share_id == share_id)).all()
        return sorted((sample.metric, sample.value) for sample in rows)


def test_an_admin_checks_then_imports_figures_by_keyboard(site, admin_page, axe_violations):  # noqa: F811
    share_id = seed(site)
    page = admin_page(bypass_csp=True)
    sign_in(page, site.clarion, "ada")
    page.get_by_role("link", name="Import metrics").click()
    page.get_by_role("heading", name="Import metrics", level=1).wait_for()
    found = {"form": axe_violations(page)}

    # A bad row first: nothing is stored and the problem is named by line and column.
    page.get_by_label("Or paste the lines").fill(
        f"share,metric,value,observed_at\n{share_id},impressions,1250,2026-11-20\n{share_id},likes,-1,2026-11-21\n"
    )
    page.get_by_role("button", name="Check or import").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Nothing was imported:" in alert.inner_text()
    assert "must not be negative" in alert.inner_text()
    found["error"] = axe_violations(page)

    # Corrected and checked ("Check only" stays on): the rows are shown, nothing stored.
    page.get_by_label("Or paste the lines").fill(
        f"share,metric,value,observed_at\n{share_id},impressions,1250,2026-11-20\n{share_id},likes,48,2026-11-21\n"
    )
    page.get_by_label("Or paste the lines").press("Tab")
    assert page.get_by_label("Check only: show what would be imported, store nothing").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Checked: nothing was stored yet").wait_for()
    assert page.get_by_role("status").inner_text() == "2 sample(s) would be imported; 0 row(s) are already stored."
    assert stored(site, share_id) == []
    found["checked"] = axe_violations(page)

    page.get_by_role("button", name="Import these rows").click()
    page.get_by_role("heading", name="Imported", level=2).wait_for()
    assert page.get_by_role("status").inner_text() == "2 sample(s) imported; 0 row(s) were already stored."
    assert stored(site, share_id) == [("impressions", 1250), ("reactions", 48)]
    found["imported"] = axe_violations(page)
    assert {where: [v["id"] for v in violations] for where, violations in found.items() if violations} == {}


@pytest.mark.parametrize(("label", "width"), [("360", 360), ("desktop", 1100)])
def test_the_import_page_fits_and_is_screenshotted(site, admin_page, label, width, tmp_path):  # noqa: F811
    """Screenshots for docs/screenshots/ (written there with CLARION_UPDATE_SCREENSHOTS=1)."""
    target = REPO / "docs" / "screenshots" if os.environ.get("CLARION_UPDATE_SCREENSHOTS") == "1" else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    share_id = seed(site)
    page = admin_page(width=width)
    sign_in(page, site.clarion, "ada")
    page.goto(f"{site.clarion}/admin/metrics-import/")
    page.get_by_label("Or paste the lines").fill(
        f"share,metric,value,observed_at\n{share_id},impressions,1250,2026-11-20\n{share_id},comments,7,2026-11-21T09:30:00+01:00\n"
    )
    page.get_by_role("button", name="Check or import").click()
    page.get_by_role("heading", name="Checked: nothing was stored yet").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shot = target / f"admin-metrics-import-{label}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 1000
