"""What guardrail plugins check before a share is created, and what they answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from clarion.i18n import Message


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


class Severity(StrEnum):
    BLOCK = "block"  # the share is refused
    WARN = "warn"  # the share goes ahead; the ambassador is told


@dataclass(frozen=True)
class Violation:
    """One finding of a guardrail about a share.

    Attributes:
        guardrail: Short name of the rule (``"repeat-share"``).
        message: A sentence for the ambassador saying what to change, and why; a
            :class:`~clarion.i18n.Message` is shown in the ambassador's language.
        severity: ``block`` refuses the share; ``warn`` lets it through with the message.
            Built-in guardrails make this configurable per rule.
    """

    guardrail: str
    message: str | Message
    severity: Severity = Severity.BLOCK
