"""A connector plugin for a network Clarion does not ship: "Viva Engage" at engage.example.com.

A connector tells Clarion three things about a network: its key and label, how it counts a
post's text, and the URL that opens its composer pre-filled (the share intent). Register the
module as a plugin, through an entry point in the "clarion" group, ``CLARION_PLUGINS`` or
``build_engine(extra_plugins=…)``, and the network appears in ``GET /api/v1/networks`` and can be
shared to.

Run it: ``python examples/custom_connector.py``
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from clarion import hookimpl
from clarion.actors import Actor
from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.connectors import Connector, SharePost, TextCheck, length_check
from clarion.engine import Engine
from clarion.models import Ambassador, Content, ContentStatus, utcnow
from clarion.schema import upgrade
from clarion.shares.sharing import create_share

# Viva Engage posts may be long; the composer truncates the pre-filled text beyond this.
POST_LIMIT = 10_000


class EngageConnector(Connector):
    key = "engage"  # stored on every share: never change it once people have shared
    label = "Viva Engage"

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), POST_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        # post.link is the ambassador's tracked link, never the content's own URL.
        return "https://engage.example.com/share?" + urlencode({"text": post.text, "url": post.link})


@hookimpl
def clarion_connectors_register():
    return [EngageConnector()]


@contextmanager
def scratch_engine(plugins: dict[str, object]) -> Iterator[Engine]:
    """An engine on a throw-away SQLite database, with installed plugins left out."""
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(
            {},
            cwd=Path(directory),
            database_url=f"sqlite:///{Path(directory) / 'clarion.db'}",
            secret_key="example-secret-key",
            base_url="https://advocacy.example.com",
            plugin_autoload=False,
        )
        engine = build_engine(settings, extra_plugins=plugins)
        try:
            upgrade(engine.db, "head", engine.schemas().values())
            yield engine
        finally:
            engine.close()


def main() -> None:
    with scratch_engine({"engage": sys.modules[__name__]}) as engine:
        print("networks:", ", ".join(engine.connectors()))
        with engine.transaction() as session:
            ambassador = Ambassador(external_id="amir", name="Amir", opted_in_at=utcnow(), guidelines_version="1")
            content = Content(title="We are hiring", url="https://example.com/jobs", status=ContentStatus.APPROVED)
            session.add_all([ambassador, content])
            session.flush()
            assert content.id is not None
            created = create_share(
                engine, session, Actor.of(ambassador), content_id=content.id, network="engage", text="Join us!"
            )
        print("tracked link:", created.tracked_url)
        print("share intent:", created.share_intent_url)


if __name__ == "__main__":
    main()
