"""The core's admin sections, registered through ``clarion_admin_pages_register`` like any plugin's.

An essential plugin (``core-admin``): content, the review queue, campaigns, people and the
programme. Plugins register their own pages the same way (``gamification`` its challenges,
``analytics`` its dashboards). The controllers are imported when the hook runs (the web application is built),
so the command line and the workers never load the admin UI.
"""

from __future__ import annotations

from collections.abc import Sequence

from clarion import hookimpl
from clarion.contracts import AdminPage
from clarion.models import Role

EDITOR = Role.EDITOR.value
ADMIN = Role.ADMIN.value


@hookimpl
def clarion_admin_pages_register() -> Sequence[AdminPage]:
    from clarion.ambassadors.admin import AdminAmbassadorController
    from clarion.content.admin import AdminContentController, AdminReviewController
    from clarion.content.admin_campaigns import AdminCampaignController
    from clarion.web.admin.programme import AdminGuidelinesController, AdminProgrammeController

    return [
        AdminPage("/admin/content", "Content", EDITOR, [AdminContentController], order=10),
        AdminPage("/admin/review", "Review queue", EDITOR, [AdminReviewController], order=20),
        AdminPage("/admin/campaigns", "Campaigns", EDITOR, [AdminCampaignController], order=30),
        AdminPage("/admin/ambassadors", "Ambassadors", ADMIN, [AdminAmbassadorController], order=60),
        AdminPage(
            "/admin/settings", "Programme", ADMIN, [AdminProgrammeController, AdminGuidelinesController], order=70
        ),
    ]
