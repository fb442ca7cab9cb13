"""The audit-log plugin's admin page in chromium: an admin finds who changed a role, by keyboard; axe at 1280 and 360 px."""

from __future__ import annotations

from typing import Any

import pytest
from test_admin_in_browser import admin_page, sign_in  # noqa: F401  (admin_page is a fixture)

from clarion.actors import Actor
from clarion.ambassadors import ambassadors as ambassador_service
from clarion.content import campaigns as campaign_service


def seed(site: Any) -> int:
    """Ada (admin) makes Amir an editor and starts a campaign; Amir's id."""
    ada = site.person("ada", role="admin", name="Ada Admin")
    amir = site.person("amir", team="Sales", name="Amir Haddad")
    actor = Actor(ada.id, ada.external_id, ada.role, "admin")
    with site.engine.transaction() as session:
        ambassador_service.update_ambassador(session, actor, amir.id, {"role": "editor"})
        campaign_service.create_campaign(session, actor, {"name": "Spring", "slug": "spring"})
    return int(amir.id)


@pytest.mark.parametrize("width", [1280, 360])
def test_an_admin_finds_who_changed_a_role(site, admin_page, axe_violations, width):  # noqa: F811
    amir_id = seed(site)
    page = admin_page(width=width)
    sign_in(page, site.clarion, "ada")
    page.goto(f"{site.clarion}/admin/audit")
    page.get_by_role("heading", name="Audit log", level=1).wait_for()
    found = {"list": axe_violations(page)}
    assert "2 changes" in page.inner_text("main")

    page.get_by_label("Subject type").fill("ambassador")
    page.get_by_label("Subject id").fill(str(amir_id))
    page.get_by_label("Subject id").press("Enter")
    page.wait_for_url("**/admin/audit?*")
    table = page.get_by_role("table").inner_text()
    assert "ambassador.role_changed" in table
    assert "Ada Admin" in table
    assert '"editor"' in table
    assert "campaign.created" not in table
    found["filtered"] = axe_violations(page)

    page.goto(f"{site.clarion}/admin/audit?since=soon")
    assert "since must be a date" in page.get_by_role("alert").inner_text()
    found["error"] = axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert {where: [v["id"] for v in violations] for where, violations in found.items() if violations} == {}
