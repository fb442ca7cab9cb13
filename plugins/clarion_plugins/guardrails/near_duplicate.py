"""Nudge ambassadors whose text is word for word what many colleagues already posted.

Texts are compared after collapsing whitespace, ignoring case and removing Clarion's tracked
links; only colleagues' non-cancelled shares of the same content on the same network count.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from clarion import hookimpl
from clarion.guardrails import Severity, ShareDraft, Violation
from clarion.i18n import Message
from clarion.models import Share, ShareStatus

PLUGIN_NAME = "guardrail-near-duplicate"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_colleagues: int = Field(
        default=5, ge=1, description="How many colleagues must have posted the same text before the nudge."
    )
    severity: Severity = Field(default=Severity.WARN, description="`warn` lets the share through; `block` refuses it.")


def normalise(text: str, tracked_link: re.Pattern[str]) -> str:
    return " ".join(tracked_link.sub(" ", text).split()).casefold()


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_share_violations_compute(engine, draft: ShareDraft, session):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    tracked_link = re.compile(re.escape(engine.settings.base_url.rstrip("/")) + r"/r/\S*", re.IGNORECASE)
    mine = normalise(draft.text, tracked_link)
    rows = session.exec(
        select(Share.ambassador_id, Share.text).where(
            Share.content_id == draft.content_id,
            Share.network == draft.network,
            Share.ambassador_id != draft.ambassador_id,
            Share.status != ShareStatus.CANCELLED,
        )
    )
    colleagues = {ambassador_id for ambassador_id, text in rows if normalise(text, tracked_link) == mine}
    if len(colleagues) < settings.min_colleagues:
        return []
    return [
        Violation(
            "near-duplicate",
            Message(
                "%(count)d colleagues already posted exactly this text; your own words travel further.",
                {"count": len(colleagues)},
            ),
            settings.severity,
        )
    ]
