"""Every share must disclose the employment relationship with ``#ad``."""

from __future__ import annotations

from clarion import hookimpl
from clarion.guardrails import ShareDraft, Violation


@hookimpl
def clarion_share_violations_compute(draft: ShareDraft):
    if "#ad" not in draft.text.split():
        return [Violation("disclosure", "Add #ad: this post is about your employer.")]
    return []
