"""The ledger tells plugins what it wrote: in its transaction, after commit, and after a recompute."""

from __future__ import annotations

from itertools import count

import pytest
from litestar.testing import TestClient

from clarion import hookimpl
from clarion.actors import Actor
from clarion.errors import PluginError
from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.points import points as points_service
from clarion.web.app import create_app
from plugins import share_points
from plugins.points_follower import FailingFollower, PointsFollower

KEYS = count()


def record(engine, kind, person):
    with engine.transaction() as session:
        event, _ = record_event(session, kind, idempotency_key=f"hooks:{next(KEYS)}", ambassador_id=person.id)
    return event


def balance(engine, person):
    with engine.transaction() as session:
        return points_service.balance(session, person.id).awarded


def test_hook_points_on_change(clarion_engine_factory, clarion_people):
    follower = PointsFollower()
    engine = clarion_engine_factory({"share-points": share_points, "follower": follower})
    amir = clarion_people("amir")
    record(engine, EventKind.SHARE_CREATED, amir)
    record(engine, EventKind.SHARE_CREATED, amir)
    assert follower.changes == [(amir.id, 10), (amir.id, 10)]
    assert follower.totals[amir.id] == balance(engine, amir) == 20
    assert follower.in_transaction == [True, True]  # told inside the ledger's transaction


def test_a_failing_follower_rolls_the_ledger_write_back(clarion_engine_factory, clarion_people, caplog):
    engine = clarion_engine_factory({"share-points": share_points, "failing": FailingFollower()})
    amir = clarion_people("amir")
    record(engine, EventKind.SHARE_CREATED, amir)  # the action itself succeeds: scoring follows it
    assert balance(engine, amir) == 0
    assert "the follower's table is gone" in caplog.text


def test_hook_points_on_scored(clarion_engine_factory, clarion_people, caplog):
    follower = PointsFollower()
    engine = clarion_engine_factory({"share-points": share_points, "follower": follower, "failing": _ScoredOnly()})
    amir = clarion_people("amir")
    event = record(engine, EventKind.SHARE_CREATED, amir)
    assert (EventKind.SHARE_CREATED, [10]) in follower.scored
    # Scored again (a replayed observer): nothing new is written, and plugins hear of no entries.
    assert points_service.score_event(engine, event) == []
    assert follower.scored[-1] == (EventKind.SHARE_CREATED, [])
    # A failing plugin is logged with its name; the points stay.
    assert "plugin 'failing' failed after scoring event" in caplog.text
    assert balance(engine, amir) == 10


class _ScoredOnly:
    @hookimpl
    def clarion_points_on_scored(self, event):
        raise RuntimeError("down")


def test_hook_points_on_recompute(clarion_engine_factory, clarion_people):
    follower = PointsFollower()
    engine = clarion_engine_factory({"share-points": share_points, "follower": follower})
    amir = clarion_people("amir")
    record(engine, EventKind.SHARE_CREATED, amir)
    follower.totals.clear()
    follower.changes.clear()
    points_service.recompute(engine)
    assert follower.recomputed == 1
    assert follower.changes == []  # a replay is not a stream of changes
    assert follower.totals[amir.id] == balance(engine, amir) == 10


def test_hook_widget_context_compute(clarion_engine_factory, clarion_people):
    follower = PointsFollower()
    engine = clarion_engine_factory({"share-points": share_points, "follower": follower})
    amir = clarion_people("amir")
    record(engine, EventKind.SHARE_CREATED, amir)
    with engine.transaction() as session:
        added = engine.widget_context("my-impact", Actor(amir.id, "amir", amir.role), session)
        assert added["followed_total"] == 10
        assert {"level", "badges", "standing"} <= set(added)  # the gamification plugin's additions
        assert engine.widget_context("feed", Actor(amir.id, "amir", amir.role), session) == {}
    with TestClient(create_app(engine=engine)) as client:
        page = client.get("/widgets/my-impact", headers=amir.headers)
    assert page.status_code == 200, page.text


def test_widget_context_must_be_a_mapping(clarion_engine_factory, clarion_people):
    class Wrong:
        @hookimpl
        def clarion_widget_context_compute(self):
            return ["not", "a", "mapping"]

    engine = clarion_engine_factory({"wrong": Wrong()})
    amir = clarion_people("amir")
    with engine.transaction() as session, pytest.raises(PluginError, match="must return a mapping"):
        engine.widget_context("my-impact", Actor(amir.id, "amir", amir.role), session)
