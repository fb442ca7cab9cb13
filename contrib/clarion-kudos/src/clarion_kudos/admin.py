"""``/admin/kudos``: the programme team reads this week's kudos, the recorded weeks and every thanks.

The one module of this plugin that uses Clarion's admin layout and helpers; an admin can also
hide a thank-you's message (the thanks and its points stay), which is recorded as an event.
"""

from __future__ import annotations

from typing import Any

from clarion.models.types import utcnow
from clarion.services.pagination import PageRequest
from clarion.web.admin.controller import (
    ADMIN,
    ADMIN_FORM,
    PAGE_SIZE,
    AdminController,
    Form,
    Offset,
    _checked_form,
    _page,
    _viewer,
)
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath
from litestar import Request, Response, get, post
from litestar.response import Redirect

from clarion_kudos import service


class AdminKudosController(ClarionController):
    path = "/admin/kudos"
    include_in_schema = False
    # Errors as admin pages (and a sign-in redirect), exactly as the core's admin sections answer.
    exception_handlers = AdminController.exception_handlers

    @get("/", sync_to_thread=True, opt=ADMIN)
    def overview(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], offset: Offset = 0
    ) -> Response[str]:
        monday = service.week_start(utcnow().date())
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            return _page(
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
        _checked_form(engine, actor, data)
        with engine.transaction() as session:
            service.hide_message(session, actor, kudos_id)
        return Redirect(path="/admin/kudos?hidden=1", status_code=303)
