"""Potential reach: the sharer's follower count (reported), else the network's default (estimated), else none."""

from __future__ import annotations

import pytest

from clarion.errors import ConfigError
from clarion.metrics.reach import ReachSnapshot, potential_reach
from clarion.models import MetricSource, NetworkAccount, Role, Share
from clarion.testing import make_person


def reach(engine, person, network):
    with engine.transaction() as session:
        return potential_reach(engine, session, person.id, network)


def test_follower_count_wins_and_is_reported(clarion_engine):
    person = make_person(clarion_engine, "amir")
    with clarion_engine.transaction() as session:
        session.add(NetworkAccount(ambassador_id=person.id, network="x", handle="@a", follower_count=1234))
        session.add(NetworkAccount(ambassador_id=person.id, network="linkedin", handle="a", follower_count=None))
    assert reach(clarion_engine, person, "x") == ReachSnapshot(1234, MetricSource.REPORTED)
    # A connected account without a known count falls back like no account at all.
    assert reach(clarion_engine, person, "linkedin") is None


def test_documented_defaults_are_estimates(clarion_engine):
    person = make_person(clarion_engine, "amir")
    assert reach(clarion_engine, person, "facebook") == ReachSnapshot(200, MetricSource.ESTIMATED)
    assert reach(clarion_engine, person, "x") == ReachSnapshot(61, MetricSource.ESTIMATED)
    assert reach(clarion_engine, person, "mastodon") is None


def test_settings_override_and_cover_other_networks(clarion_engine_factory):
    engine = clarion_engine_factory(potential_reach_defaults={"x": 150, "default": 90})
    person = make_person(engine, "amir")
    assert reach(engine, person, "x") == ReachSnapshot(150, MetricSource.ESTIMATED)
    assert reach(engine, person, "facebook") == ReachSnapshot(200, MetricSource.ESTIMATED)  # the connector's own
    assert reach(engine, person, "mastodon") == ReachSnapshot(90, MetricSource.ESTIMATED)


def test_negative_defaults_are_refused(clarion_settings_factory):
    with pytest.raises(ConfigError, match="potential reach default for 'x' cannot be negative"):
        clarion_settings_factory(potential_reach_defaults={"x": -1})


def test_the_snapshot_is_taken_when_an_intent_share_goes_out(clarion_client, clarion_engine, clarion_people):
    editor = clarion_people("erin", Role.EDITOR)
    amir = clarion_people("amir")
    created = clarion_client.post(
        "/api/v1/content", headers=editor.headers, json={"title": "T", "url": "https://e.com/t"}
    )
    content_id = created.json()["id"]
    for action in ("submit", "approve"):
        clarion_client.post(
            f"/api/v1/content/{content_id}/transitions", headers=editor.headers, json={"action": action}
        )
    share = clarion_client.post("/api/v1/shares", headers=amir.headers, json={"content_id": content_id, "network": "x"})
    share_id = share.json()["id"]
    with clarion_engine.transaction() as session:
        assert session.get(Share, share_id).potential_reach is None  # planned, not out yet
    opened = clarion_client.post(f"/api/v1/shares/{share_id}/opened", headers=amir.headers)
    assert opened.status_code == 200, opened.text
    with clarion_engine.transaction() as session:
        stored = session.get(Share, share_id)
        assert (stored.potential_reach, stored.potential_reach_source) == (61, MetricSource.ESTIMATED)
