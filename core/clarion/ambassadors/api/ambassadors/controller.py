"""``/api/v1/ambassadors``: programme administration (admins only)."""

from __future__ import annotations

from litestar import get, patch, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody

from clarion.ambassadors import ambassadors as ambassador_service
from clarion.ambassadors.api.ambassadors.schemas import (
    AccountOut,
    AmbassadorCreate,
    AmbassadorOut,
    AmbassadorPage,
    AmbassadorUpdate,
)
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, PageDep, page_meta, page_request, problems

ADMIN = {"role": Role.ADMIN.value}


class AmbassadorController(ClarionController):
    path = "/api/v1/ambassadors"
    tags = ["ambassadors"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @get("/", sync_to_thread=True, opt=ADMIN, summary="List ambassadors", responses=problems(422))
    def list_ambassadors(
        self,
        engine: EngineDep,
        actor: ActorDep,
        page: PageDep,
        team: FromQuery[str | None] = None,
        department: FromQuery[str | None] = None,
        role: FromQuery[Role | None] = None,
        search: FromQuery[str | None] = None,
    ) -> AmbassadorPage:
        with engine.transaction() as session:
            result = ambassador_service.list_ambassadors(
                session, actor, page, team=team, department=department, role=role, search=search
            )
            return AmbassadorPage(items=[AmbassadorOut.of(item) for item in result.items], **page_meta(result))

    @post("/", sync_to_thread=True, opt=ADMIN, summary="Invite an ambassador", responses=problems(409, 422))
    def create_ambassador(self, engine: EngineDep, actor: ActorDep, data: JSONBody[AmbassadorCreate]) -> AmbassadorOut:
        with engine.transaction() as session:
            return AmbassadorOut.of(ambassador_service.create_ambassador(session, actor, data.model_dump()))

    @get("/{ambassador_id:int}", sync_to_thread=True, opt=ADMIN, summary="Read an ambassador", responses=problems(404))
    def get_ambassador(self, engine: EngineDep, actor: ActorDep, ambassador_id: IdPath) -> AmbassadorOut:
        with engine.transaction() as session:
            return AmbassadorOut.of(ambassador_service.get_ambassador(session, actor, ambassador_id))

    @patch(
        "/{ambassador_id:int}",
        sync_to_thread=True,
        opt=ADMIN,
        summary="Change role, level or profile",
        responses=problems(404, 409, 422),
    )
    def update_ambassador(
        self, engine: EngineDep, actor: ActorDep, ambassador_id: IdPath, data: JSONBody[AmbassadorUpdate]
    ) -> AmbassadorOut:
        with engine.transaction() as session:
            changes = data.model_dump(exclude_unset=True)
            return AmbassadorOut.of(ambassador_service.update_ambassador(session, actor, ambassador_id, changes))

    @get(
        "/{ambassador_id:int}/accounts",
        sync_to_thread=True,
        opt=ADMIN,
        summary="An ambassador's network accounts",
        responses=problems(404),
    )
    def list_accounts(self, engine: EngineDep, actor: ActorDep, ambassador_id: IdPath) -> list[AccountOut]:
        with engine.transaction() as session:
            return [AccountOut.of(a) for a in ambassador_service.list_accounts(session, actor, ambassador_id)]
