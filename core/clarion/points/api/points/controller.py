"""Points: my points, an ambassador's points (admins), and the review of held points."""

from __future__ import annotations

from litestar import get, post
from litestar.di import Provide
from litestar.params import FromQuery

from clarion.models import EntryStatus, Role
from clarion.points import points as points_service
from clarion.points.api.points.schemas import HeldPage, PointsEntryOut, PointsPage
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, PageDep, page_meta, page_request, problems

AMBASSADOR = {"role": Role.AMBASSADOR.value}
ADMIN = {"role": Role.ADMIN.value}


class PointsController(ClarionController):
    path = "/api/v1"
    tags = ["points"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    def _points(
        self, engine: EngineDep, actor: ActorDep, ambassador_id: int, page: PageDep, status: EntryStatus | None
    ) -> PointsPage:
        with engine.transaction() as session:
            result = points_service.ledger(session, actor, ambassador_id, page, status=status)
            balance = points_service.balance(session, ambassador_id)
            return PointsPage.of(balance, [PointsEntryOut.of(line) for line in result.items], page_meta(result))

    @get(
        "/me/points",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="My points, and why I have them",
        description="Balance, held points and every entry with its rule, reason, event and date; newest first.",
        responses=problems(422),
    )
    def my_points(
        self, engine: EngineDep, actor: ActorDep, page: PageDep, status: FromQuery[EntryStatus | None] = None
    ) -> PointsPage:
        return self._points(engine, actor, actor.ambassador_id, page, status)

    @get(
        "/ambassadors/{ambassador_id:int}/points",
        sync_to_thread=True,
        opt=ADMIN,
        summary="An ambassador's points",
        responses=problems(404, 422),
    )
    def ambassador_points(
        self,
        engine: EngineDep,
        actor: ActorDep,
        ambassador_id: IdPath,
        page: PageDep,
        status: FromQuery[EntryStatus | None] = None,
    ) -> PointsPage:
        return self._points(engine, actor, ambassador_id, page, status)

    @get(
        "/points/held",
        sync_to_thread=True,
        opt=ADMIN,
        summary="Points held for review",
        description="Awards flagged as anomalies (e.g. a burst of clicks from few visitors), newest first.",
        responses=problems(422),
    )
    def held(self, engine: EngineDep, actor: ActorDep, page: PageDep) -> HeldPage:
        with engine.transaction() as session:
            result = points_service.held_entries(session, actor, page)
            return HeldPage(items=[PointsEntryOut.of(line) for line in result.items], **page_meta(result))

    @post(
        "/points/{entry_id:int}/release",
        sync_to_thread=True,
        opt=ADMIN,
        status_code=200,
        summary="Release held points into the balance",
        responses=problems(404, 409),
    )
    def release(self, engine: EngineDep, actor: ActorDep, entry_id: IdPath) -> PointsEntryOut:
        with engine.transaction() as session:
            return PointsEntryOut.of(points_service.decide_held(engine, session, actor, entry_id, release=True))

    @post(
        "/points/{entry_id:int}/reject",
        sync_to_thread=True,
        opt=ADMIN,
        status_code=200,
        summary="Reject held points",
        responses=problems(404, 409),
    )
    def reject(self, engine: EngineDep, actor: ActorDep, entry_id: IdPath) -> PointsEntryOut:
        with engine.transaction() as session:
            return PointsEntryOut.of(points_service.decide_held(engine, session, actor, entry_id, release=False))
