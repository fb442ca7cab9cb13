"""Points for shares: full points for verified ones, fewer for unverified intent shares, topped up on verification."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.events import EventKind
from clarion.models import Event
from clarion.scoring import Award
from clarion_plugins.scoring.history import earlier, rows

PLUGIN_NAME = "scoring-shares"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    points: int = Field(default=10, ge=0, description="Points for a verified share.")
    per_network: dict[str, int] = Field(default_factory=dict, description="Verified-share points per network.")
    unverified_points: int = Field(default=3, ge=0, description="Points for an intent share nobody verified yet.")
    daily_cap: int = Field(default=100, ge=1, description="Most points a day from shares.")

    def full_points(self, network: str) -> int:
        return self.per_network.get(network, self.points)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_awards_compute(engine, event):
    if event.kind not in (EventKind.SHARE_PUBLISHED, EventKind.SHARE_VERIFIED) or event.ambassador_id is None:
        return []
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    network = str(event.payload.get("network", ""))
    label = engine.connectors()[network].label if network in engine.connectors() else network
    full = settings.full_points(network)
    if event.kind == EventKind.SHARE_PUBLISHED:
        verified = bool(event.payload.get("verified", event.payload.get("method") == "api"))
        points = full if verified else min(settings.unverified_points, full)
        reason = f"You shared on {label}" + ("" if verified else " (not verified yet)")
        return [Award("share", event.ambassador_id, points, reason, daily_cap=settings.daily_cap)] if points else []
    published = rows(engine, earlier(event, EventKind.SHARE_PUBLISHED, col(Event.share_id) == event.share_id))
    if any((payload or {}).get("verified") for _id, _at, payload in published):
        return []  # full points were given when it was published
    already = min(settings.unverified_points, full) if published else 0
    if full - already <= 0:
        return []
    return [
        Award(
            "share-verified",
            event.ambassador_id,
            full - already,
            f"Your share on {label} was verified",
            daily_cap=settings.daily_cap,
        )
    ]
