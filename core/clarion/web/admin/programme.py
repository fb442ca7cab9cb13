"""``/admin/settings`` and ``/admin/guidelines``: the programme as configured, and its social media guidelines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post

from clarion.actors import Actor
from clarion.content import guidelines as guidelines_service
from clarion.engine import Engine
from clarion.errors import ClarionError, ValidationFailed
from clarion.web.admin import kit
from clarion.web.auth import ActorDep, EngineDep
from clarion.web.problems import status_for


class AdminProgrammeController(kit.AdminPageController):
    path = "/admin/settings"

    @get("/", sync_to_thread=True, opt=kit.ADMIN)
    def programme(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        viewer = kit.transact(engine, lambda session: kit.viewer_of(engine, session, actor))
        return kit.page(
            request,
            viewer,
            "admin/settings.html",
            settings=engine.settings,
            plugins=engine.pm.describe(),
            guidelines_version=kit.transact(
                engine, lambda session: guidelines_service.current_version(engine, session)
            ),
            networks=list(engine.connectors().values()),
        )


def _guidelines_page(
    engine: Engine,
    request: Request[Any, Any, Any],
    actor: Actor,
    values: Mapping[str, Any] | None = None,
    error: ClarionError | None = None,
) -> Response[str]:
    with engine.transaction() as session:
        viewer = kit.viewer_of(engine, session, actor)
        in_force = guidelines_service.current(engine, session)
        taking_part, versions = guidelines_service.acceptance(engine, session)
        latest = guidelines_service.latest_body(session)
    return kit.page(
        request,
        viewer,
        "admin/guidelines.html",
        200 if error is None else status_for(error),
        in_force=in_force,
        taking_part=taking_part,
        versions=versions,
        values=values if values is not None else {"body": latest or ""},
        error=error,
    )


class AdminGuidelinesController(kit.AdminPageController):
    """Publishing a new version asks everyone taking part to accept it, so the form wants a confirmation."""

    path = "/admin/guidelines"

    @get("/", sync_to_thread=True, opt=kit.ADMIN)
    def guidelines(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        return _guidelines_page(engine, request, actor)

    @post("/", sync_to_thread=True, opt=kit.ADMIN_FORM, status_code=303)
    def guidelines_publish(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: kit.Form
    ) -> Response[Any]:
        form = kit.checked_form(engine, actor, data)
        try:
            if form.get("confirm") != "yes":
                raise ValidationFailed(
                    "confirm that everyone taking part will be asked to accept the new version", field="confirm"
                )
            with engine.transaction() as session:
                guidelines_service.publish(
                    engine, session, actor, str(form.get("version") or ""), str(form.get("body") or "")
                )
        except ClarionError as exc:
            return _guidelines_page(engine, request, actor, values=form, error=exc)
        return kit.redirect("/admin/guidelines", saved="1")
