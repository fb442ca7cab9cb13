"""The gamification plugin's settings: ``[plugins.gamification]`` in ``clarion.toml``.

These were ``[clarion]`` settings before gamification became a plugin; the old keys still work
(:data:`clarion.config.MOVED_TO_PLUGINS`) with a warning naming the new place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from clarion.engine import Engine

# What a level's unlock criteria may count; see clarion_plugins.gamification.services.levels.
LevelCriterion = Literal["points", "shares", "verified_shares", "approved_content"]
LevelCriteria = dict[LevelCriterion, Annotated[int, Field(ge=1)]]


def _curation_criteria() -> LevelCriteria:
    return {"points": 150, "verified_shares": 5}


def _production_criteria() -> LevelCriteria:
    return {"points": 500, "verified_shares": 20, "approved_content": 2}


class GamificationSettings(BaseModel):
    """Levels' unlock criteria and whether ambassadors see leaderboards."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    curation_criteria: LevelCriteria = Field(
        default_factory=_curation_criteria,
        description="What unlocks the curation level; empty: promotion by hand only.",
    )
    production_criteria: LevelCriteria = Field(
        default_factory=_production_criteria,
        description="What unlocks the production level; empty: promotion by hand only.",
    )
    leaderboards: bool = Field(
        default=True, description="Ambassadors see leaderboards; off, every leaderboard route answers 404."
    )


PLUGIN_NAME = "gamification"


def settings_of(engine: Engine) -> GamificationSettings:
    """The validated ``[plugins.gamification]`` settings of this engine."""
    settings: GamificationSettings = engine.plugin_config(PLUGIN_NAME)
    return settings
