"""Daily rollups: incremental updates in any batches equal one rebuild; concurrent updaters never double count."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clarion.events import EventKind
from clarion.jobs import job_queue
from clarion.metrics import rollups
from clarion.metrics.metrics import record_sample
from clarion.models import (
    AnalyticsDaily,
    AnalyticsMetricDaily,
    AnalyticsWatermark,
    Campaign,
    Click,
    Content,
    ContentStatus,
    Event,
    MetricSample,
    MetricSource,
    Share,
    ShareMethod,
    ShareStatus,
)
from clarion.testing import make_person

BASE = datetime(2026, 3, 28, 20, 0, tzinfo=UTC)  # near midnight and a month's end: days and buckets split


def make_world(engine: Any) -> list[int]:
    """Two ambassadors in two teams, two content items (one in a campaign), four shares."""
    amir = make_person(engine, "amir", team="Platform")
    bea = make_person(engine, "bea", team="Sales")
    with engine.transaction() as session:
        campaign = Campaign(name="Launch", slug="launch")
        session.add(campaign)
        session.flush()
        contents = [
            Content(title="One", url="https://example.com/1", status=ContentStatus.APPROVED, campaign_id=campaign.id),
            Content(title="Two", url="https://example.com/2", status=ContentStatus.APPROVED),
        ]
        session.add_all(contents)
        session.flush()
        shares = []
        for index, (person, content, network, reach) in enumerate(
            [
                (amir, contents[0], "linkedin", (500, MetricSource.REPORTED)),
                (amir, contents[1], "x", (61, MetricSource.ESTIMATED)),
                (bea, contents[0], "x", (None, None)),
                (bea, contents[1], "facebook", (200, MetricSource.ESTIMATED)),
            ]
        ):
            share = Share(
                content_id=content.id,
                ambassador_id=person.id,
                network=network,
                text="Look",
                method=ShareMethod.INTENT,
                status=ShareStatus.PUBLISHED,
                link_code=f"code{index}",
                potential_reach=reach[0],
                potential_reach_source=reach[1],
            )
            session.add(share)
            shares.append(share)
        session.flush()
        return [share.id for share in shares]


def clear(engine: Any) -> None:
    with engine.transaction() as session:
        for model in (AnalyticsDaily, AnalyticsMetricDaily, AnalyticsWatermark, Click, MetricSample, Event):
            session.execute(sa.delete(model))


def snapshot(engine: Any) -> tuple[list[Any], list[Any]]:
    with engine.transaction() as session:
        daily = [
            tuple(row)
            for row in session.execute(
                sa.select(AnalyticsDaily.__table__).order_by(*AnalyticsDaily.__table__.primary_key)
            ).all()
        ]
        metrics = [
            tuple(row)
            for row in session.execute(
                sa.select(AnalyticsMetricDaily.__table__).order_by(*AnalyticsMetricDaily.__table__.primary_key)
            ).all()
        ]
    return daily, metrics


counter = iter(range(10**9))

publish_step = st.tuples(st.just("publish"), st.integers(0, 3), st.integers(0, 96))
click_step = st.tuples(
    st.just("click"),
    st.integers(0, 3),
    st.integers(0, 96),
    st.fixed_dictionaries(
        {
            "bot_reason": st.sampled_from([None, None, "user agent: LinkedInBot"]),
            "is_internal": st.booleans(),
            "is_self": st.booleans(),
            "is_duplicate": st.booleans(),
            "via_qr": st.booleans(),
        }
    ),
)
# Few series, so late readings (observed before one already folded) are common.
sample_step = st.tuples(
    st.just("sample"),
    st.integers(0, 1),
    st.integers(0, 96),
    st.sampled_from(["reactions", "reactions", "reactions", "impressions"]),
    st.sampled_from([MetricSource.REPORTED, MetricSource.REPORTED, MetricSource.REPORTED, MetricSource.ESTIMATED]),
    st.integers(0, 60),
)
update_step = st.tuples(st.just("update"), st.integers(1, 4))
steps = st.lists(st.one_of(publish_step, click_step, sample_step, sample_step, update_step), min_size=4, max_size=40)


def apply(engine: Any, share_ids: list[int], step: tuple[Any, ...]) -> None:
    kind, *rest = step
    if kind == "update":
        rollups.update(engine, batch_size=rest[0], settle_seconds=0)
        return
    share_id, hours = share_ids[rest[0]], rest[1]
    moment = BASE + timedelta(hours=hours)
    with engine.transaction() as session:
        if kind == "publish":
            share = session.get(Share, share_id)
            session.add(
                Event(
                    kind=EventKind.SHARE_PUBLISHED.value,
                    ambassador_id=share.ambassador_id,
                    content_id=share.content_id,
                    share_id=share_id,
                    occurred_at=moment,
                    idempotency_key=f"test.published:{next(counter)}",
                )
            )
        elif kind == "click":
            flags = rest[2]
            counted = not (flags["bot_reason"] or flags["is_internal"] or flags["is_self"] or flags["is_duplicate"])
            session.add(
                Click(capture_id=f"c{next(counter)}", share_id=share_id, occurred_at=moment, counted=counted, **flags)
            )
        else:
            metric, source, value = rest[2], rest[3], rest[4]
            record_sample(session, share_id, metric, value, source=source, observed_at=moment)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
@pytest.mark.slow
def test_incremental_updates_in_any_batches_equal_a_rebuild(clarion_engine, sequence):
    engine = clarion_engine
    share_ids = getattr(engine, "_test_share_ids", None)
    if share_ids is None:
        share_ids = engine._test_share_ids = make_world(engine)
    clear(engine)
    for step in sequence:
        apply(engine, share_ids, step)
    rollups.update(engine, batch_size=3, settle_seconds=0)
    incremental = snapshot(engine)
    report = rollups.rebuild(engine)
    rebuilt = snapshot(engine)
    assert incremental == rebuilt
    # And the rebuild left watermarks from which an update finds nothing more to do.
    assert rollups.update(engine, settle_seconds=0).total == 0
    assert snapshot(engine) == rebuilt
    assert report.folded[rollups.CLICKS] == sum(1 for step in sequence if step[0] == "click")


def test_metric_increases_telescope_to_the_latest_reading(clarion_engine):
    share_id = make_world(clarion_engine)[0]
    readings = [(BASE + timedelta(days=2), 30), (BASE, 10), (BASE + timedelta(days=1), 12)]  # the middle one late
    for moment, value in readings:
        with clarion_engine.transaction() as session:
            record_sample(session, share_id, "reactions", value, source=MetricSource.REPORTED, observed_at=moment)
        rollups.update(clarion_engine, settle_seconds=0)
    _daily, metrics = snapshot(clarion_engine)
    by_day = {row[0]: row[-1] for row in metrics}
    assert by_day == {BASE.date(): 10, (BASE + timedelta(days=1)).date(): 2, (BASE + timedelta(days=2)).date(): 18}


def test_young_rows_wait_for_the_next_update(clarion_engine):
    share_id = make_world(clarion_engine)[0]
    with clarion_engine.transaction() as session:
        session.add(Click(capture_id="young", share_id=share_id, occurred_at=BASE, counted=True))
    assert rollups.update(clarion_engine, settle_seconds=600).total == 0
    assert rollups.update(clarion_engine, settle_seconds=0).folded[rollups.CLICKS] == 1


def test_two_updaters_at_once_count_every_click_once(clarion_engine):
    share_id = make_world(clarion_engine)[0]
    with clarion_engine.transaction() as session:
        session.add_all(
            Click(capture_id=f"c{index}", share_id=share_id, occurred_at=BASE + timedelta(minutes=index), counted=True)
            for index in range(200)
        )
    errors: list[BaseException] = []

    def run() -> None:
        try:
            rollups.update(clarion_engine, batch_size=7, settle_seconds=0)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with clarion_engine.transaction() as session:
        counted = session.execute(sa.select(sa.func.sum(AnalyticsDaily.__table__.c.clicks_counted))).scalar_one()
    assert counted == 200


@pytest.mark.parametrize("run", ["update", "rebuild"])
def test_rollups_copy_campaign_and_team(clarion_engine, run):
    share_ids = make_world(clarion_engine)
    apply(clarion_engine, share_ids, ("publish", 0, 1))
    apply(clarion_engine, share_ids, ("publish", 3, 1))
    if run == "update":
        rollups.update(clarion_engine, settle_seconds=0)
    else:
        rollups.rebuild(clarion_engine)
    with clarion_engine.transaction() as session:
        rows = session.execute(
            sa.select(
                AnalyticsDaily.network,
                AnalyticsDaily.team,
                AnalyticsDaily.campaign_id,
                AnalyticsDaily.reach_reported,
                AnalyticsDaily.reach_estimated,
            ).order_by(AnalyticsDaily.network)
        ).all()
        campaign_id = session.execute(sa.select(Campaign.id)).scalar_one()
    assert [tuple(row) for row in rows] == [
        ("facebook", "Sales", None, 0, 200),
        ("linkedin", "Platform", campaign_id, 500, 0),
    ]


def test_the_worker_updates_the_rollups_every_minute(clarion_engine):
    """The core's periodic job keeps the rollups current, whichever plugins read them."""
    periodic = {task.__name__: task for task in job_queue(clarion_engine).huey._registry._periodic_tasks}
    assert "clarion.update_analytics" in periodic
    share_ids = make_world(clarion_engine)
    settled = datetime.now(UTC) - timedelta(minutes=5)  # older than analytics_settle_seconds
    with clarion_engine.transaction() as session:
        session.add_all(
            Click(
                capture_id=f"w{index}",
                share_id=share_ids[0],
                occurred_at=settled,
                recorded_at=settled,
                counted=index != 1,
            )
            for index in range(3)
        )
    periodic["clarion.update_analytics"]().execute()
    with clarion_engine.transaction() as session:
        total, counted = session.execute(
            sa.select(sa.func.sum(AnalyticsDaily.clicks_total), sa.func.sum(AnalyticsDaily.clicks_counted))
        ).one()
    assert (total, counted) == (3, 2)
