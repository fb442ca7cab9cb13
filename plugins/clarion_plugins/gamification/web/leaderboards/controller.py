"""Leaderboards and "employee of the month"."""

from __future__ import annotations

from typing import Annotated

from litestar import get
from litestar.params import FromQuery, QueryParameter

from clarion.errors import NotFound
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import problems
from clarion_plugins.gamification.services import leaderboards as leaderboard_service
from clarion_plugins.gamification.services.leaderboards import MAX_LIMIT, RankBy
from clarion_plugins.gamification.settings import settings_of
from clarion_plugins.gamification.web.leaderboards.schemas import EmployeeOfTheMonthOut, LeaderboardOut, StandingOut

AMBASSADOR = {"role": Role.AMBASSADOR.value}


def _enabled(engine: EngineDep) -> None:
    if not settings_of(engine).leaderboards:
        raise NotFound("leaderboards are turned off in this programme")


class LeaderboardController(ClarionController):
    path = "/api/v1/leaderboards"
    tags = ["leaderboards"]

    @get(
        "",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="A leaderboard, and where I stand",
        description=(
            "The top `limit` for a period and scope, plus your own rank and percentile even when you are not in the "
            "top or hide from leaderboards. Ranked by points, by average per active member (a board of teams), or "
            "audience-normalised: points * 1000 / (1000 + follower counts of your network accounts). Ties: who reached "
            "the score first, then the lower id. Ambassadors who hide from leaderboards appear only to themselves."
        ),
        responses=problems(404, 422),
    )
    def leaderboard(
        self,
        engine: EngineDep,
        actor: ActorDep,
        period: Annotated[
            str,
            QueryParameter(
                description="week, month, quarter, year (the current one), all, rolling30, campaign:<id> or challenge:<id>.",
                max_length=40,
            ),
        ] = "month",
        board_scope: Annotated[
            str,
            QueryParameter(
                name="scope",
                description="company, department:<name>, team:<name>, or campaign:<id> (who shared its content).",
                max_length=200,
            ),
        ] = "company",
        rank_by: FromQuery[RankBy] = RankBy.POINTS,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="How many from the top.")] = 25,
    ) -> LeaderboardOut:
        _enabled(engine)
        with engine.transaction() as session:
            board = leaderboard_service.leaderboard(
                session, period=period, scope=board_scope, rank_by=rank_by, limit=limit, viewer_id=actor.ambassador_id
            )
            return LeaderboardOut.of(board)

    @get(
        "/employee-of-the-month",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Employee of the month",
        description="The top of a month's company board by points, among ambassadors who show on leaderboards.",
        responses=problems(404, 422),
    )
    def employee_of_the_month(
        self,
        engine: EngineDep,
        month: Annotated[
            str | None, QueryParameter(description="YYYY-MM; the last complete month when omitted.", max_length=7)
        ] = None,
    ) -> EmployeeOfTheMonthOut:
        _enabled(engine)
        month = month or leaderboard_service.default_month()
        with engine.transaction() as session:
            winner = leaderboard_service.employee_of_the_month(session, month)
            return EmployeeOfTheMonthOut(month=month, winner=StandingOut.of(winner) if winner else None)
