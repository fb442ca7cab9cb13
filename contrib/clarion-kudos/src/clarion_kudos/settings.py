"""The ``[plugins.kudos]`` section of clarion.toml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

PLUGIN_NAME = "kudos"


class KudosSettings(BaseModel):
    """What a company may tune; every key is optional."""

    model_config = ConfigDict(extra="forbid")

    points: int = Field(
        default=2, ge=0, le=1000, description="Points an ambassador earns per kudos received; 0 for none."
    )
    daily_points_cap: int = Field(default=10, ge=1, description="Most kudos points one person earns in a UTC day.")
    window_days: int = Field(
        default=14, ge=1, le=365, description="How far back the widget looks for colleagues' shares to thank."
    )
