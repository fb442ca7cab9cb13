"""Levels: mine and what the next one needs, and setting an ambassador's level by hand (editors).

Tagged ``points`` as before gamification became a plugin, so the API document is unchanged.
"""

from __future__ import annotations

from litestar import get, post
from litestar.params import JSONBody

from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, problems
from clarion_plugins.gamification.services import levels as level_service
from clarion_plugins.gamification.web.levels.schemas import LevelChange, LevelOut

AMBASSADOR = {"role": Role.AMBASSADOR.value}
EDITOR = {"role": Role.EDITOR.value}


class LevelController(ClarionController):
    path = "/api/v1"
    tags = ["points"]

    @get(
        "/me/level",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="My level and what the next one needs",
        description="Progress per criterion; levels are never a quota and are never lost automatically.",
        responses=problems(),
    )
    def my_level(self, engine: EngineDep, actor: ActorDep) -> LevelOut:
        with engine.transaction() as session:
            return LevelOut.of(level_service.level_progress(engine, session, actor.ambassador_id))

    @post(
        "/ambassadors/{ambassador_id:int}/level",
        sync_to_thread=True,
        opt=EDITOR,
        status_code=200,
        summary="Set an ambassador's level by hand",
        description="For levels the programme unlocks by promotion only, or to correct one; recorded as an event.",
        responses=problems(404),
    )
    def set_level(
        self, engine: EngineDep, actor: ActorDep, ambassador_id: IdPath, data: JSONBody[LevelChange]
    ) -> LevelOut:
        with engine.transaction() as session:
            return LevelOut.of(level_service.set_level(engine, session, actor, ambassador_id, data.level))
