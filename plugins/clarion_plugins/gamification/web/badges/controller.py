"""Badges: mine, and an ambassador's (admins)."""

from __future__ import annotations

from litestar import get

from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, problems
from clarion_plugins.gamification.services import badges as badge_service
from clarion_plugins.gamification.web.badges.schemas import BadgesOut

AMBASSADOR = {"role": Role.AMBASSADOR.value}
ADMIN = {"role": Role.ADMIN.value}


class BadgeController(ClarionController):
    path = "/api/v1"
    tags = ["badges"]

    @get(
        "/me/badges",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="My badges, and progress towards the others",
        description="Every badge of the programme: earned ones with when, the others with your current value.",
        responses=problems(),
    )
    def my_badges(self, engine: EngineDep, actor: ActorDep) -> BadgesOut:
        with engine.transaction() as session:
            return BadgesOut.of(badge_service.badge_progress(engine, session, actor.ambassador_id))

    @get(
        "/ambassadors/{ambassador_id:int}/badges",
        sync_to_thread=True,
        opt=ADMIN,
        summary="An ambassador's badges",
        responses=problems(404),
    )
    def ambassador_badges(self, engine: EngineDep, ambassador_id: IdPath) -> BadgesOut:
        with engine.transaction() as session:
            return BadgesOut.of(badge_service.badge_progress(engine, session, ambassador_id))
