"""``/admin/personal-data``: an admin erases a person's account (audited as ``admin.ambassador.erased``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from sqlmodel import col, select

from clarion.ambassadors.ambassadors import erase_ambassador
from clarion.models import Ambassador
from clarion.web.admin import kit
from clarion.web.admin.kit import ADMIN, ADMIN_FORM, Form
from clarion.web.auth import ActorDep, EngineDep
from clarion.web.common import IdPath
from clarion_plugins.my_data import services

LISTED = 200  # people who left, newest first; the others are found on the ambassadors page


class AdminPersonalDataController(kit.AdminPageController):
    path = "/admin/personal-data"

    @get("/", sync_to_thread=True, opt=ADMIN)
    def overview(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            left = session.exec(
                select(Ambassador)
                .where(col(Ambassador.left_at).is_not(None), col(Ambassador.erased_at).is_(None))
                .order_by(col(Ambassador.left_at).desc())
                .limit(LISTED)
            ).all()
            return kit.page(
                request,
                viewer,
                "admin/personal_data.html",
                left=left,
                settings=services.settings_of(engine),
            )

    @get("/{ambassador_id:int}/erase", sync_to_thread=True, opt=ADMIN)
    def confirm(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], ambassador_id: IdPath
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            person = session.get(Ambassador, ambassador_id)
            if person is None or person.erased_at is not None:
                return kit.error_page(request, 404, "no such person, or erased already")
            return kit.page(request, viewer, "admin/personal_data_erase.html", person=person)

    @post("/{ambassador_id:int}/erase", sync_to_thread=True, opt=ADMIN_FORM, status_code=303)
    def erase(self, engine: EngineDep, actor: ActorDep, ambassador_id: IdPath, data: Form) -> Response[Any]:
        form = kit.checked_form(engine, actor, data)
        if form.get("confirm") != "erase":
            return kit.redirect(f"/admin/personal-data/{ambassador_id}/erase", unconfirmed="1")
        erase_ambassador(
            engine,
            ambassador_id,
            audit=lambda session, erasure: kit.audit(
                session,
                actor,
                "ambassador.erased",
                subject=f"ambassador:{ambassador_id}",
                payload={"pseudonym": erasure.pseudonym},
            ),
        )
        return kit.redirect("/admin/personal-data", erased="1")
