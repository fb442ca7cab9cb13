"""One-time points for the first steps: opting in, accepting the guidelines, connecting an account."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.events import EventKind
from clarion.models import Event
from clarion.scoring import Award
from clarion_plugins.scoring.history import count, earlier

PLUGIN_NAME = "scoring-onboarding"

STEPS = {
    EventKind.AMBASSADOR_OPTED_IN: ("onboarding-opted-in", "opted_in", "You joined the programme"),
    EventKind.GUIDELINES_ACCEPTED: ("onboarding-guidelines", "guidelines_accepted", "You accepted the guidelines"),
    EventKind.ACCOUNT_CONNECTED: ("onboarding-account", "first_account", "You connected your first account"),
}


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opted_in: int = Field(default=5, ge=0, description="Points for opting in, the first time.")
    guidelines_accepted: int = Field(default=5, ge=0, description="Points for accepting the guidelines, once.")
    first_account: int = Field(default=10, ge=0, description="Points for connecting a first network account.")


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_awards_compute(engine, event):
    step = STEPS.get(event.kind) if event.kind in STEPS else None
    if step is None or event.ambassador_id is None:
        return []
    rule, setting, reason = step
    points = getattr(engine.plugin_config(PLUGIN_NAME), setting)
    if not points or count(engine, earlier(event, event.kind, col(Event.ambassador_id) == event.ambassador_id)):
        return []  # only the first time: leaving and opting in again earns nothing
    return [Award(rule, event.ambassador_id, points, reason)]
