"""What guardrail plugins check before a share is created, and what they answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ShareDraft:
    """A share about to be created; guardrails may refuse it.

    Attributes:
        ambassador_id: Who shares.
        content_id: What is shared.
        network: The connector key.
        text: The final text, without the link.
        method: ``"intent"`` or ``"api"``.
        scheduled_at: When an API share should go out, or ``None`` for now.
    """

    ambassador_id: int
    content_id: int
    network: str
    text: str
    method: str
    scheduled_at: datetime | None


@dataclass(frozen=True)
class Violation:
    """One reason a guardrail refuses a share.

    Attributes:
        guardrail: Short name of the rule (``"repeat-share"``).
        message: A sentence for the ambassador saying what to change.
    """

    guardrail: str
    message: str
