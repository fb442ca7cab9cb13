"""The social media guidelines: read the version in force (anyone signed in), publish and follow acceptance (admins)."""

from __future__ import annotations

from litestar import get, post
from litestar.params import JSONBody

from clarion.content import guidelines as guidelines_service
from clarion.content.api.guidelines.schemas import GuidelinesAcceptanceOut, GuidelinesOut, GuidelinesPublish
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import problems

AMBASSADOR = {"role": Role.AMBASSADOR.value}
ADMIN = {"role": Role.ADMIN.value}


class GuidelinesController(ClarionController):
    path = "/api/v1/guidelines"
    tags = ["guidelines"]

    @get("/", sync_to_thread=True, opt=AMBASSADOR, summary="The guidelines in force", responses=problems())
    def in_force(self, engine: EngineDep) -> GuidelinesOut:
        with engine.transaction() as session:
            return GuidelinesOut.of(guidelines_service.current(engine, session))

    @post(
        "/",
        sync_to_thread=True,
        opt=ADMIN,
        status_code=201,
        summary="Publish new guidelines",
        description="A new version is in force at once: everyone taking part is asked to accept it again.",
        responses=problems(409, 422),
    )
    def publish(self, engine: EngineDep, actor: ActorDep, data: JSONBody[GuidelinesPublish]) -> GuidelinesOut:
        with engine.transaction() as session:
            guidelines_service.publish(engine, session, actor, data.version, data.body)
            return GuidelinesOut.of(guidelines_service.current(engine, session))

    @get(
        "/acceptance",
        sync_to_thread=True,
        opt=ADMIN,
        summary="Who accepted which version",
        description="Counts only: how many ambassadors taking part last accepted each version.",
        responses=problems(),
    )
    def acceptance(self, engine: EngineDep) -> GuidelinesAcceptanceOut:
        with engine.transaction() as session:
            return GuidelinesAcceptanceOut.of(*guidelines_service.acceptance(engine, session))
