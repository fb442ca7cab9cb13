"""``/admin/sessions``: the open sessions, newest first, with a button to end one or all of a person's."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import PathParameter
from sqlmodel import Session, col, func, select

from clarion.actors import Actor
from clarion.ambassadors.widget_sessions import end_sessions
from clarion.engine import Engine
from clarion.errors import NotFound
from clarion.models import Ambassador, AuthSession
from clarion.pagination import Page, PageRequest
from clarion.web.admin import kit
from clarion.web.admin.kit import ADMIN, ADMIN_FORM, Form, Offset
from clarion.web.auth import ActorDep, EngineDep
from clarion.web.common import MAX_ID

PATH = "/admin/sessions"
SessionId = Annotated[str, PathParameter(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
PersonId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]


def open_sessions(engine: Engine, session: Session, page: PageRequest) -> Page[tuple[AuthSession, Ambassador]]:
    """Sessions neither ended nor expired, the latest seen first, each with its person."""
    where = (col(AuthSession.ended_at).is_(None), col(AuthSession.expires_at) > engine.clock.now())
    total = session.exec(select(func.count()).select_from(AuthSession).where(*where)).one()
    rows = session.exec(
        select(AuthSession, Ambassador)
        .join(Ambassador, col(Ambassador.id) == col(AuthSession.ambassador_id))
        .where(*where)
        .order_by(col(AuthSession.last_seen_at).desc(), col(AuthSession.id))
        .offset(page.offset)
        .limit(page.limit)
    ).all()
    return Page(items=[(row, person) for row, person in rows], total=total, limit=page.limit, offset=page.offset)


def _end(engine: Engine, actor: Actor, ambassador_id: int, session_id: str | None) -> None:
    with engine.transaction() as session:
        if session.get(Ambassador, ambassador_id) is None:
            raise NotFound("nobody has this id")
        ended = end_sessions(session, ambassador_id, session_id=session_id)
        if session_id is not None and not ended:
            raise NotFound("this session has already ended")
        subject = f"session:{session_id}" if session_id else f"ambassador:{ambassador_id}"
        kit.audit(
            session, actor, "sessions.ended", subject=subject, payload={"ambassador": ambassador_id, "sessions": ended}
        )


class AdminSessionsController(kit.AdminPageController):
    """Mounted by ``clarion_admin_pages_register``: the admin area's sign-in, role guard and error pages."""

    path = PATH

    @get("/", sync_to_thread=True, opt=ADMIN)
    def list_page(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], offset: Offset = 0
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            page = open_sessions(engine, session, PageRequest(kit.PAGE_SIZE, offset))
        return kit.page(request, viewer, "admin/sessions.html", page=page, own=actor.session_id)

    @post("/{person_id:int}/{session_id:str}/end", sync_to_thread=True, opt=ADMIN_FORM, status_code=303)
    def end_one(
        self, engine: EngineDep, actor: ActorDep, person_id: PersonId, session_id: SessionId, data: Form
    ) -> Response[Any]:
        kit.checked_form(engine, actor, data)
        _end(engine, actor, person_id, session_id)
        return kit.redirect(PATH, ended="1")

    @post("/{person_id:int}/end", sync_to_thread=True, opt=ADMIN_FORM, status_code=303)
    def end_all(self, engine: EngineDep, actor: ActorDep, person_id: PersonId, data: Form) -> Response[Any]:
        kit.checked_form(engine, actor, data)
        _end(engine, actor, person_id, None)
        return kit.redirect(PATH, ended="1")
