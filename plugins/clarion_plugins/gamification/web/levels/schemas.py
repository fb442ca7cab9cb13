"""Level progress as the API shows it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from clarion.models import AdvocacyLevel, ContentOrigin
from clarion_plugins.gamification.services.levels import LevelProgress


class CriterionOut(BaseModel):
    name: str = Field(examples=["verified_shares"])
    label: str = Field(examples=["verified shares"])
    required: int = Field(examples=[5])
    current: int = Field(examples=[3])
    met: bool = Field(examples=[False])


class UnlockOut(BaseModel):
    """Suggesting content of ``origin`` opens at ``level``."""

    origin: ContentOrigin = Field(examples=["produced"])
    level: AdvocacyLevel = Field(examples=["production"])
    unlocked: bool = Field(examples=[False])


class LevelChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: AdvocacyLevel = Field(examples=["curation"])


class LevelOut(BaseModel):
    level: AdvocacyLevel = Field(examples=["engagement"])
    next_level: AdvocacyLevel | None = Field(description="None at the last level.", examples=["curation"])
    promotion_only: bool = Field(
        description="The next level is given by an admin, not unlocked by criteria.", examples=[False]
    )
    criteria: list[CriterionOut] = Field(description="What the next level needs; all must be met.")
    unlocks: list[UnlockOut] = Field(description="What levels open in this programme.")

    @classmethod
    def of(cls, progress: LevelProgress) -> LevelOut:
        order = list(AdvocacyLevel)
        return cls(
            level=progress.level,
            next_level=progress.next_level,
            promotion_only=progress.promotion_only,
            criteria=[
                CriterionOut(name=c.name, label=c.label, required=c.required, current=c.current, met=c.met)
                for c in progress.criteria
            ],
            unlocks=[
                UnlockOut(origin=origin, level=level, unlocked=order.index(progress.level) >= order.index(level))
                for origin, level in sorted(progress.unlocks.items())
            ],
        )
