"""Benchmark: ``clarion scores recompute`` throughput, against replaying the log with no rules in the same run.

The baseline reads every event in log order and writes one trivial ledger entry per event
through the same database session: the cost of the ledger's plumbing. The ratio says what the
rules (each reading the log before its event) and caps add on top.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.events import EventKind
from clarion.models import (
    Ambassador,
    Click,
    Content,
    ContentStatus,
    Event,
    PointsEntry,
    Share,
    ShareMethod,
    ShareStatus,
)
from clarion.points.points import recompute
from clarion.schema import upgrade

from .bench_eligibility import scratch_database
from .report import ratio, table


@dataclass(frozen=True)
class Settings:
    ambassadors: int
    shares_per_ambassador: int
    clicks_per_share: int


def _load(engine: Engine, settings: Settings, *, seed: int = 20261122) -> int:
    """People, shares and their events (published, verified, counted clicks), written without scoring."""
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    with engine.db.session() as session:
        content = Content(title="Bench", url="https://example.com/bench", status=ContentStatus.APPROVED)
        session.add(content)
        session.flush()
        people = [Ambassador(external_id=f"bench-{n}", name=f"Bench {n}") for n in range(settings.ambassadors)]
        session.add_all(people)
        session.flush()
        events: list[dict[str, Any]] = []
        for person in people:
            for number in range(settings.shares_per_ambassador):
                at = start + timedelta(hours=rng.randrange(24 * 60))
                share = Share(
                    content_id=content.id,
                    ambassador_id=person.id,
                    network=rng.choice(["linkedin", "x", "xing"]),
                    text="bench",
                    method=ShareMethod.INTENT,
                    status=ShareStatus.PUBLISHED,
                    link_code=f"b{person.id}-{number}"[:16],
                )
                session.add(share)
                session.flush()
                base = {"ambassador_id": person.id, "share_id": share.id, "content_id": content.id}
                verified = rng.random() < 0.5
                events.append(
                    {
                        **base,
                        "kind": EventKind.SHARE_PUBLISHED,
                        "occurred_at": at,
                        "payload": {"network": share.network, "verified": verified},
                    }
                )
                if not verified and rng.random() < 0.5:
                    events.append(
                        {
                            **base,
                            "kind": EventKind.SHARE_VERIFIED,
                            "occurred_at": at + timedelta(hours=1),
                            "payload": {"network": share.network},
                        }
                    )
                for click_number in range(settings.clicks_per_share):
                    click_at = at + timedelta(minutes=rng.randrange(3 * 24 * 60))
                    click = Click(
                        capture_id=f"{share.id}-{click_number}",
                        share_id=share.id,
                        occurred_at=click_at,
                        visitor_hash=f"v{rng.randrange(50)}",
                        counted=True,
                    )
                    session.add(click)
                    session.flush()
                    events.append(
                        {
                            **base,
                            "kind": EventKind.CLICK_COUNTED,
                            "occurred_at": click_at,
                            "payload": {"click_id": click.id, "network": share.network, "via_qr": False},
                        }
                    )
        events.sort(key=lambda event: event["occurred_at"])
        for number, event in enumerate(events):
            event["idempotency_key"] = f"bench:{number}"
            event["recorded_at"] = event["occurred_at"]
        session.execute(sa.insert(Event), events)
    return len(events)


def _baseline(engine: Engine) -> int:
    """Replay the log with no rules: one constant entry per event, through the same session."""
    written = 0
    with engine.transaction() as session:
        session.execute(sa.delete(PointsEntry))
        after_id = 0
        while True:
            rows = session.exec(select(Event).where(col(Event.id) > after_id).order_by(col(Event.id)).limit(500)).all()
            if not rows:
                break
            for row in rows:
                after_id = row.id or after_id
                if row.ambassador_id is None:
                    continue
                session.add(
                    PointsEntry(
                        rule="baseline",
                        event_id=after_id,
                        ambassador_id=row.ambassador_id,
                        points=1,
                        reason="baseline",
                        occurred_at=row.occurred_at,
                    )
                )
                written += 1
            session.flush()
    return written


def _timed(run: Callable[[], object], repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        timings.append(time.perf_counter() - began)
    return timings


def run(
    backend: str, settings: Settings, *, repeats: int, postgres_server: str | None, log: Callable[[str], None]
) -> dict[str, Any]:
    with scratch_database(backend, postgres_server) as url:
        folder = Path(url.removeprefix("sqlite:///")).parent if backend == "sqlite" else Path.cwd()
        engine = build_engine(
            load_settings({}, cwd=folder, database_url=url, secret_key="bench-secret-key", plugin_autoload=False)
        )
        try:
            upgrade(engine.db, "head", engine.schemas().values())
            log(f"{backend}: loading {settings.ambassadors:,} ambassadors' shares and clicks")
            events = _load(engine, settings)
            log(f"{backend}: {events:,} events; timing recompute and the no-rule replay")
            baseline = _timed(lambda: _baseline(engine), repeats)
            recomputes = _timed(lambda: recompute(engine), repeats)
            with engine.db.session() as session:
                entries = session.execute(sa.select(sa.func.count()).select_from(PointsEntry)).scalar_one()
        finally:
            engine.close()
    return {
        "backend": backend,
        "events": events,
        "entries": entries,
        "baseline_seconds": min(baseline),
        "recompute_seconds": min(recomputes),
    }


def render(results: list[dict[str, Any]]) -> str:
    rows = [
        (
            result["backend"],
            f"{result['events']:,}",
            f"{result['entries']:,}",
            f"{result['events'] / result['recompute_seconds']:,.0f}",
            f"{result['events'] / result['baseline_seconds']:,.0f}",
            f"{ratio(result['recompute_seconds'], result['baseline_seconds']):.1f}x",
        )
        for result in results
    ]
    headers = ("backend", "events", "entries", "recompute events/s", "no-rule replay events/s", "recompute / replay")
    return "Scores recompute (best of the runs)\n" + table(headers, rows)
