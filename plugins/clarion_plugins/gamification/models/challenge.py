"""Challenges: time-boxed, voluntary goals for one person or a team, and their frozen results."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from clarion.models.types import SQLITE_NO_ID_REUSE, enum_type, utc_column, utcnow


class ChallengeKind(StrEnum):
    INDIVIDUAL = "individual"  # people join it themselves; each qualifies on their own
    TEAM = "team"  # every team takes part as a whole; it counts opted-in members only


class ChallengeMeasure(StrEnum):
    SHARES = "shares"  # published shares
    VERIFIED_SHARES = "verified_shares"  # shares confirmed to exist on the network
    POINTS = "points"  # awarded points
    CLICKS = "clicks"  # counted (unique, human, external) clicks on the shares' links
    PARTICIPATION = "participation"  # team only: % of opted-in members who shared at least once


class Challenge(SQLModel, table=True):
    """A goal over a UTC window. Someone (or a team) qualifies on reaching ``target``.

    Its status (upcoming, active, ended) follows from the window; ``results_frozen_at`` is set
    once the results are copied into ``challenge_result`` after the grace period.
    """

    __tablename__ = "challenge"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="window_order"),
        sa.CheckConstraint("target > 0", name="target_positive"),
        sa.CheckConstraint(
            "measure <> 'participation' OR (kind = 'team' AND target <= 100)", name="participation_team"
        ),
        sa.Index(None, "ends_at", "starts_at"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    kind: ChallengeKind = Field(sa_type=enum_type(ChallengeKind, "challenge_kind"))
    measure: ChallengeMeasure = Field(sa_type=enum_type(ChallengeMeasure, "challenge_measure"))
    target: int = Field(description="The count to reach, or the participation percentage (1-100).")
    topic: str | None = Field(default=None, max_length=64, description="Count only content with this topic.")
    campaign_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("campaign.id", ondelete="RESTRICT"), nullable=True, index=True),
    )
    network: str | None = Field(default=None, max_length=40, description="Count only shares on this network.")
    starts_at: datetime = Field(sa_column=utc_column(nullable=False))
    ends_at: datetime = Field(sa_column=utc_column(nullable=False))
    reward: str | None = Field(default=None, max_length=500, description="What the company offers; it fulfils it.")
    image_url: str | None = Field(default=None, max_length=2048)
    archived_at: datetime | None = Field(default=None, sa_column=utc_column())
    results_frozen_at: datetime | None = Field(default=None, sa_column=utc_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class ChallengeParticipant(SQLModel, table=True):
    """An ambassador who joined an individual challenge; leaving deletes the row."""

    __tablename__ = "challenge_participant"
    __table_args__ = (sa.Index(None, "ambassador_id"),)

    challenge_id: int = Field(sa_column=sa.Column(sa.ForeignKey("challenge.id", ondelete="CASCADE"), primary_key=True))
    ambassador_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), primary_key=True)
    )
    joined_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))


class ChallengeResult(SQLModel, table=True):
    """One line of a challenge's frozen results: a participant or a team, its progress, qualified or not."""

    __tablename__ = "challenge_result"
    __table_args__ = (
        sa.CheckConstraint("(ambassador_id IS NULL) <> (team IS NULL)", name="one_subject"),
        sa.UniqueConstraint("challenge_id", "ambassador_id"),
        sa.UniqueConstraint("challenge_id", "team"),
        sa.Index(None, "ambassador_id"),
        SQLITE_NO_ID_REUSE,
    )

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(sa_column=sa.Column(sa.ForeignKey("challenge.id", ondelete="CASCADE"), nullable=False))
    ambassador_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=True)
    )
    team: str | None = Field(default=None, max_length=120)
    progress: int = Field(description="The measure at freezing time (a percentage for participation).")
    members: int | None = Field(default=None, description="Team lines: opted-in members counted.")
    qualified: bool = Field(default=False)
    frozen_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
