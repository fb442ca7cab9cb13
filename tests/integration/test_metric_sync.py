"""Polling share metrics from the networks: idempotent, schedule by age, rate limits and refused sign-ins."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result
from sqlmodel import select

from clarion.actors import Actor
from clarion.ambassadors.credentials import store_credential
from clarion.cli import main
from clarion.clock import FrozenClock
from clarion.config import PollStep, parse_poll_schedule
from clarion.connectors import Credential, RateLimitInfo, RateLimitScope
from clarion.content.content import ContentAction, create_content, transition_content
from clarion.engine import Engine
from clarion.errors import ConfigError, NotFound, NotSupported
from clarion.jobs import job_queue
from clarion.metrics import metric_sync
from clarion.metrics.metrics import record_if_changed, record_sample
from clarion.models import (
    AccountStatus,
    Ambassador,
    MetricOrigin,
    MetricSample,
    MetricSource,
    MetricSync,
    NetworkAccount,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
)
from clarion.shares import rate_limits
from clarion.shares.link_codes import new_link_code
from clarion.testing import TEST_SECRET, make_person
from clarion.testing.fakes.mastodon import FakeMastodon, Status

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon.running() as server:
        yield server


@dataclass
class World:
    engine: Engine
    fake: FakeMastodon
    ambassador_id: int
    content_id: int
    account_id: int

    def post(self, **counts: int) -> str:
        status_id = str(next(self.fake._ids))
        with self.fake.lock:
            self.fake.statuses[status_id] = Status(
                id=status_id,
                account_id="1",
                text="Proud of this",
                created_at="2026-11-22T10:00:00.000Z",
                url=f"{self.fake.url}/@jan/{status_id}",
                **counts,
            )
        return status_id

    def share(self, age: timedelta, status_id: str | None = None, *, verified_url: str | None = None) -> int:
        with self.engine.transaction() as session:
            share = Share(
                content_id=self.content_id,
                ambassador_id=self.ambassador_id,
                network="mastodon",
                text="Proud of this",
                method=ShareMethod.INTENT if verified_url else ShareMethod.API,
                status=ShareStatus.PUBLISHED,
                published_at=NOW - age,
                verified_at=NOW - age,
                external_post_id=status_id,
                external_post_url=verified_url,
                link_code=new_link_code(),
            )
            session.add(share)
            session.flush()
            assert share.id is not None
            return share.id

    def samples(self, share_id: int | None = None) -> list[tuple[int, str, int]]:
        with self.engine.transaction() as session:
            query = select(MetricSample).order_by(MetricSample.id)  # type: ignore[arg-type]
            if share_id is not None:
                query = query.where(MetricSample.share_id == share_id)
            rows = session.exec(query).all()
            assert all(row.source is MetricSource.REPORTED and row.origin == MetricOrigin.API for row in rows)
            return [(row.share_id, row.metric, row.value) for row in rows]

    def sync_row(self, share_id: int) -> MetricSync:
        with self.engine.transaction() as session:
            row = session.get(MetricSync, share_id)
            assert row is not None
            session.expunge(row)
            return row

    def calls(self, status_id: str) -> int:
        return self.fake.count(f"/api/v1/statuses/{status_id}")


@pytest.fixture
def world(clarion_engine_factory, fake) -> World:
    engine = clarion_engine_factory(plugin_settings={"connector-mastodon": {"default_instance": fake.url}})
    amir = make_person(engine, "amir")
    editor = make_person(engine, "erin", Role.EDITOR)
    with engine.transaction() as session:
        actor = Actor(editor.id, editor.external_id, Role.EDITOR)
        content_id = create_content(
            engine, session, actor, {"title": "Launch", "url": "https://example.com/a"}
        ).content.id
        assert content_id is not None
        for action in (ContentAction.SUBMIT, ContentAction.APPROVE):
            transition_content(session, actor, content_id, action)
        account = NetworkAccount(ambassador_id=amir.id, network="mastodon", handle="jan")
        credential = Credential(access_token=fake.issue_token("1"), instance=fake.url, account_id="1", handle="jan")
        store_credential(engine, session, account, credential)
        assert account.id is not None
        account_id = account.id
    return World(engine, fake, amir.id, content_id, account_id)


def test_two_syncs_store_one_set_of_samples(world):
    share_id = world.share(timedelta(hours=1), world.post(favourites_count=5, replies_count=1, reblogs_count=2))
    first = metric_sync.sync(world.engine, now=NOW)
    assert (first.polled, first.samples) == (1, 4)
    expected = [
        (share_id, "reactions", 5),
        (share_id, "comments", 1),
        (share_id, "reposts", 2),
        (share_id, "quotes", 0),
    ]
    assert sorted(world.samples()) == sorted(expected)
    again = metric_sync.sync(world.engine, now=NOW + timedelta(hours=2))
    assert (again.polled, again.samples) == (1, 0)
    assert sorted(world.samples()) == sorted(expected)
    assert world.sync_row(share_id).last_synced_at == NOW + timedelta(hours=2)


def test_a_changed_figure_adds_one_sample(world):
    status_id = world.post(favourites_count=5)
    share_id = world.share(timedelta(hours=1), status_id)
    metric_sync.sync(world.engine, now=NOW)
    world.fake.statuses[status_id].favourites_count = 9
    report = metric_sync.sync(world.engine, now=NOW + timedelta(hours=1))
    assert report.samples == 1
    assert [value for _id, metric, value in world.samples(share_id) if metric == "reactions"] == [5, 9]


def test_a_rate_limit_defers_the_rest_of_the_accounts_batch(world, clock):
    statuses = [world.post(favourites_count=n) for n in (1, 2, 3)]
    shares = [world.share(timedelta(hours=1), status_id) for status_id in statuses]
    world.fake.rate_limit_next(f"/api/v1/statuses/{statuses[1]}", seconds=2)
    report = metric_sync.sync(world.engine, now=NOW)
    assert (report.polled, report.deferred) == (1, 2)
    assert {share for share, _metric, _value in world.samples()} == {shares[0]}
    assert world.calls(statuses[2]) == 0  # never asked after the 429
    for share_id in shares[1:]:
        row = world.sync_row(share_id)
        assert NOW < row.next_sync_at <= NOW + timedelta(seconds=3)
        assert "rate limited by Mastodon" in (row.last_error or "")
    # Before the reset nothing is asked again; after it, the deferred posts are.
    assert metric_sync.sync(world.engine, now=NOW + timedelta(seconds=1)).polled == 0
    assert world.calls(statuses[1]) == 1
    wait_for_budget_reset(world, clock)
    later = metric_sync.sync(world.engine, now=NOW + timedelta(seconds=130))
    assert later.polled == 2
    assert {share for share, _metric, _value in world.samples()} == set(shares)
    assert world.sync_row(shares[1]).last_error is None


def wait_for_budget_reset(world: World, clock: FrozenClock) -> None:
    """Budgets are facts of the clock (the network's reset time): move it past the stored one."""
    with world.engine.transaction() as session:
        until = rate_limits.blocked_until(session, "mastodon", world.account_id)
    assert until is not None
    clock.set(until + timedelta(milliseconds=1))
    with world.engine.transaction() as session:
        assert rate_limits.blocked_until(session, "mastodon", world.account_id) is None


def test_a_budget_spent_while_publishing_holds_metric_sync_back(world):
    """The store is shared: a budget a publish found spent keeps metric sync from calling too."""
    status_id = world.post(favourites_count=1)
    share_id = world.share(timedelta(hours=1), status_id)
    reset = datetime.now(UTC) + timedelta(minutes=10)
    with world.engine.transaction() as session:
        rate_limits.record(
            session, "mastodon", world.account_id, [RateLimitInfo(RateLimitScope.ACCOUNT, 0, reset, limit=300)]
        )
    report = metric_sync.sync(world.engine, now=NOW)
    assert (report.polled, report.deferred) == (0, 1)
    assert world.calls(status_id) == 0
    row = world.sync_row(share_id)
    assert NOW + timedelta(minutes=9) < row.next_sync_at <= NOW + timedelta(minutes=10, seconds=1)
    assert "rate limited by Mastodon" in (row.last_error or "")


def test_a_rate_limit_met_by_metric_sync_is_stored_for_every_worker(world):
    status_id = world.post()
    world.share(timedelta(hours=1), status_id)
    world.fake.rate_limit_next(f"/api/v1/statuses/{status_id}", seconds=300)
    metric_sync.sync(world.engine, now=NOW)
    with world.engine.transaction() as session:
        until = rate_limits.blocked_until(session, "mastodon", world.account_id)
    assert until is not None
    assert timedelta(seconds=200) < until - datetime.now(UTC) <= timedelta(seconds=301)


def test_a_rate_limit_without_a_time_waits_the_configured_time(world, clarion_engine_factory):
    status_id = world.post()
    share_id = world.share(timedelta(hours=1), status_id)
    world.fake.fail_next(f"/api/v1/statuses/{status_id}", 429, {"error": "Too many requests"})
    metric_sync.sync(world.engine, now=NOW)
    assert world.sync_row(share_id).next_sync_at == NOW + timedelta(seconds=3600)


def test_shares_past_the_maximum_age_are_not_polled(world):
    old = world.post(favourites_count=1)
    recent = world.post(favourites_count=1)
    world.share(timedelta(days=91), old)
    world.share(timedelta(days=89), recent)
    report = metric_sync.sync(world.engine, now=NOW)
    assert report.polled == 1
    assert (world.calls(old), world.calls(recent)) == (0, 1)


def test_recent_posts_are_polled_more_often_than_older_ones(world):
    fresh, week_old, month_old = world.post(), world.post(), world.post()
    world.share(timedelta(hours=1), fresh)
    world.share(timedelta(days=5), week_old)
    world.share(timedelta(days=30), month_old)
    moments = [NOW + timedelta(hours=hours) for hours in range(0, 24 * 8 + 1)]
    for moment in moments:
        metric_sync.sync(world.engine, now=moment)
    # Hourly for the first two days, then daily; daily until 14 days; weekly for the old one.
    assert world.calls(fresh) == 48 + 6
    assert world.calls(week_old) == 9
    assert world.calls(month_old) == 2


def test_a_refused_sign_in_marks_the_account_and_skips_it(world):
    status_id = world.post(favourites_count=3)
    share_id = world.share(timedelta(hours=1), status_id)
    world.fake.fail_next(f"/api/v1/statuses/{status_id}", 401, {"error": "The access token is invalid"})
    report = metric_sync.sync(world.engine, now=NOW)
    assert report.failed == 1
    with world.engine.transaction() as session:
        account = session.get(NetworkAccount, world.account_id)
        assert account is not None
        assert account.status is AccountStatus.RECONNECT_NEEDED
    calls = world.calls(status_id)
    skipped = metric_sync.sync(world.engine, now=NOW + timedelta(hours=1))
    assert (skipped.polled, world.calls(status_id)) == (0, calls)
    assert "needs reconnecting" in " ".join(skipped.messages)
    assert world.samples(share_id) == []


def test_a_verified_intent_share_is_polled_through_its_link(world):
    status_id = world.post(reblogs_count=4)
    share_id = world.share(timedelta(hours=3), verified_url=f"{world.fake.url}/@jan/{status_id}")
    assert metric_sync.sync(world.engine, now=NOW).polled == 1
    assert (share_id, "reposts", 4) in world.samples(share_id)


def test_a_deleted_post_is_remembered_and_asked_again_on_schedule(world):
    share_id = world.share(timedelta(hours=1), "109999999999999999")
    report = metric_sync.sync(world.engine, now=NOW)
    assert (report.polled, report.samples) == (1, 0)
    row = world.sync_row(share_id)
    assert "did not return this post" in (row.last_error or "")
    assert row.next_sync_at == NOW + timedelta(hours=1)


def test_dry_run_calls_nothing_and_writes_nothing(world):
    status_id = world.post(favourites_count=2)
    share_id = world.share(timedelta(hours=1), status_id)
    report = metric_sync.sync(world.engine, now=NOW, dry_run=True)
    assert report.due == 1
    assert [item.share_id for plan in report.plans for item in plan.shares] == [share_id]
    assert world.calls(status_id) == 0
    assert world.samples() == []
    with world.engine.transaction() as session:
        assert session.get(MetricSync, share_id) is None


def test_the_account_budget_leaves_the_rest_for_the_next_run(world, clarion_engine_factory):
    engine = clarion_engine_factory(
        plugin_settings={"connector-mastodon": {"default_instance": world.fake.url}}, metrics_account_budget=2
    )
    statuses = [world.post() for _ in range(3)]
    for status_id in statuses:
        world.share(timedelta(hours=1), status_id)
    first = metric_sync.sync(engine, now=NOW)
    assert (first.polled, first.plans[0].over_budget) == (2, 1)
    assert metric_sync.sync(engine, now=NOW + timedelta(minutes=1)).polled == 1
    assert [world.calls(status_id) for status_id in statuses] == [1, 1, 1]


def test_one_share_is_polled_on_demand_whatever_its_schedule(world):
    status_id = world.post()
    share_id = world.share(timedelta(hours=1), status_id)
    metric_sync.sync(world.engine, now=NOW)
    assert metric_sync.sync(world.engine, now=NOW + timedelta(minutes=1)).polled == 0
    assert metric_sync.sync(world.engine, now=NOW + timedelta(minutes=1), share_id=share_id).polled == 1
    with pytest.raises(NotFound):
        metric_sync.sync(world.engine, now=NOW, share_id=999_999)
    old = world.share(timedelta(days=100), world.post())
    with pytest.raises(NotSupported, match="older than 90 days"):
        metric_sync.sync(world.engine, now=NOW, share_id=old)


def test_the_schedule_setting_is_checked():
    assert parse_poll_schedule("2d=1h, 14d=1d") == (
        PollStep(timedelta(days=2), timedelta(hours=1)),
        PollStep(timedelta(days=14), timedelta(days=1)),
    )
    for bad, reason in [
        ("2d", "AGE=EVERY"),
        ("2x=1h", "not a duration"),
        ("14d=1d, 2d=1h", "must increase"),
        ("", "at least one step"),
        ("0d=1h", "not a duration"),
    ]:
        with pytest.raises(ValueError, match=reason):
            parse_poll_schedule(bad)


def test_a_bad_schedule_stops_start_up_with_a_sentence(clarion_settings_factory):
    with pytest.raises(ConfigError, match="metrics_schedule: the ages of the steps must increase"):
        clarion_settings_factory(metrics_schedule="14d=1d, 2d=1h")


def test_the_worker_runs_the_sync_every_ten_minutes_unless_turned_off(world, clarion_engine_factory):
    due = {task.name for task in job_queue(world.engine).huey.read_periodic(datetime(2026, 11, 22, 12, 10))}
    assert "clarion.sync_metrics" in due
    assert "clarion.sync_metrics" not in {
        task.name for task in job_queue(world.engine).huey.read_periodic(datetime(2026, 11, 22, 12, 11))
    }
    status_id = world.post(favourites_count=1)
    world.share(timedelta(hours=1), status_id)
    off = clarion_engine_factory(
        plugin_settings={"connector-mastodon": {"default_instance": world.fake.url}}, metrics_sync=False
    )
    job_queue(off).run_now("clarion.sync_metrics")
    assert world.calls(status_id) == 0
    job_queue(world.engine).run_now("clarion.sync_metrics")
    assert world.calls(status_id) == 1


@pytest.mark.parametrize(
    ("connector", "url", "post_id"),
    [
        ("x", "https://x.com/amir/status/1850000000000000001?s=20", "1850000000000000001"),
        ("x", "https://twitter.com/amir/status/42", "42"),
        ("x", "https://x.com/amir", None),
        ("mastodon", "https://mastodon.social/@jan/109000000000000001", "109000000000000001"),
        ("mastodon", "https://mastodon.social/@jan", None),
        (
            "bluesky",
            "https://bsky.app/profile/did:plc:abc123/post/3kxyz",
            "at://did:plc:abc123/app.bsky.feed.post/3kxyz",
        ),
        ("bluesky", "https://bsky.app/profile/jan.bsky.social/post/3kxyz", None),  # a handle needs a lookup
        ("linkedin", "https://www.linkedin.com/feed/update/urn:li:activity:7123456789/", None),
    ],
)
def test_connectors_read_post_ids_from_verified_links(clarion_engine, connector, url, post_id):
    assert clarion_engine.connector(connector).post_id_from_url(url) == post_id


# -- the command line ------------------------------------------------------------------------------


@pytest.fixture
def run(world, clarion_database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "clarion.toml"
    config.write_text(f'[plugins.connector-mastodon]\ndefault_instance = "{world.fake.url}"\n')
    environment = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_CONFIG": str(config),
        "CLARION_BASE_URL": "http://clarion.test",
        "CLARION_OUTBOUND_ALLOW_NETWORKS": "127.0.0.0/8",  # the fake Mastodon
    }

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, env=environment)

    return invoke


def test_metrics_sync_on_the_command_line(world, run):
    status_id = world.post(favourites_count=3)
    share_id = world.share(timedelta(hours=10), status_id)
    dry = run("metrics", "sync", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would poll share(s) {share_id}" in dry.output
    assert "1 share(s) due; nothing was asked or stored" in dry.output
    assert world.calls(status_id) == 0
    first = run("metrics", "sync")
    assert first.exit_code == 0, first.output
    assert "1 post(s) polled, 4 new sample(s), 0 deferred, 0 failed" in first.output
    assert "0 post(s) polled" in run("metrics", "sync").output  # not due again within the hour
    forced = run("metrics", "sync", "--share", str(share_id))
    assert "1 post(s) polled, 0 new sample(s)" in forced.output
    assert len(world.samples(share_id)) == 4
    missing = run("metrics", "sync", "--share", "999999")
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "clarion: error: share 999999 not found"


def test_import_metrics_on_the_command_line_the_metrics_import_plugins_command(world, run, tmp_path):
    share_id = world.share(timedelta(hours=10), world.post())
    good = tmp_path / "figures.csv"
    good.write_text(f"share,metric,value,observed_at\n{share_id},impressions,1200,2026-11-21\n")
    checked = run("import-metrics", str(good), "--dry-run")
    assert checked.exit_code == 0, checked.output
    assert "would import 1 sample(s)" in checked.output
    with world.engine.transaction() as session:
        assert session.exec(select(MetricSample)).all() == []
    imported = run("import-metrics", str(good))
    assert imported.exit_code == 0, imported.output
    assert "imported 1 sample(s); 0 row(s) already stored" in imported.output
    again = run("import-metrics", "-", input=good.read_text())
    assert "imported 0 sample(s); 1 row(s) already stored" in again.output
    with world.engine.transaction() as session:
        (sample,) = session.exec(select(MetricSample)).all()
        assert (sample.metric, sample.value, sample.origin) == ("impressions", 1200, MetricOrigin.IMPORT)
    bad = run("import-metrics", "-", input=f"share,metric,value,observed_at\n{share_id},impressions,-1,2026-11-21\n")
    assert bad.exit_code == 1
    assert bad.stderr.splitlines() == [
        "line 2, column value: must not be negative",
        "clarion: error: 1 row(s) of the file have problems; nothing was imported",
    ]


def test_recording_a_sample_twice_stores_it_once_and_says_so(world):
    share_id = world.share(timedelta(hours=1), world.post())
    with world.engine.transaction() as session:
        first = record_sample(session, share_id, "clicks", 3, source=MetricSource.REPORTED, observed_at=NOW)
        again = record_sample(session, share_id, "clicks", 3, source=MetricSource.REPORTED, observed_at=NOW)
        assert (first, again) == (True, False)
        assert record_if_changed(session, share_id, "clicks", 3, source=MetricSource.REPORTED, observed_at=NOW) is False


def test_posts_of_someone_who_left_are_no_longer_polled(world):
    status_id = world.post()
    share_id = world.share(timedelta(hours=1), status_id)
    with world.engine.transaction() as session:
        ambassador = session.get(Ambassador, world.ambassador_id)
        assert ambassador is not None
        ambassador.left_at = NOW
        session.add(ambassador)
    assert metric_sync.sync(world.engine, now=NOW).polled == 0
    assert world.calls(status_id) == 0
    with pytest.raises(NotSupported, match="left the programme"):
        metric_sync.sync(world.engine, now=NOW, share_id=share_id)
