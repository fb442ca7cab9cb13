"""Leaderboards as the API shows them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from clarion_plugins.gamification.services.leaderboards import Board, RankBy, Standing


class StandingOut(BaseModel):
    """One line of a board: an ambassador, or a team on ``average_per_active_member`` boards."""

    rank: int = Field(description="1 for the top; ties broken by who reached the score first.", examples=[3])
    points: int = Field(description="Awarded points in the period (a team's total on team boards).", examples=[120])
    score: float = Field(
        description="What the board ranks by: points, points per active member, or audience-normalised points.",
        examples=[120.0],
    )
    ambassador_id: int | None = Field(default=None, examples=[12])
    name: str | None = Field(default=None, examples=["Amir Haddad"])
    team: str | None = Field(default=None, examples=["Platform"])
    department: str | None = Field(default=None, examples=["Engineering"])
    active_members: int | None = Field(
        default=None, description="Team boards: members with points in the period.", examples=[None]
    )

    @classmethod
    def of(cls, standing: Standing) -> StandingOut:
        return cls(**standing.__dict__)


class LeaderboardOut(BaseModel):
    period: str = Field(examples=["month"])
    starts_on: date | None = Field(
        description="First day counted (UTC); null: from the beginning.", examples=["2026-11-01"]
    )
    ends_on: date | None = Field(description="First day no longer counted; null: open-ended.", examples=["2026-12-01"])
    scope: str = Field(examples=["company"])
    rank_by: RankBy = Field(examples=["points"])
    ranked: int = Field(description="How many are on the board: anyone with points in the period.", examples=[212])
    items: list[StandingOut] = Field(description="The top of the board.")
    me: StandingOut | None = Field(
        description="Your own line (your team's on team boards), even outside the top or hidden from others; "
        "null when you have no points in the period."
    )
    percentile: float | None = Field(
        description="Percentage of the board at or below your rank; 100 for the top.", examples=[87.3]
    )

    @classmethod
    def of(cls, board: Board) -> LeaderboardOut:
        return cls(
            period=board.window.period,
            starts_on=board.window.starts_on,
            ends_on=board.window.ends_on,
            scope=board.scope.text,
            rank_by=board.rank_by,
            ranked=board.ranked,
            items=[StandingOut.of(line) for line in board.top],
            me=StandingOut.of(board.me) if board.me else None,
            percentile=board.percentile,
        )


class EmployeeOfTheMonthOut(BaseModel):
    month: str = Field(examples=["2026-10"])
    winner: StandingOut | None = Field(
        description="The top of the month's company board among visible ambassadors; null if nobody scored."
    )
