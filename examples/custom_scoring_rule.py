"""A scoring rule: bonus points for sharing job posts to XING, on top of the built-in share points.

Scoring rules implement ``clarion_awards_compute``: every rule sees every event and returns
zero or more awards, which Clarion writes into the points ledger once per (rule, event, person)
right after the event is recorded. A rule must be a pure function of the event and of what
was true *at the event*, so the same event always earns the same points and ``clarion scores
recompute`` can rebuild the ledger when values change. The values are settings, in
``[plugins.xing-jobs]`` of clarion.toml.

Run it: ``python examples/custom_scoring_rule.py``
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col

from clarion import hookimpl
from clarion.actors import Actor
from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.event_log import record_share_event
from clarion.events import EventKind, RecordedEvent
from clarion.models import (
    Ambassador,
    Content,
    ContentStatus,
    ContentTopic,
    Event,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
    utcnow,
)
from clarion.pagination import PageRequest
from clarion.points.points import balance, ledger
from clarion.schema import upgrade
from clarion.scoring import Award

PLUGIN_NAME = "xing-jobs"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    bonus: int = Field(default=15, ge=0, description="Extra points for sharing a job post to XING.")
    first_job_share_bonus: int = Field(default=25, ge=0, description="Extra points for someone's first one.")
    topic: str = Field(default="jobs", min_length=1, description="The topic that marks job posts.")
    daily_cap: int = Field(default=45, ge=1, description="Most bonus points a day.")


@hookimpl
def clarion_config_register():
    return Settings


def is_job_post(engine: Engine, content_id: int, topic: str) -> bool:
    # Topics are editorial facts set before content is approved and shared; a company that
    # retags content later runs `clarion scores recompute` to follow the new tags.
    with engine.db.session() as session:
        found = session.execute(
            sa.select(col(ContentTopic.topic)).where(
                col(ContentTopic.content_id) == content_id, col(ContentTopic.topic) == topic
            )
        ).first()
    return found is not None


def job_shares_before(engine: Engine, event: RecordedEvent, topic: str) -> int:
    """This person's XING job shares published before ``event``: only earlier events, never "now"."""
    with engine.db.session() as session:
        payloads = session.execute(
            sa.select(col(Event.payload))
            .join(ContentTopic, col(ContentTopic.content_id) == col(Event.content_id))
            .where(
                col(Event.kind) == EventKind.SHARE_PUBLISHED,
                col(Event.ambassador_id) == event.ambassador_id,
                col(Event.id) < event.id,
                col(ContentTopic.topic) == topic,
            )
        ).scalars()
        return sum(1 for payload in payloads if (payload or {}).get("network") == "xing")


@hookimpl
def clarion_awards_compute(engine: Engine, event: RecordedEvent):
    if event.kind != EventKind.SHARE_PUBLISHED or event.ambassador_id is None or event.content_id is None:
        return []
    if event.payload.get("network") != "xing":
        return []
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    if not is_job_post(engine, event.content_id, settings.topic):
        return []
    # One award per rule name: (rule, event, person) is what makes an award unique in the ledger.
    awards = [
        Award(
            "xing-job",
            event.ambassador_id,
            settings.bonus,
            "You shared a job post on XING",
            daily_cap=settings.daily_cap,
        )
    ]
    if job_shares_before(engine, event, settings.topic) == 0:
        awards.append(
            Award("xing-job-first", event.ambassador_id, settings.first_job_share_bonus, "Your first job post on XING!")
        )
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
        engine = build_engine(settings, extra_plugins=plugins)
        try:
            upgrade(engine.db, "head", engine.schemas().values())
            yield engine
        finally:
            engine.close()


def publish(engine: Engine, ambassador_id: int, content_id: int, network: str) -> None:
    """Record a share published through the network's API, as Clarion's publisher does."""
    with engine.transaction() as session:
        share = Share(
            content_id=content_id,
            ambassador_id=ambassador_id,
            network=network,
            text="We're hiring!",
            method=ShareMethod.API,
            status=ShareStatus.PUBLISHED,
            published_at=utcnow(),
            verified_at=utcnow(),
            link_code=f"ex{content_id}-{ambassador_id}-{network}"[:16],
        )
        session.add(share)
        session.flush()
        record_share_event(
            session, EventKind.SHARE_PUBLISHED, share, payload={"network": network, "method": "api", "verified": True}
        )


def main() -> None:
    sections = {PLUGIN_NAME: {"bonus": 15, "first_job_share_bonus": 20}}
    with scratch_engine({PLUGIN_NAME: sys.modules[__name__]}, sections) as engine:
        with engine.transaction() as session:
            people = [Ambassador(external_id=name, name=name.title(), opted_in_at=utcnow()) for name in ("amir", "bea")]
            job = Content(title="Backend engineer", url="https://example.com/jobs/1", status=ContentStatus.APPROVED)
            news = Content(title="Our new office", url="https://example.com/news/1", status=ContentStatus.APPROVED)
            session.add_all([*people, job, news])
            session.flush()
            session.add(ContentTopic(content_id=job.id, topic="jobs"))
            people_ids = [(person.id, person.external_id) for person in people]
            job_id, news_id = job.id, news.id
        (amir, _), (bea, _) = people_ids
        # Amir shares the job post to XING and LinkedIn and the news to XING; Bea the job post to XING.
        for person_id, content_id, network in (
            (amir, job_id, "xing"),
            (amir, job_id, "linkedin"),
            (amir, news_id, "xing"),
            (bea, job_id, "xing"),
        ):
            publish(engine, person_id, content_id, network)
        with engine.transaction() as session:
            for person_id, name in people_ids:
                viewer = Actor(person_id, name, Role.AMBASSADOR)
                for line in reversed(ledger(session, viewer, person_id, PageRequest(50)).items):
                    entry = line.entry
                    print(f"{name}: {entry.points:+d} {entry.rule} ({entry.reason})")
            totals = {name: balance(session, person_id).awarded for person_id, name in people_ids}
        print("totals:", totals)


if __name__ == "__main__":
    main()
