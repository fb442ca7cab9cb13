"""Refuse sharing the same content on the same network again within a window: it reads as spam."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from clarion import hookimpl
from clarion.guardrails import ShareDraft, Violation
from clarion.i18n import Message
from clarion.models import Share, ShareStatus

PLUGIN_NAME = "guardrail-repeat-share"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_hours: int = Field(default=72, ge=0, description="0 turns the guardrail off.")


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_share_violations_compute(engine, draft: ShareDraft, session):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    if settings.window_hours == 0:
        return []
    since = engine.clock.now() - timedelta(hours=settings.window_hours)
    earlier = session.exec(
        select(Share.id).where(
            Share.ambassador_id == draft.ambassador_id,
            Share.content_id == draft.content_id,
            Share.network == draft.network,
            Share.status != ShareStatus.CANCELLED,
            Share.created_at >= since,
        )
    ).first()
    if earlier is None:
        return []
    label = engine.connector(draft.network).label
    return [
        Violation(
            "repeat-share",
            Message(
                "You already shared this on %(network)s in the last %(hours)d hours; "
                "sharing it again so soon reads as spam.",
                {"network": label, "hours": settings.window_hours},
            ),
        )
    ]
