"""The scoring rule: points for every kudos received, capped per day."""

from __future__ import annotations

from typing import Any

from clarion.scoring import Award

from clarion_kudos.service import RECEIVED
from clarion_kudos.settings import PLUGIN_NAME, KudosSettings

RULE = "kudos"


def kudos_awards(engine: Any, event: Any) -> list[Award]:
    # A pure function of the event and the settings: recomputing the ledger gives the same points.
    if event.kind != RECEIVED or event.ambassador_id is None:
        return []
    settings: KudosSettings = engine.plugin_config(PLUGIN_NAME)
    if settings.points == 0:
        return []
    return [
        Award(
            RULE,
            event.ambassador_id,
            settings.points,
            "A colleague thanked you for a share",
            daily_cap=settings.daily_points_cap,
        )
    ]
