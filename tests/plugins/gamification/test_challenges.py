"""Challenge results freeze once, from the worker or on first read, and qualifiers get one event each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from clarion.errors import Conflict
from clarion.event_log import list_events, record_event
from clarion.jobs import job_queue
from clarion.models import utcnow
from clarion.points import points as points_service
from clarion.scoring import Award
from clarion.testing import make_person
from clarion_plugins.gamification.models import (
    Challenge,
    ChallengeKind,
    ChallengeMeasure,
    ChallengeParticipant,
    ChallengeResult,
)
from clarion_plugins.gamification.services import challenges as challenge_service


def ended_challenge(engine, *, days_ago: int, target: int = 1) -> int:
    end = utcnow() - timedelta(days=days_ago)
    with engine.transaction() as session:
        challenge = Challenge(
            title="Earn points",
            kind=ChallengeKind.INDIVIDUAL,
            measure=ChallengeMeasure.SHARES,
            target=target,
            starts_at=end - timedelta(days=30),
            ends_at=end,
        )
        session.add(challenge)
        session.flush()
        assert challenge.id is not None
        return challenge.id


def test_the_worker_freezes_due_challenges_once(clarion_engine):
    due = ended_challenge(clarion_engine, days_ago=8)
    recent = ended_challenge(clarion_engine, days_ago=2)
    person = make_person(clarion_engine, "joiner")
    with clarion_engine.transaction() as session:
        session.add(ChallengeParticipant(challenge_id=due, ambassador_id=person.id))
    periodic = {task.__name__: task for task in job_queue(clarion_engine).huey._registry._periodic_tasks}
    periodic["gamification.freeze_challenges"]().execute()
    with clarion_engine.transaction() as session:
        assert session.get(Challenge, due).results_frozen_at is not None
        assert session.get(Challenge, recent).results_frozen_at is None  # still in its grace period
        [line] = session.exec(select(ChallengeResult)).all()
        assert (line.ambassador_id, line.progress, line.qualified) == (person.id, 0, False)
    assert challenge_service.freeze_due(clarion_engine) == 0


def test_a_task_queued_under_the_core_s_old_job_name_still_freezes(clarion_engine):
    due = ended_challenge(clarion_engine, days_ago=8)
    assert job_queue(clarion_engine).run_now("clarion.freeze_challenges") == 1
    with clarion_engine.transaction() as session:
        assert session.get(Challenge, due).results_frozen_at is not None


def test_freezing_before_the_results_are_due_is_refused(clarion_engine):
    recent = ended_challenge(clarion_engine, days_ago=2)
    with clarion_engine.transaction() as session, pytest.raises(Conflict, match="not final"):
        challenge_service.freeze(session, session.get(Challenge, recent))


def test_teams_are_frozen_as_lines_and_only_qualifiers_get_an_event(clarion_engine):
    end = utcnow() - timedelta(days=10)
    with clarion_engine.transaction() as session:
        challenge = Challenge(
            title="Everyone in",
            kind=ChallengeKind.TEAM,
            measure=ChallengeMeasure.POINTS,
            target=1,
            starts_at=end - timedelta(days=30),
            ends_at=end,
        )
        session.add(challenge)
        session.flush()
        challenge_id = challenge.id
    make_person(clarion_engine, "member", team="Ops")
    scorer = make_person(clarion_engine, "scorer", team="Sales")
    with clarion_engine.transaction() as session:
        event, _ = record_event(
            session,
            "test.bonus",
            idempotency_key="test.bonus:team",
            ambassador_id=scorer.id,
            occurred_at=end - timedelta(days=3),
        )
        points_service.score_in(
            clarion_engine, session, event, [Award(rule="bonus", ambassador_id=scorer.id, points=5, reason="x")]
        )
    with clarion_engine.transaction() as session:
        result = challenge_service.results(session, session.get(Challenge, challenge_id))
        assert result.frozen
        lines = [(line.team, line.members, line.progress, line.qualified) for line in result.lines]
        assert lines == [("Sales", 1, 5, True), ("Ops", 1, 0, False)]
    [qualified] = list_events_of(clarion_engine)
    assert qualified.ambassador_id is None
    assert (qualified.payload["team"], qualified.payload["challenge_id"]) == ("Sales", challenge_id)


def list_events_of(engine):
    with engine.transaction() as session:
        return list_events(session, kind="challenge.qualified")
