"""A scoring rule: points for published shares, and a bonus for an ambassador's first one.

Scoring rules implement ``clarion_awards_compute``: every rule sees every event and returns
zero or more awards. A rule must be a pure function of the event and of the database *as of
the event* (here: only events before it), so the same event always earns the same points and
scores can be recomputed when rules change. The point values are settings, in
``[plugins.share-points]`` of clarion.toml.

Run it: ``python examples/custom_scoring_rule.py``
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.events import EventKind, RecordedEvent
from clarion.models import Ambassador, Event, utcnow
from clarion.schema import upgrade
from clarion.scoring import Award
from clarion.services.events import list_events, record_event

PLUGIN_NAME = "share-points"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    published: int = Field(default=10, ge=0, description="Points for each published share.")
    first_share_bonus: int = Field(default=25, ge=0, description="Extra points for someone's first share.")


@hookimpl
def clarion_config_register():
    return Settings


def published_before(engine: Engine, event: RecordedEvent) -> int:
    """How many shares this ambassador had published before ``event``: the log is append-only."""
    with engine.db.session() as session:
        return session.execute(
            sa.select(sa.func.count()).where(
                col(Event.kind) == EventKind.SHARE_PUBLISHED,
                col(Event.ambassador_id) == event.ambassador_id,
                col(Event.id) < event.id,
            )
        ).scalar_one()


@hookimpl
def clarion_awards_compute(engine: Engine, event: RecordedEvent):
    if event.kind != EventKind.SHARE_PUBLISHED or event.ambassador_id is None:
        return []
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    # Each award names its rule: (rule, event) is what makes an award unique in the ledger.
    awards = [Award("share-published", event.ambassador_id, settings.published, "You published a share")]
    if published_before(engine, event) == 0:
        awards.append(Award("first-share", event.ambassador_id, settings.first_share_bonus, "Your first share!"))
    return awards


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
            plugins=sections,  # what [plugins.<name>] tables in clarion.toml would hold
        )
        engine = Engine(settings, extra_plugins=plugins)
        try:
            upgrade(engine.db)
            yield engine
        finally:
            engine.close()


def main() -> None:
    sections = {PLUGIN_NAME: {"published": 10, "first_share_bonus": 20}}
    with scratch_engine({PLUGIN_NAME: sys.modules[__name__]}, sections) as engine:
        with engine.transaction() as session:
            people = [Ambassador(external_id=name, name=name.title(), opted_in_at=utcnow()) for name in ("amir", "bea")]
            session.add_all(people)
            session.flush()
            for number, person in enumerate([people[0], people[1], people[0]]):
                record_event(
                    session, EventKind.SHARE_PUBLISHED, idempotency_key=f"example:{number}", ambassador_id=person.id
                )
            names = {person.id: person.external_id for person in people}
        with engine.transaction() as session:
            events = list_events(session)
        totals: Counter[str] = Counter()
        for event in events:
            for award in engine.awards(event):
                totals[names[award.ambassador_id]] += award.points
                print(f"event {event.id}: {names[award.ambassador_id]} +{award.points} ({award.rule}: {award.reason})")
        print("totals:", dict(totals.most_common()))


if __name__ == "__main__":
    main()
