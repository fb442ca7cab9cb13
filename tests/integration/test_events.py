"""The event log: idempotent recording, and observers told once, after commit, never on rollback."""

from __future__ import annotations

import logging
import threading
import time

import pytest
import sqlalchemy as sa

from clarion import hookimpl
from clarion.errors import Conflict
from clarion.event_log import list_events, record_event
from clarion.models import Content, Event


class Observer:
    """Remembers every event it is told about, and whether it was committed by then."""

    def __init__(self) -> None:
        self.seen: list = []
        self.committed_when_told: list[bool] = []

    @hookimpl
    def clarion_event_on_recorded(self, engine, event):
        self.seen.append(event)
        with engine.db.session() as session:  # a fresh connection sees only committed rows
            self.committed_when_told.append(session.get(Event, event.id) is not None)


class BrokenObserver:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def clarion_event_on_recorded(self, event):
        self.calls += 1
        raise RuntimeError(f"webhook down for {event.kind}")


def count_events(engine) -> int:
    with engine.db.session() as session:
        return session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one()


@pytest.fixture
def observer() -> Observer:
    return Observer()


@pytest.fixture
def engine(clarion_engine_factory, observer):
    return clarion_engine_factory(plugins={"test-observer": observer})


# -- idempotency --------------------------------------------------------------------------


def test_same_key_twice_in_one_transaction_stores_one_event(engine):
    with engine.transaction() as session:
        first, created_first = record_event(session, "test.happened", idempotency_key="k-1", payload={"n": 1})
        second, created_second = record_event(session, "test.happened", idempotency_key="k-1", payload={"n": 2})
    assert created_first is True
    assert created_second is False
    assert second.id == first.id
    assert second.payload == {"n": 1}, "the stored event wins; a replay changes nothing"
    assert count_events(engine) == 1


def test_same_key_in_a_later_transaction_is_a_no_op(engine):
    with engine.transaction() as session:
        first, _ = record_event(session, "test.happened", idempotency_key="k-1")
    with engine.transaction() as session:
        again, created = record_event(session, "other.kind", idempotency_key="k-1")
    assert created is False
    assert again == first
    assert count_events(engine) == 1


def test_recorded_event_carries_what_was_given(engine):
    with engine.transaction() as session:
        recorded, _ = record_event(session, "test.happened", idempotency_key="k-1", payload={"a": [1, "b"]})
    with engine.transaction() as session:
        [listed] = list_events(session)
    assert listed == recorded
    assert recorded.kind == "test.happened"
    assert recorded.payload == {"a": [1, "b"]}
    assert recorded.occurred_at.tzinfo is not None


def test_different_keys_store_different_events(engine):
    with engine.transaction() as session:
        ids = {record_event(session, "test.happened", idempotency_key=f"k-{n}")[0].id for n in range(5)}
    assert len(ids) == 5
    assert count_events(engine) == 5


# -- observers ----------------------------------------------------------------------------


def test_observer_is_told_once_and_only_after_commit(engine, observer):
    with engine.transaction() as session:
        recorded, _ = record_event(session, "test.happened", idempotency_key="k-1")
        record_event(session, "test.happened", idempotency_key="k-1")
        assert observer.seen == [], "told before the commit"
    assert observer.seen == [recorded]
    assert observer.committed_when_told == [True]
    with engine.transaction() as session:
        record_event(session, "test.happened", idempotency_key="k-1")
    assert observer.seen == [recorded], "a replayed duplicate is not news"


def test_observers_hear_events_in_recording_order(engine, observer):
    with engine.transaction() as session:
        keys = [record_event(session, "test.happened", idempotency_key=f"k-{n}")[0].idempotency_key for n in range(3)]
    assert [event.idempotency_key for event in observer.seen] == keys


def record_then_fail(engine) -> None:
    with engine.transaction() as session:
        record_event(session, "test.happened", idempotency_key="k-1")
        raise RuntimeError("boom")


def record_then_break_a_constraint(engine) -> None:
    with engine.transaction() as session:
        record_event(session, "test.happened", idempotency_key="k-1")
        session.add(Content(title="", url="https://example.com"))  # breaks a CHECK at commit time


def test_observer_is_not_told_when_the_transaction_fails(engine, observer):
    with pytest.raises(RuntimeError, match="boom"):
        record_then_fail(engine)
    assert observer.seen == []
    assert count_events(engine) == 0


def test_observer_is_not_told_when_the_commit_fails(engine, observer):
    with pytest.raises(Conflict):
        record_then_break_a_constraint(engine)
    assert observer.seen == []
    assert count_events(engine) == 0


def test_observer_is_not_told_of_an_explicitly_rolled_back_event(engine, observer):
    with engine.transaction() as session:
        record_event(session, "test.happened", idempotency_key="k-rolled-back")
        session.rollback()
        kept, _ = record_event(session, "test.happened", idempotency_key="k-kept")
    assert count_events(engine) == 1
    assert [event.idempotency_key for event in observer.seen] == [kept.idempotency_key]


def test_observer_is_not_told_of_an_event_in_a_rolled_back_savepoint(engine, observer):
    with engine.transaction() as session:
        try:
            with session.begin_nested():
                record_event(session, "test.happened", idempotency_key="k-savepoint")
                raise LookupError("undo this part only")
        except LookupError:
            pass
        kept, _ = record_event(session, "test.happened", idempotency_key="k-kept")
    assert count_events(engine) == 1
    assert [event.idempotency_key for event in observer.seen] == [kept.idempotency_key]


def test_failing_observer_does_not_break_the_action(clarion_engine_factory, caplog):
    broken, observer = BrokenObserver(), Observer()
    engine = clarion_engine_factory(plugins={"test-broken": broken, "test-observer": observer})
    with caplog.at_level(logging.ERROR, logger="clarion.engine"), engine.transaction() as session:
        recorded, _ = record_event(session, "test.happened", idempotency_key="k-1")
    assert count_events(engine) == 1
    assert broken.calls == 1
    assert observer.seen == [recorded], "other observers are still told"
    [record] = [r for r in caplog.records if r.name == "clarion.engine"]
    assert record.levelno == logging.ERROR
    assert "test-broken" in record.getMessage()
    assert "test.happened" in record.getMessage()
    assert record.exc_info is not None
    assert "webhook down" in str(record.exc_info[1])


# -- concurrency --------------------------------------------------------------------------


def wait_until_a_writer_is_blocked(engine, timeout: float = 10.0) -> None:
    """Until PostgreSQL reports a session of this database waiting for another's lock.

    PostgreSQL announces no lock wait, so this asks ``pg_blocking_pids`` until one shows. Each
    question is its own transaction: PostgreSQL keeps one snapshot of ``pg_stat_activity`` per
    transaction, so asking again inside one would never see a writer that blocked after the first.
    """
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0"
    )
    deadline = time.monotonic() + timeout
    with engine.db.engine.connect() as connection:
        while not connection.execute(query).scalar():
            connection.rollback()
            if time.monotonic() > deadline:
                raise AssertionError("the second writer never blocked on the unique index")


def test_concurrent_writers_with_one_key_store_one_event(engine, observer):
    if engine.db.dialect != "postgresql":
        pytest.skip("concurrent inserts are exercised on PostgreSQL")
    first_inserted = threading.Event()
    second_started = threading.Event()
    results: dict[str, tuple] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with engine.transaction() as session:
                results["first"] = record_event(session, "test.raced", idempotency_key="race")
                first_inserted.set()
                second_started.wait(5)
                wait_until_a_writer_is_blocked(engine)  # the second writer, on the unique index
        except BaseException as exc:
            errors.append(exc)
            first_inserted.set()

    def second() -> None:
        try:
            first_inserted.wait(5)
            second_started.set()
            with engine.transaction() as session:
                results["second"] = record_event(session, "test.raced", idempotency_key="race")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert results["first"][1] is True
    assert results["second"][1] is False
    assert results["second"][0].id == results["first"][0].id
    assert count_events(engine) == 1
    assert len(observer.seen) == 1


def test_racing_writers_store_one_event_per_key(engine, observer):
    if engine.db.dialect != "postgresql":
        pytest.skip("concurrent inserts are exercised on PostgreSQL")
    rounds = 10
    barrier = threading.Barrier(2)
    created: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def writer() -> None:
        try:
            for round_number in range(rounds):
                barrier.wait(5)
                with engine.transaction() as session:
                    _, was_created = record_event(session, "test.raced", idempotency_key=f"race-{round_number}")
                with lock:
                    created.append(was_created)
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert created.count(True) == rounds
    assert created.count(False) == rounds
    assert count_events(engine) == rounds
    assert sorted(event.idempotency_key for event in observer.seen) == sorted(f"race-{n}" for n in range(rounds))
