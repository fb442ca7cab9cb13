"""Publishing API shares in the background: every failure handled, no share lost, none posted twice."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa
from sqlmodel import select

from clarion import hookimpl
from clarion.actors import Actor
from clarion.ambassadors.credentials import load_credential, store_credential
from clarion.bootstrap import build_engine
from clarion.clock import FrozenClock
from clarion.connectors import Credential, RateLimitInfo, RateLimitScope
from clarion.content.content import ContentAction, create_content, transition_content
from clarion.engine import Engine
from clarion.events import RecordedEvent
from clarion.jobs import job_queue
from clarion.models import (
    AccountStatus,
    AdvocacyLevel,
    Ambassador,
    Event,
    NetworkAccount,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
    utcnow,
)
from clarion.plugins import DEFAULT_PLUGINS
from clarion.shares import publishing, rate_limits
from clarion.shares.sharing import cancel_share, create_share
from plugins import fake_publisher
from plugins.fake_publisher import FakeNetwork

REDIS_URL = "redis://127.0.0.1:6379/7"
# Guardrails judge what people write; these tests publish many near-identical shares on purpose.
GUARDRAILS = tuple(name for name in DEFAULT_PLUGINS if name.startswith("guardrail-"))


@pytest.fixture
def network() -> Iterator[FakeNetwork]:
    with FakeNetwork() as fake:
        yield fake


@dataclass
class World:
    engine: Engine
    network: FakeNetwork
    amir: Actor
    editor: Actor
    account_id: int
    clock: FrozenClock | None = None  # hand-run worlds move it; the real consumer runs on the system's

    def content(self, title: str = "Our launch") -> int:
        with self.engine.transaction() as session:
            data = {"title": title, "url": f"https://example.com/{uuid.uuid4().hex[:8]}"}
            content_id = create_content(self.engine, session, self.editor, data).content.id
            assert content_id is not None
            for action in (ContentAction.SUBMIT, ContentAction.APPROVE):
                transition_content(session, self.editor, content_id, action)
        return content_id

    def share(self, content_id: int | None = None, **options) -> int:
        content_id = content_id if content_id is not None else self.content()
        with self.engine.transaction() as session:
            created = create_share(
                self.engine,
                session,
                self.amir,
                content_id=content_id,
                network="fakepub",
                text="Proud of this launch",
                method=ShareMethod.API,
                **options,
            )
            assert created.share.id is not None
            return created.share.id

    def row(self, share_id: int) -> Share:
        with self.engine.transaction() as session:
            share = session.get(Share, share_id)
            assert share is not None
            return share

    def account(self) -> NetworkAccount:
        with self.engine.transaction() as session:
            account = session.get(NetworkAccount, self.account_id)
            assert account is not None
            return account

    def published_events(self, share_id: int) -> list[Event]:
        return self.events(share_id, "share.published")

    def events(self, share_id: int, kind: str) -> list[Event]:
        with self.engine.transaction() as session:
            return list(session.exec(select(Event).where(Event.share_id == share_id, Event.kind == kind)).all())


def person(engine: Engine, external_id: str, role: Role = Role.AMBASSADOR) -> Actor:
    with engine.transaction() as session:
        ambassador = Ambassador(
            external_id=external_id,
            name=external_id.title(),
            role=role,
            advocacy_level=AdvocacyLevel.ENGAGEMENT,
            opted_in_at=utcnow(),
            guidelines_version=engine.settings.guidelines_version,
        )
        session.add(ambassador)
        session.flush()
        return Actor.of(ambassador)


def build_world(engine: Engine, network: FakeNetwork, clock: FrozenClock | None = None) -> World:
    amir = person(engine, "amir")
    editor = person(engine, "erin", Role.EDITOR)
    with engine.transaction() as session:
        account = NetworkAccount(ambassador_id=amir.ambassador_id, network="fakepub", handle="@amir")
        session.add(account)
        session.flush()
        store_credential(engine, session, account, Credential(access_token="token-1", refresh_token="refresh-1"))
        assert account.id is not None
        account_id = account.id
    return World(engine, network, amir, editor, account_id, clock)


class PublishedWaiter:
    """An observer plugin: wait for ``share.published`` events instead of polling the database."""

    def __init__(self) -> None:
        self.published: set[int] = set()
        self.condition = threading.Condition()

    @hookimpl
    def clarion_event_on_recorded(self, engine, event):
        if event.kind == "share.published" and event.share_id is not None:
            with self.condition:
                self.published.add(event.share_id)
                self.condition.notify_all()

    def wait(self, *share_ids: int, timeout: float = 15.0) -> None:
        with self.condition:
            if not self.condition.wait_for(lambda: self.published.issuperset(share_ids), timeout):
                pytest.fail(f"shares {sorted(set(share_ids) - self.published)} were not published in {timeout} s")


@pytest.fixture
def make_world(clarion_engine_factory, network, request) -> Callable[..., World]:
    """Worlds on the ``clock`` fixture when the test uses it (attempts run by hand), else on the system clock."""
    clock = request.getfixturevalue("clock") if "clock" in request.fixturenames else None

    def make(extra_plugins: dict[str, object] | None = None, **settings) -> World:
        options = {
            "publish_retry_seconds": 0.05,
            "publish_timeout_seconds": 60.0,
            "disabled_plugins": GUARDRAILS,
            **settings,
        }
        engine = clarion_engine_factory(
            {"fakepub": fake_publisher, **(extra_plugins or {})},
            plugin_settings={"fakepub": {"base_url": network.url, "timeout": 0.5}},
            **options,
        )
        return build_world(engine, network, clock)

    return make


@pytest.fixture
def world(make_world, clock) -> World:
    """Attempts run by hand; time moves with the clock, never by sleeping."""
    return make_world()


@pytest.fixture
def published() -> PublishedWaiter:
    return PublishedWaiter()


@pytest.fixture
def live_world(make_world, published) -> World:
    """The real consumer: huey schedules by the system clock, so this world runs on it too."""
    return make_world(extra_plugins={"published": published})


def wait_for(check: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    pytest.fail("timed out waiting")


def settle(world: World, share_id: int, *, rounds: int = 10) -> Share:
    """Run due attempts by hand (no consumer) until the share stops being rescheduled.

    A retry or a rate-limit wait is due at ``scheduled_at``: the clock moves there, nobody sleeps.
    """
    assert world.clock is not None, "settle() moves the clock: use the world or clock fixture"
    for _ in range(rounds):
        share = world.row(share_id)
        if share.status is ShareStatus.SCHEDULED:
            assert share.scheduled_at is not None
            world.clock.set(max(world.clock.now(), share.scheduled_at))
            publishing.publish_share(world.engine, share_id)
        elif share.status is ShareStatus.PUBLISHING:
            publishing.reconcile_share(world.engine, share_id)
        else:
            return share
    pytest.fail("the share never settled")


# -- one attempt at a time, run by hand -----------------------------------------------------------


def test_a_share_is_published_once_with_its_tracked_link(world):
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    publishing.publish_share(world.engine, share_id)  # a duplicate delivery of the task
    share = world.row(share_id)
    assert share.status is ShareStatus.PUBLISHED
    assert (share.external_post_id, share.external_post_url) == ("post-1", "https://fakepub.example/p/post-1")
    assert share.attempts == 1
    assert share.published_at is not None
    assert share.verified_at is not None
    assert share.last_error is None
    assert len(world.network.posts) == 1
    post = world.network.posts[0]
    assert post["key"] == publishing.idempotency_key(share_id)
    assert post["text"] == f"Proud of this launch http://clarion.test/r/{share.link_code}"
    [event] = world.published_events(share_id)
    assert event.payload == {"network": "fakepub", "method": "api", "verified": True}


def test_transient_failures_are_retried_with_growing_backoff(world):
    world.network.script("503", "503")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.SCHEDULED
    assert "FakePub failed (503); trying again at" in (share.last_error or "")
    assert share.scheduled_at is not None
    assert share.scheduled_at > utcnow() - timedelta(seconds=1)
    share = settle(world, share_id)
    assert share.status is ShareStatus.PUBLISHED
    assert share.attempts == 3
    assert len(world.network.posts) == 1


def test_a_share_is_not_published_before_it_is_due(world):
    share_id = world.share(scheduled_at=utcnow() + timedelta(hours=1))
    publishing.publish_share(world.engine, share_id)
    assert publishing.sweep(world.engine).due == ()
    share = world.row(share_id)
    assert (share.status, share.attempts) == (ShareStatus.SCHEDULED, 0)
    assert world.network.requests == []


def test_retryable_failures_give_up_after_the_maximum_attempts(make_world, clock):
    world = make_world(max_publish_attempts=2)
    world.network.script("503", "503", "503")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    share = settle(world, share_id)
    assert share.status is ShareStatus.FAILED
    assert share.attempts == 2
    assert share.last_error == "gave up after 2 attempts: FakePub failed (503)"
    assert world.network.posts == []


def test_the_backoff_honours_retry_after_and_grows_otherwise(world):
    assert publishing.retry_delay(world.engine, 3, 7.5) == 7.5
    delays = [publishing.retry_delay(world.engine, attempt, None) for attempt in (1, 2, 3, 4)]
    for attempt, delay in enumerate(delays, start=1):
        base = 0.05 * 2 ** (attempt - 1)
        assert 0.5 * base <= delay <= 1.5 * base


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("422", "FakePub refused the post: duplicate content"),
        ("403", "FakePub does not let this app post for you"),
    ],
)
def test_refusals_fail_with_the_reason_and_are_never_retried(world, reply, message):
    world.network.script(reply)
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    publishing.publish_share(world.engine, share_id)
    publishing.sweep(world.engine)
    share = world.row(share_id)
    assert share.status is ShareStatus.FAILED
    assert share.last_error == message
    assert share.attempts == 1
    assert world.network.posts == []
    assert world.published_events(share_id) == []


def test_an_expired_token_is_refreshed_once_then_the_post_goes_out(world):
    world.network.script("401")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.PUBLISHED
    assert share.attempts == 1
    assert world.network.requests.count("POST /token") == 1
    assert len(world.network.posts) == 1
    credential = load_credential(world.engine, world.account())
    assert credential is not None
    assert (credential.access_token, credential.refresh_token) == ("token-2", "refresh-2")


def test_a_refused_refresh_fails_the_share_and_asks_for_a_reconnect(world):
    world.network.script("401")
    world.network.refresh = "refuse"
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.FAILED
    assert share.last_error is not None
    assert share.last_error.startswith("reconnect your FakePub account")
    assert world.account().status is AccountStatus.RECONNECT_NEEDED
    assert world.network.posts == []
    # The next share for this account fails at once, without calling the network.
    second = world.share()
    publishing.publish_share(world.engine, second)
    assert world.row(second).last_error == "reconnect your FakePub account"
    assert world.network.requests.count("POST /posts") == 1


def test_a_token_refused_twice_asks_for_a_reconnect(world):
    world.network.script("401", "401")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.FAILED
    assert "reconnect your FakePub account" in (share.last_error or "")
    assert world.account().status is AccountStatus.RECONNECT_NEEDED
    assert world.network.requests.count("POST /token") == 1


@pytest.mark.parametrize("reply", ["drop", "hang"])
def test_an_unknown_outcome_is_reconciled_never_posted_twice(world, reply):
    world.network.script(reply)
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.PUBLISHING
    assert share.last_error == "FakePub did not answer; checking whether the post went out"
    publishing.publish_share(world.engine, share_id)  # a stray publish task must not post again
    publishing.reconcile_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.PUBLISHED
    assert share.external_post_id == "post-1"
    assert share.last_error is None
    assert world.network.requests.count("POST /posts") == 1
    assert len(world.network.posts) == 1
    assert len(world.published_events(share_id)) == 1


def test_a_post_the_network_never_received_is_published_again_after_reconciling(world):
    world.network.script("lose")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    publishing.reconcile_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.SCHEDULED
    assert share.last_error == "the post did not go out; trying again"
    share = settle(world, share_id)
    assert share.status is ShareStatus.PUBLISHED
    assert share.attempts == 2
    assert len(world.network.posts) == 1


def test_when_the_network_cannot_tell_the_ambassador_is_asked_to_check(world):
    world.network.script("drop")
    world.network.find = "unsupported"
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    publishing.reconcile_share(world.engine, share_id)
    share = world.row(share_id)
    assert share.status is ShareStatus.FAILED
    assert share.last_error == "could not confirm whether it was posted; check your profile"
    assert publishing.sweep(world.engine) == publishing.Swept(due=(), stuck=())
    publishing.publish_share(world.engine, share_id)
    assert len(world.network.posts) == 1


def abandon_mid_publish(world: World, share_id: int) -> None:
    """A worker that recorded the attempt and died: PUBLISHING, started long ago."""
    assert publishing._claim(world.engine, share_id) is not None
    with world.engine.transaction() as session:
        session.execute(
            sa.update(Share).where(Share.id == share_id).values(publish_started_at=utcnow() - timedelta(hours=1))
        )


@pytest.mark.parametrize("reached_network", [True, False], ids=["posted", "not-posted"])
def test_the_sweeper_reconciles_a_share_whose_worker_died(live_world, published, reached_network):
    share_id = live_world.share()
    abandon_mid_publish(live_world, share_id)
    if reached_network:
        live_world.network._store("Proud of this launch", publishing.idempotency_key(share_id))
    publishing.publish_share(live_world.engine, share_id)  # the original task again: not re-published
    assert live_world.network.requests.count("POST /posts") == 0
    swept = publishing.sweep(live_world.engine)
    assert swept.stuck == (share_id,)
    consumer = job_queue(live_world.engine).start_in_background(workers=1, periodic=False)
    try:
        published.wait(share_id)
    finally:
        consumer.stop()
    assert live_world.row(share_id).status is ShareStatus.PUBLISHED
    assert len(live_world.network.posts) == 1
    assert live_world.network.requests.count("POST /posts") == (0 if reached_network else 1)
    assert len(live_world.published_events(share_id)) == 1


def test_a_share_publishing_within_the_timeout_is_left_alone(world):
    share_id = world.share()
    assert publishing._claim(world.engine, share_id) is not None
    assert share_id not in publishing.sweep(world.engine).stuck


def test_a_cancelled_share_is_never_posted(live_world):
    when = utcnow() + timedelta(seconds=3)  # room for a slow machine to create the share first
    share_id = live_world.share(scheduled_at=when)
    with live_world.engine.transaction() as session:
        cancel_share(session, live_world.amir, share_id)
    # The task is still queued (huey moves tasks with an eta to its schedule when it reads them).
    assert job_queue(live_world.engine).pending() + job_queue(live_world.engine).scheduled() == 1
    consumer = job_queue(live_world.engine).start_in_background(workers=1, periodic=False)
    try:
        # Past its time (and the scheduler's one-second tick), the task has run, as a no-op.
        wait_for(lambda: utcnow() > when + timedelta(seconds=1.5))
        wait_for(lambda: job_queue(live_world.engine).scheduled() == 0 and job_queue(live_world.engine).pending() == 0)
    finally:
        consumer.stop()
    publishing.publish_share(live_world.engine, share_id)
    assert publishing.sweep(live_world.engine).due == ()
    assert live_world.row(share_id).status is ShareStatus.CANCELLED
    assert live_world.network.requests == []


# -- the real consumer ----------------------------------------------------------------------------


def test_the_sqlite_consumer_publishes_a_scheduled_share_on_time(live_world, published, tmp_path):
    assert live_world.engine.settings.redis_url is None
    when = utcnow() + timedelta(seconds=3)  # room for a slow machine to create the share first
    share_id = live_world.share(scheduled_at=when)
    assert (tmp_path / "clarion-queue.db").exists()
    consumer = job_queue(live_world.engine).start_in_background(workers=2, periodic=False)
    try:
        published.wait(share_id)
    finally:
        consumer.stop()
    share = live_world.row(share_id)
    assert share.published_at is not None
    assert share.published_at >= when
    assert len(live_world.network.posts) == 1


def test_the_consumer_waits_as_long_as_retry_after_says(live_world, published):
    live_world.network.script("429:1")
    consumer = job_queue(live_world.engine).start_in_background(workers=1, periodic=False)
    try:
        started = time.monotonic()
        share_id = live_world.share()
        published.wait(share_id)
    finally:
        consumer.stop()
    share = live_world.row(share_id)
    assert share.attempts == 2
    assert len(live_world.network.posts) == 1
    assert live_world.network.post_times[0] - started >= 1.0


def test_the_consumer_settles_an_unknown_outcome_on_its_own(live_world, published):
    live_world.network.script("drop")
    consumer = job_queue(live_world.engine).start_in_background(workers=2, periodic=False)
    try:
        share_id = live_world.share()
        published.wait(share_id)
    finally:
        consumer.stop()
    assert len(live_world.network.posts) == 1
    assert live_world.network.requests.count("POST /posts") == 1


@pytest.fixture
def redis_queue() -> Iterator[dict[str, str]]:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    name = f"clarion-test-{uuid.uuid4().hex[:10]}"
    yield {"redis_url": REDIS_URL, "queue_name": name}
    for key in client.scan_iter(f"*{name}*"):
        client.delete(key)
    client.close()


def test_redis_workers_on_two_machines_publish_each_share_exactly_once(make_world, redis_queue, published):
    world = make_world(extra_plugins={"published": published}, **redis_queue)
    # A second "machine": its own engine on the same database and the same Redis queue.
    other = build_engine(world.engine.settings, extra_plugins={"fakepub": fake_publisher, "published": published})
    shares = [world.share() for _ in range(8)]
    for share_id in shares:  # every task delivered twice, as a sweeper racing a retry would
        job_queue(world.engine).publish(share_id)
    assert job_queue(world.engine).pending() == 16
    consumers = [job_queue(engine).start_in_background(workers=1, periodic=False) for engine in (world.engine, other)]
    try:
        published.wait(*shares)
        wait_for(lambda: job_queue(world.engine).pending() == 0)  # the duplicate deliveries: no event to wait on
    finally:
        for consumer in consumers:
            consumer.stop()
        other.close()
    keys = sorted(post["key"] for post in world.network.posts)
    assert keys == sorted(publishing.idempotency_key(share_id) for share_id in shares)


# -- the rate-limit store -------------------------------------------------------------------------


def test_a_spent_budget_makes_the_next_share_wait_without_an_attempt(world):
    world.network.script("429:30")
    first, second = world.share(), world.share()
    publishing.publish_share(world.engine, first)
    assert world.row(first).attempts == 1
    with world.engine.transaction() as session:
        until = rate_limits.blocked_until(session, "fakepub", world.account_id)
    assert until is not None
    assert timedelta(seconds=28) < until - utcnow() <= timedelta(seconds=30)
    queued = job_queue(world.engine).pending() + job_queue(world.engine).scheduled()
    publishing.publish_share(world.engine, second)
    share = world.row(second)
    assert (share.status, share.attempts, share.scheduled_at) == (ShareStatus.SCHEDULED, 0, until)
    assert share.last_error == f"waiting for the FakePub rate limit until {until.isoformat(timespec='seconds')}"
    assert job_queue(world.engine).pending() + job_queue(world.engine).scheduled() == queued + 1  # queued for the reset
    assert world.network.requests.count("POST /posts") == 1
    assert publishing.sweep(world.engine).due == ()  # the sweeper does not hammer either
    assert world.events(second, "share.failed") == []


def test_two_workers_see_the_same_spent_budget(make_world):
    world = make_world()
    # A second "machine": its own engine on the same database, so only the database is shared.
    other = build_engine(world.engine.settings, extra_plugins={"fakepub": fake_publisher})
    try:
        world.network.script("429:30")
        first, second = world.share(), world.share()
        publishing.publish_share(world.engine, first)
        publishing.publish_share(other, second)
        assert world.row(second).attempts == 0
        assert (world.row(second).last_error or "").startswith("waiting for the FakePub rate limit until")
        assert world.network.requests.count("POST /posts") == 1
    finally:
        other.close()


def test_a_waiting_share_goes_out_once_the_budget_resets(world):
    world.network.script("429:1")
    first, second = world.share(), world.share()
    publishing.publish_share(world.engine, first)
    publishing.publish_share(world.engine, second)
    assert world.row(second).attempts == 0
    for share_id in (first, second):
        share = settle(world, share_id)
        assert share.status is ShareStatus.PUBLISHED
        assert share.last_error is None
    assert world.row(first).attempts == 2  # the 429 counted; waiting did not
    assert world.row(second).attempts == 1
    assert len(world.network.posts) == 2


def test_another_accounts_budget_does_not_hold_this_one_back(world):
    with world.engine.transaction() as session:
        other_account = world.account_id + 1000
        spent = RateLimitInfo(RateLimitScope.ACCOUNT, 0, utcnow() + timedelta(minutes=5))
        rate_limits.record(session, "fakepub", other_account, [spent])
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    assert world.row(share_id).status is ShareStatus.PUBLISHED


def test_the_apps_spent_budget_holds_every_account_back(world):
    with world.engine.transaction() as session:
        spent = RateLimitInfo(RateLimitScope.APP, 0, utcnow() + timedelta(minutes=5))
        rate_limits.record(session, "fakepub", world.account_id + 1000, [spent])
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    assert (world.row(share_id).status, world.row(share_id).attempts) == (ShareStatus.SCHEDULED, 0)
    assert world.network.requests == []


def test_a_block_only_moves_later_and_a_stale_answer_cannot_lift_it(world):
    now = utcnow()
    later, sooner = now + timedelta(minutes=10), now + timedelta(minutes=2)
    with world.engine.transaction() as session:
        rate_limits.record(session, "fakepub", world.account_id, [RateLimitInfo(RateLimitScope.ACCOUNT, 0, later)])
        rate_limits.record(session, "fakepub", world.account_id, [RateLimitInfo(RateLimitScope.ACCOUNT, 0, sooner)])
        rate_limits.record(
            session, "fakepub", world.account_id, [RateLimitInfo(RateLimitScope.ACCOUNT, 50, sooner, 100)]
        )
        assert rate_limits.blocked_until(session, "fakepub", world.account_id) == later
        [row] = rate_limits.budgets(session, "fakepub")
        assert (row.scope, row.remaining, row.window_limit, row.reset_at) == (
            f"account:{world.account_id}",
            50,
            100,
            sooner,
        )
        # Once its time has passed a block is gone, whatever the row still says.
        assert rate_limits.blocked_until(session, "fakepub", world.account_id, now + timedelta(minutes=11)) is None
        # A budget with room, or a reset already past, blocks nothing.
        rate_limits.record(session, "other", world.account_id, [RateLimitInfo(RateLimitScope.ACCOUNT, 3, later)])
        rate_limits.record(session, "other", world.account_id, [RateLimitInfo(RateLimitScope.ACCOUNT, 0, now)])
        assert rate_limits.blocked_until(session, "other", world.account_id) is None


# -- share.failed ---------------------------------------------------------------------------------


class FailureListener:
    """An observer plugin: what ``clarion_event_on_recorded`` heard of failures."""

    def __init__(self) -> None:
        self.heard: list[RecordedEvent] = []

    @hookimpl
    def clarion_event_on_recorded(self, engine, event):
        if event.kind == "share.failed":
            self.heard.append(event)


def test_a_refused_share_records_share_failed_once_with_reason_and_kind(make_world):
    listener = FailureListener()
    world = make_world(extra_plugins={"listener": listener})
    world.network.script("422")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    publishing.publish_share(world.engine, share_id)  # a duplicate delivery of the task
    publishing.sweep(world.engine)
    [event] = world.events(share_id, "share.failed")
    assert event.payload == {
        "network": "fakepub",
        "method": "api",
        "reason": "FakePub refused the post: duplicate content",
        "error": "content_rejected",
        "attempts": 1,
    }
    assert (event.ambassador_id, event.content_id) == (world.amir.ambassador_id, world.row(share_id).content_id)
    assert [heard.id for heard in listener.heard] == [event.id]


def test_share_failed_comes_after_the_last_attempt_only(make_world, clock):
    world = make_world(max_publish_attempts=2)
    world.network.script("503", "503")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    assert world.events(share_id, "share.failed") == []  # retrying is not failing
    settle(world, share_id)
    [event] = world.events(share_id, "share.failed")
    assert (event.payload["error"], event.payload["attempts"]) == ("transient", 2)
    assert event.payload["reason"] == "gave up after 2 attempts: FakePub failed (503)"


def test_share_failed_names_a_needed_reconnect(world):
    world.network.script("401")
    world.network.refresh = "refuse"
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    [event] = world.events(share_id, "share.failed")
    assert event.payload["error"] == "reconnect_needed"
    assert event.payload["reason"].startswith("reconnect your FakePub account")


def test_a_share_that_cannot_be_published_fails_at_once_with_share_failed(world):
    share_id = world.share()
    with world.engine.transaction() as session:  # disconnected after scheduling
        session.execute(sa.update(NetworkAccount).values(credentials_encrypted=None))
    publishing.publish_share(world.engine, share_id)
    [event] = world.events(share_id, "share.failed")
    assert event.payload["error"] == "not_publishable"
    assert event.payload["reason"] == "connect your FakePub account to publish through the API"
    assert world.network.requests == []


def test_an_unconfirmable_post_records_share_failed(world):
    world.network.script("drop")
    world.network.find = "unsupported"
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    assert world.events(share_id, "share.failed") == []  # unknown is not failed
    publishing.reconcile_share(world.engine, share_id)
    publishing.reconcile_share(world.engine, share_id)
    [event] = world.events(share_id, "share.failed")
    assert (event.payload["error"], event.payload["reason"]) == ("unconfirmed", publishing.CANNOT_CONFIRM)


def test_a_share_failing_again_after_a_retry_records_a_second_failure(world):
    world.network.script("422", "422")
    share_id = world.share()
    publishing.publish_share(world.engine, share_id)
    with world.engine.transaction() as session:  # someone schedules the failed share again
        session.execute(
            sa.update(Share).where(Share.id == share_id).values(status=ShareStatus.SCHEDULED, scheduled_at=utcnow())
        )
    publishing.publish_share(world.engine, share_id)
    publishing.publish_share(world.engine, share_id)
    events = world.events(share_id, "share.failed")
    assert [event.payload["attempts"] for event in events] == [1, 2]
