"""``/admin/kudos``: the programme team reads this week's kudos, the recorded weeks and every thanks.

Registered with ``clarion_admin_pages_register`` and built with the admin kit
(:mod:`clarion.web.admin.kit`); an admin can also hide a thank-you's message (the thanks and
its points stay), which is recorded as an event.
"""

from __future__ import annotations

from typing import Any

from clarion.pagination import PageRequest
from clarion.web.admin import kit
from clarion.web.admin.kit import ADMIN, ADMIN_FORM, PAGE_SIZE, Form, Offset
from clarion.web.auth import ActorDep, EngineDep
from clarion.web.common import IdPath
from litestar import Request, Response, get, post

from clarion_kudos import service


class AdminKudosController(kit.AdminPageController):
    """Mounted by ``clarion_admin_pages_register``: the admin area's sign-in, role guard and error pages."""

    path = "/admin/kudos"

    @get("/", sync_to_thread=True, opt=ADMIN)
    def overview(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], offset: Offset = 0
    ) -> Response[str]:
        monday = service.week_start(engine.clock.today())
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            return kit.page(
                request,
                viewer,
                "kudos/admin.html",
                week_start=monday,
                this_week=service.week_lines(session, monday),
                weeks=service.summaries(session),
                page=service.latest(session, actor, PageRequest(PAGE_SIZE, offset)),
            )

    @post("/{kudos_id:int}/hide", sync_to_thread=True, opt=ADMIN_FORM, status_code=303)
    def hide(self, engine: EngineDep, actor: ActorDep, kudos_id: IdPath, data: Form) -> Response[Any]:
        kit.checked_form(engine, actor, data)
        with engine.transaction() as session:
            service.hide_message(session, actor, kudos_id)
        return kit.redirect("/admin/kudos", hidden="1")
