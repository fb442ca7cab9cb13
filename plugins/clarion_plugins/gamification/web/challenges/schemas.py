"""Challenges as the API reads and writes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from clarion.web.common import PageMeta, UtcDatetime
from clarion_plugins.gamification.models import Challenge, ChallengeKind, ChallengeMeasure
from clarion_plugins.gamification.services.challenges import (
    MAX_TARGET,
    ChallengeStatus,
    Line,
    MyChallenge,
    Results,
    results_due,
    status_of,
)


class ChallengeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200, examples=["Share 3 job posts in March"])
    description: str = Field(default="", max_length=5000, examples=["Help us find our next colleagues."])
    kind: ChallengeKind = Field(examples=["individual"])
    measure: ChallengeMeasure = Field(examples=["shares"])
    target: int = Field(
        ge=1,
        le=MAX_TARGET,
        description="The count to reach; for participation, the percentage of a team's opted-in members (1-100).",
        examples=[3],
    )
    topic: str | None = Field(default=None, min_length=1, max_length=64, examples=["jobs"])
    campaign_id: int | None = Field(default=None, ge=1, le=2**31 - 1, examples=[None])
    network: str | None = Field(default=None, min_length=1, max_length=40, examples=[None])
    starts_at: UtcDatetime = Field(examples=["2027-03-01T00:00:00Z"])
    ends_at: UtcDatetime = Field(examples=["2027-04-01T00:00:00Z"])
    reward: str | None = Field(default=None, max_length=500, examples=["Lunch with the hiring team"])
    image_url: str | None = Field(default=None, max_length=2048, examples=["https://example.com/jobs.png"])


class ChallengeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200, examples=["Share 4 job posts in March"])
    description: str | None = Field(default=None, max_length=5000, examples=["New description"])
    kind: ChallengeKind | None = Field(default=None, examples=[None])
    measure: ChallengeMeasure | None = Field(default=None, examples=[None])
    target: int | None = Field(default=None, ge=1, le=MAX_TARGET, examples=[4])
    topic: str | None = Field(default=None, min_length=1, max_length=64, examples=["jobs"])
    campaign_id: int | None = Field(default=None, ge=1, le=2**31 - 1, examples=[None])
    network: str | None = Field(default=None, min_length=1, max_length=40, examples=[None])
    starts_at: UtcDatetime | None = Field(default=None, examples=["2027-03-01T00:00:00Z"])
    ends_at: UtcDatetime | None = Field(default=None, examples=["2027-04-01T00:00:00Z"])
    reward: str | None = Field(default=None, max_length=500, examples=[None])
    image_url: str | None = Field(default=None, max_length=2048, examples=[None])


class ChallengeOut(BaseModel):
    id: int = Field(examples=[4])
    title: str = Field(examples=["Share 3 job posts in March"])
    description: str = Field(examples=["Help us find our next colleagues."])
    kind: ChallengeKind = Field(examples=["individual"])
    measure: ChallengeMeasure = Field(examples=["shares"])
    target: int = Field(examples=[3])
    topic: str | None = Field(examples=["jobs"])
    campaign_id: int | None = Field(examples=[None])
    network: str | None = Field(examples=[None])
    starts_at: datetime = Field(examples=["2027-03-01T00:00:00Z"])
    ends_at: datetime = Field(examples=["2027-04-01T00:00:00Z"])
    reward: str | None = Field(examples=["Lunch with the hiring team"])
    image_url: str | None = Field(examples=[None])
    status: ChallengeStatus = Field(examples=["active"])
    results_final_at: datetime = Field(
        description="When the results freeze: corrections after it no longer change them.",
        examples=["2027-04-08T00:00:00Z"],
    )
    archived: bool = Field(examples=[False])
    created_at: datetime = Field(examples=["2027-02-20T09:30:00Z"])
    updated_at: datetime = Field(examples=["2027-02-20T09:30:00Z"])

    @classmethod
    def of(cls, challenge: Challenge) -> ChallengeOut:
        return cls(
            **challenge.model_dump(exclude={"archived_at", "results_frozen_at"}),
            status=status_of(challenge),
            results_final_at=results_due(challenge),
            archived=challenge.archived_at is not None,
        )


class ChallengePage(PageMeta):
    items: list[ChallengeOut]


class ResultLineOut(BaseModel):
    progress: int = Field(description="The measure (a percentage for participation).", examples=[4])
    qualified: bool = Field(examples=[True])
    ambassador_id: int | None = Field(examples=[12])
    name: str | None = Field(examples=["Amir"])
    team: str | None = Field(examples=[None])
    members: int | None = Field(description="Team lines: opted-in members counted.", examples=[None])

    @classmethod
    def of(cls, line: Line) -> ResultLineOut:
        return cls(**line.__dict__)


class ResultsOut(BaseModel):
    challenge_id: int = Field(examples=[4])
    frozen: bool = Field(description="False while results are still live (before results_final_at).", examples=[True])
    qualified: int = Field(description="How many participants or teams reached the target.", examples=[7])
    lines: list[ResultLineOut]

    @classmethod
    def of(cls, result: Results) -> ResultsOut:
        assert result.challenge.id is not None
        return cls(
            challenge_id=result.challenge.id,
            frozen=result.frozen,
            qualified=len(result.qualified),
            lines=[ResultLineOut.of(line) for line in result.lines],
        )


class TeamProgressOut(BaseModel):
    team: str = Field(examples=["Platform"])
    progress: int = Field(examples=[60])
    members: int = Field(description="Opted-in members the challenge counts.", examples=[5])
    qualified: bool = Field(examples=[True])


class MyChallengeOut(ChallengeOut):
    joined: bool | None = Field(
        description="Individual challenges: whether I opted in. None for team ones.", examples=[True]
    )
    my_progress: int | None = Field(
        description="My figure: individual challenges I joined, or my part of my team's.", examples=[2]
    )
    my_team: TeamProgressOut | None = Field(description="Team challenges: my team's progress (names nobody).")
    qualified: bool | None = Field(description="Whether I (or my team) reached the target so far.", examples=[False])
    results_frozen: bool = Field(
        description="Ended and final: corrections no longer change the outcome.", examples=[False]
    )
    qualified_count: int | None = Field(
        description="Ended challenges: how many participants or teams qualified.", examples=[7]
    )


class MyChallengesOut(BaseModel):
    items: list[MyChallengeOut]


def my_challenge_out(view: MyChallenge) -> MyChallengeOut:
    base = ChallengeOut.of(view.challenge).model_dump()
    team = view.team
    return MyChallengeOut(
        **base,
        joined=view.joined,
        my_progress=view.my_progress,
        my_team=TeamProgressOut(
            team=team.team, progress=team.progress, members=team.members or 0, qualified=team.qualified
        )
        if team is not None and team.team is not None
        else None,
        qualified=view.qualified,
        results_frozen=view.frozen,
        qualified_count=view.qualified_count,
    )
