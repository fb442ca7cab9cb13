"""Hold shares to the content's edit policy: locked texts stay as written, suggested ones are edited, not replaced.

The suggestions for a network are the content's share texts for it, or its title when it has
none. ``locked`` accepts only a suggestion exactly (leading and trailing spaces aside).
``suggested`` accepts a text that keeps enough of one suggestion's words: the words of a
text are its runs of letters and digits, compared ignoring case, and a text keeps a
suggestion when at least ``min_kept_percent`` of the suggestion's distinct words appear in
it. ``free`` accepts anything.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from clarion import hookimpl
from clarion.guardrails import Severity, ShareDraft, Violation
from clarion.i18n import Message
from clarion.models import Content, EditPolicy, ShareText

PLUGIN_NAME = "guardrail-edit-policy"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_kept_percent: int = Field(
        default=50,
        ge=1,
        le=100,
        description="For `suggested` content: the share of a suggestion's distinct words the text must keep.",
    )
    severity: Severity = Field(default=Severity.BLOCK, description="`block` refuses the share, `warn` only tells.")


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def kept_percent(suggestion: str, text: str) -> int:
    """How much of ``suggestion``'s vocabulary ``text`` keeps, in whole percent (rounded down)."""
    wanted = words(suggestion)
    if not wanted:
        return 100  # a suggestion without words (only emoji) constrains nothing
    return len(wanted & words(text)) * 100 // len(wanted)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_share_violations_compute(engine, draft: ShareDraft, session):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    content = session.get(Content, draft.content_id)
    if content is None or content.edit_policy is EditPolicy.FREE:
        return []
    suggestions = list(
        session.exec(
            select(ShareText.text)
            .where(ShareText.content_id == draft.content_id, ShareText.network == draft.network)
            .order_by(col(ShareText.position), col(ShareText.id))
        )
    ) or [content.title]
    label = engine.connector(draft.network).label
    if content.edit_policy is EditPolicy.LOCKED:
        if draft.text.strip() in {suggestion.strip() for suggestion in suggestions}:
            return []
        if len(suggestions) == 1:
            message = Message(
                'The text of this content is locked: share "%(text)s" on %(network)s exactly as written.',
                {"text": suggestions[0].strip(), "network": label},
            )
        else:
            message = Message(
                "The text of this content is locked: share one of the %(count)d suggested texts on %(network)s "
                "exactly as written.",
                {"count": len(suggestions), "network": label},
            )
    else:
        best = max(kept_percent(suggestion, draft.text) for suggestion in suggestions)
        if best >= settings.min_kept_percent:
            return []
        message = Message(
            "Start from a suggested text for %(network)s and edit it: keep at least %(minimum)d%% "
            "of its words (your text keeps %(kept)d%% of the closest one).",
            {"network": label, "minimum": settings.min_kept_percent, "kept": best},
        )
    return [Violation("edit-policy", message, settings.severity)]
