"""Posts about one's employer must say so: require the configured disclosure hashtag."""

from __future__ import annotations

from clarion.guardrails import ShareDraft, Violation

from clarion_hello.settings import HelloSettings


def disclosure_violations(settings: HelloSettings, draft: ShareDraft) -> list[Violation]:
    if settings.networks and draft.network not in settings.networks:
        return []
    # Compare whole words, case-insensitively: "#AD" discloses, "#adventure" does not.
    words = {word.strip(".,;:!?").lower() for word in draft.text.split()}
    if settings.disclosure_tag.lower() in words:
        return []
    return [
        Violation(
            "hello-disclosure",
            f"Add {settings.disclosure_tag} to your post: it is about your employer.",
        )
    ]
