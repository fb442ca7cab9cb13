"""What ``[plugins.my-data]`` accepts: how long exports wait and how long raw clicks are kept."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

PLUGIN_NAME = "my-data"


class MyDataSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    export_keep_hours: int = Field(
        default=72,
        ge=1,
        le=24 * 90,
        description="Hours a built export waits for its one download before it is deleted.",
    )
    click_retention_days: int | None = Field(
        default=None,
        ge=1,
        le=36500,
        description=(
            "Raw click rows older than this many days are deleted once the daily rollups hold them "
            "(the rollups and the points they earned stay). Unset: raw clicks are kept."
        ),
    )
