"""Require a disclosure (``#employee``) in every post, per network: readers must know who speaks."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from clarion import hookimpl
from clarion.guardrails import Severity, ShareDraft, Violation
from clarion.i18n import Message

PLUGIN_NAME = "guardrail-disclosure"


class Settings(BaseModel):
    """The text each post must contain, found case-insensitively anywhere in the final text."""

    model_config = ConfigDict(extra="forbid")

    default: str = Field(default="", description="Required on every network not listed in `networks`; empty = none.")
    networks: dict[str, str] = Field(
        default_factory=dict,
        description='Per network, e.g. {"linkedin": "#employee"}; an empty string exempts that network.',
    )
    severity: Severity = Field(default=Severity.BLOCK, description="`block` refuses the share, `warn` only tells.")

    def required_for(self, network: str) -> str:
        return self.networks.get(network, self.default).strip()


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_share_violations_compute(engine, draft: ShareDraft):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    required = settings.required_for(draft.network)
    # Case-insensitive: networks treat #Employee and #employee as the same hashtag.
    if not required or required.casefold() in draft.text.casefold():
        return []
    label = engine.connector(draft.network).label
    return [
        Violation(
            "disclosure",
            Message(
                'Add "%(required)s" to your text: posts on %(network)s about your employer must say that you work there.',
                {"required": required, "network": label},
            ),
            settings.severity,
        )
    ]
