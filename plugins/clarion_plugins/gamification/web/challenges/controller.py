"""``/api/v1/challenges`` (editors manage them) and ``/api/v1/me/challenges`` (ambassadors opt in)."""

from __future__ import annotations

from litestar import delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody

from clarion.models import Ambassador, Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, PageDep, page_meta, page_request, problems
from clarion_plugins.gamification.services import challenges as challenge_service
from clarion_plugins.gamification.services.challenges import ChallengeStatus
from clarion_plugins.gamification.web.challenges.schemas import (
    ChallengeCreate,
    ChallengeOut,
    ChallengePage,
    ChallengeUpdate,
    MyChallengeOut,
    MyChallengesOut,
    ResultsOut,
    my_challenge_out,
)

AMBASSADOR = {"role": Role.AMBASSADOR.value}
EDITOR = {"role": Role.EDITOR.value}


class ChallengeController(ClarionController):
    path = "/api/v1/challenges"
    tags = ["challenges"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @get("/", sync_to_thread=True, opt=EDITOR, summary="List challenges", responses=problems(422))
    def list_challenges(
        self,
        engine: EngineDep,
        actor: ActorDep,
        page: PageDep,
        status: FromQuery[ChallengeStatus | None] = None,
        archived: FromQuery[bool] = False,
    ) -> ChallengePage:
        with engine.transaction() as session:
            result = challenge_service.list_challenges(session, page, status=status, archived=archived)
            return ChallengePage(items=[ChallengeOut.of(item) for item in result.items], **page_meta(result))

    @post(
        "/",
        sync_to_thread=True,
        opt=EDITOR,
        summary="Create a challenge",
        description=(
            "A time-boxed, voluntary goal. Individual challenges count people who join them; team challenges "
            "count each team's opted-in members and show team totals only. Participation (the share of a team's "
            "opted-in members who shared at least once) is a team measure with a percentage target."
        ),
        responses=problems(409, 422),
    )
    def create_challenge(self, engine: EngineDep, actor: ActorDep, data: JSONBody[ChallengeCreate]) -> ChallengeOut:
        with engine.transaction() as session:
            return ChallengeOut.of(
                challenge_service.create_challenge(session, actor, data.model_dump(), networks=engine.connectors())
            )

    @get("/{challenge_id:int}", sync_to_thread=True, opt=EDITOR, summary="Read a challenge", responses=problems(404))
    def get_challenge(self, engine: EngineDep, actor: ActorDep, challenge_id: IdPath) -> ChallengeOut:
        with engine.transaction() as session:
            return ChallengeOut.of(challenge_service.get_challenge(session, challenge_id))

    @patch(
        "/{challenge_id:int}",
        sync_to_thread=True,
        opt=EDITOR,
        summary="Change a challenge",
        responses=problems(404, 409, 422),
    )
    def update_challenge(
        self, engine: EngineDep, actor: ActorDep, challenge_id: IdPath, data: JSONBody[ChallengeUpdate]
    ) -> ChallengeOut:
        with engine.transaction() as session:
            changes = data.model_dump(exclude_unset=True)
            return ChallengeOut.of(
                challenge_service.update_challenge(session, actor, challenge_id, changes, networks=engine.connectors())
            )

    @delete(
        "/{challenge_id:int}",
        sync_to_thread=True,
        opt=EDITOR,
        summary="Archive a challenge",
        description="Hides it from ambassadors; who joined and its results are kept.",
        responses=problems(404),
    )
    def archive_challenge(self, engine: EngineDep, actor: ActorDep, challenge_id: IdPath) -> None:
        with engine.transaction() as session:
            challenge_service.archive_challenge(session, actor, challenge_id)

    @get(
        "/{challenge_id:int}/results",
        sync_to_thread=True,
        opt=EDITOR,
        summary="Progress and results of a challenge",
        description=(
            "Live until `results_final_at` (the end plus a grace period for late verifications and click "
            "corrections), then frozen: later corrections no longer change who qualified."
        ),
        responses=problems(404),
    )
    def challenge_results(self, engine: EngineDep, actor: ActorDep, challenge_id: IdPath) -> ResultsOut:
        with engine.transaction() as session:
            challenge = challenge_service.get_challenge(session, challenge_id)
            return ResultsOut.of(challenge_service.results(session, challenge))


class MyChallengeController(ClarionController):
    path = "/api/v1/me/challenges"
    tags = ["challenges"]

    @get(
        "/",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Challenges I can take part in, with my progress",
        description="Active, upcoming and recently ended challenges, my progress and my team's; nobody else's.",
        responses=problems(),
    )
    def my_challenges(self, engine: EngineDep, actor: ActorDep) -> MyChallengesOut:
        with engine.transaction() as session:
            views = challenge_service.my_challenges(session, actor.ambassador_id)
            return MyChallengesOut(items=[my_challenge_out(view) for view in views])

    @post(
        "/{challenge_id:int}/participation",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Join a challenge",
        description="Opt in to an individual challenge that has not ended. Joining twice changes nothing.",
        responses=problems(404, 409),
    )
    def join_challenge(self, engine: EngineDep, actor: ActorDep, challenge_id: IdPath) -> MyChallengeOut:
        with engine.transaction() as session:
            challenge = challenge_service.join(session, actor, challenge_id)
            person = session.get(Ambassador, actor.ambassador_id)
            assert person is not None
            return my_challenge_out(challenge_service.my_challenge(session, challenge, person))

    @delete(
        "/{challenge_id:int}/participation",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Leave a challenge",
        description="Stop taking part before it ends; nobody is told.",
        responses=problems(404, 409),
    )
    def leave_challenge(self, engine: EngineDep, actor: ActorDep, challenge_id: IdPath) -> None:
        with engine.transaction() as session:
            challenge_service.leave(session, actor, challenge_id)
