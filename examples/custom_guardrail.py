"""A guardrail: refuse shares that make promises the company's lawyers would not.

Guardrails implement ``clarion_share_violations_compute``. Clarion asks every guardrail about
each share after its own checks (consent, eligibility, the network's text rules) and refuses
the share with all the violations' messages, so ``POST /api/v1/shares`` answers 422 with them.
The word list is a setting: ``[plugins.banned-words] words = [...]`` in clarion.toml.

Run it: ``python examples/custom_guardrail.py``
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from clarion import hookimpl
from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.guardrails import ShareDraft, Violation
from clarion.schema import upgrade

PLUGIN_NAME = "banned-words"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(default_factory=lambda: ["guaranteed", "risk-free"], description="Words to refuse.")


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_share_violations_compute(engine: Engine, draft: ShareDraft):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    found = [word for word in settings.words if re.search(rf"\b{re.escape(word)}\b", draft.text, re.IGNORECASE)]
    if not found:
        return []
    # One violation per guardrail, naming every word, so the ambassador fixes the text once.
    return [Violation("banned-words", f"Please rephrase without: {', '.join(found)}.")]


@contextmanager
def scratch_engine(plugins: dict[str, object], sections: dict[str, dict]) -> Iterator[Engine]:
    """An engine on a throw-away SQLite database, with installed plugins left out."""
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(
            {},
            cwd=Path(directory),
            database_url=f"sqlite:///{Path(directory) / 'clarion.db'}",
            secret_key="example-secret-key",
            plugin_autoload=False,
            plugins=sections,
        )
        engine = build_engine(settings, extra_plugins=plugins)
        # Built-in guardrails read earlier shares from the database; plugins' tables come with it.
        upgrade(engine.db, "head", engine.schemas().values())
        try:
            yield engine
        finally:
            engine.close()


def main() -> None:
    sections = {PLUGIN_NAME: {"words": ["guaranteed", "risk-free", "promise"]}}
    with scratch_engine({PLUGIN_NAME: sys.modules[__name__]}, sections) as engine:
        for text in ("Proud of our new release!", "Guaranteed returns, risk-free. I promise!"):
            draft = ShareDraft(
                ambassador_id=1, content_id=1, network="linkedin", text=text, method="intent", scheduled_at=None
            )
            with engine.transaction() as session:
                violations = engine.share_violations(draft, session)
            verdict = "; ".join(violation.message for violation in violations) or "fine"
            print(f"{text!r}: {verdict}")


if __name__ == "__main__":
    main()
