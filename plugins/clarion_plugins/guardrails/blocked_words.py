"""Refuse posts containing words or patterns the company never wants next to its name."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clarion import hookimpl
from clarion.guardrails import Severity, ShareDraft, Violation
from clarion.i18n import Message

PLUGIN_NAME = "guardrail-blocked-words"


class Settings(BaseModel):
    """Words match whole words only; words and patterns both ignore case."""

    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(default_factory=list, description="Blocked words or phrases (whole words, any case).")
    patterns: list[str] = Field(
        default_factory=list, description="Blocked Python regular expressions, searched case-insensitively."
    )
    severity: Severity = Field(default=Severity.BLOCK, description="`block` refuses the share, `warn` only tells.")

    @field_validator("words")
    @classmethod
    def _words_not_blank(cls, words: list[str]) -> list[str]:
        if any(not word.strip() for word in words):
            raise ValueError("a blocked word cannot be empty")
        return [word.strip() for word in words]

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns


def whole_word(word: str) -> re.Pattern[str]:
    # Lookarounds instead of \b, so words that start or end with a symbol ("#ad") work too.
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_share_violations_compute(engine, draft: ShareDraft):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    findings = []
    for word in settings.words:
        if whole_word(word).search(draft.text):
            findings.append(
                Violation(
                    "blocked-words",
                    Message(
                        'Remove "%(word)s": it is on the list of words not to use in posts about the company.',
                        {"word": word},
                    ),
                    settings.severity,
                )
            )
    for pattern in settings.patterns:
        found = re.search(pattern, draft.text, re.IGNORECASE)
        if found:
            findings.append(
                Violation(
                    "blocked-words",
                    Message(
                        'Rephrase "%(found)s": it matches the blocked pattern "%(pattern)s" for posts about the company.',
                        {"found": found.group(0), "pattern": pattern},
                    ),
                    settings.severity,
                )
            )
    return findings
