"""A widget: "my week" — how many posts the person shared this week, against a goal they can see.

Widgets implement ``clarion_widgets_register``. A widget is a name, a Jinja template, a function
that builds the template's context for the person viewing it, a cache policy and the settings an
intranet page may pass (``?goal=5``, ``data-goal="5"``). Clarion renders it in every embed mode
(custom element, iframe, server-rendered fragment) in the person's language. This file's
template is ``templates/widgets/my_week.html`` next to it, its stylesheet ``static/my-week.css``
(served at ``/static/plugins/my-week/my-week.css``) and its Dutch words ``locale/nl/…/clarion.po``.

Run it: ``python examples/custom_widget.py``
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from litestar.testing import TestClient
from sqlmodel import col

from clarion import hookimpl
from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.models import Ambassador, Content, ContentStatus, Share, ShareMethod, ShareStatus, utcnow
from clarion.schema import upgrade
from clarion.tokens import mint_token
from clarion.web.app import create_app
from clarion.widgets import Widget

PLUGIN_NAME = "my-week"


def shares_this_week(engine: Engine, ambassador_id: int, now: datetime) -> int:
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), time(0), tzinfo=UTC)
    with engine.db.session() as session:
        return session.execute(
            sa.select(sa.func.count()).where(
                col(Share.ambassador_id) == ambassador_id,
                col(Share.status) == ShareStatus.PUBLISHED,
                col(Share.published_at) >= monday,
            )
        ).scalar_one()


def my_week_context(engine: Engine, viewer: Any, settings: dict[str, Any]) -> dict[str, Any]:
    """What the template shows: only the viewer's own figures (``viewer`` is who is looking)."""
    shared = shares_this_week(engine, viewer.ambassador_id, utcnow())
    goal = settings["goal"]
    return {"shared": shared, "goal": goal, "percent": min(100, shared * 100 // goal)}


@hookimpl
def clarion_widgets_register():
    return [
        Widget(
            name="my-week",
            title="My week",
            template="widgets/my_week.html",
            context=my_week_context,
            cache="private",  # per person, fresh for a minute
            max_age=60,
            settings={"goal": 3},  # an int: ?goal=five is a 400 naming the setting
            stylesheets=(f"/static/plugins/{PLUGIN_NAME}/my-week.css",),
        )
    ]


@contextmanager
def scratch_engine() -> Iterator[Engine]:
    """An engine with this plugin on a throw-away SQLite database, installed plugins left out."""
    with tempfile.TemporaryDirectory() as directory:
        settings = load_settings(
            {},
            cwd=Path(directory),
            database_url=f"sqlite:///{Path(directory) / 'clarion.db'}",
            secret_key="example-secret-key",
            plugin_autoload=False,
            base_url="https://advocacy.example.com",
        )
        engine = build_engine(settings, extra_plugins={PLUGIN_NAME: sys.modules[__name__]})
        try:
            upgrade(engine.db)
            yield engine
        finally:
            engine.close()


def share_twice(engine: Engine, external_id: str, locale: str) -> None:
    with engine.transaction() as session:
        person = Ambassador(external_id=external_id, name=external_id.title(), locale=locale, opted_in_at=utcnow())
        content = Content(title="Our new office", url="https://example.com/office", status=ContentStatus.APPROVED)
        session.add_all([person, content])
        session.flush()
        for number, network in enumerate(("linkedin", "mastodon")):
            session.add(
                Share(
                    content_id=content.id,
                    ambassador_id=person.id,
                    network=network,
                    text="Have a look",
                    method=ShareMethod.INTENT,
                    status=ShareStatus.PUBLISHED,
                    published_at=utcnow(),
                    link_code=f"{external_id}{number}"[:16],
                )
            )


def main() -> None:
    with scratch_engine() as engine, TestClient(create_app(engine=engine)) as client:
        for external_id, locale in (("amir", "en"), ("bram", "nl")):
            share_twice(engine, external_id, locale)
            # What an intranet's backend does for the server-rendered mode: its own token, server to server.
            token = mint_token(engine.settings.secret_key, external_id)
            answer = client.get("/widgets/my-week?goal=4", headers={"Authorization": f"Bearer {token}"})
            print(f"GET /widgets/my-week?goal=4 as {external_id}: {answer.status_code}")
            print(answer.text)
        refused = client.get("/widgets/my-week?goal=five", headers={"Authorization": f"Bearer {token}"})
        print(f"GET /widgets/my-week?goal=five: {refused.status_code} {refused.json()['detail']}")


if __name__ == "__main__":
    main()
