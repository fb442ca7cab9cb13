"""One injectable clock: the engine holds it, rows and tokens read it, tests move it instead of sleeping."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from clarion.bootstrap import build_engine
from clarion.clock import Clock, FrozenClock, SystemClock, current_clock, using, utcnow
from clarion.models import Content
from clarion.tokens import LEEWAY_SECONDS
from clarion_plugins.gamification.models import Challenge, ChallengeKind, ChallengeMeasure
from clarion_plugins.gamification.services import challenges as challenge_service
from clarion_plugins.gamification.services.leaderboards import default_month

ROOT = Path(__file__).parents[2]
MONDAY = datetime(2030, 1, 14, 9, 30, tzinfo=UTC)


def test_a_frozen_clock_stands_still_until_it_is_moved():
    clock = FrozenClock(MONDAY)
    assert clock.now() == clock.now() == MONDAY
    assert clock.move(timedelta(hours=15)) == MONDAY + timedelta(hours=15)
    assert clock.today() == date(2030, 1, 15)
    assert clock.move(timedelta(days=-2)).date() == date(2030, 1, 13)
    assert clock.set(datetime(2030, 1, 14, 10, 30, tzinfo=UTC)) == MONDAY + timedelta(hours=1)
    assert isinstance(clock, Clock)


def test_a_frozen_clock_shows_utc_and_refuses_naive_times():
    with pytest.raises(ValueError, match="naive"):
        FrozenClock(datetime(2030, 1, 14, 9, 30))
    clock = FrozenClock(MONDAY)
    with pytest.raises(ValueError, match="naive"):
        clock.set(datetime(2030, 1, 14))
    amsterdam = datetime.fromisoformat("2030-01-14T10:30:00+01:00")
    assert clock.set(amsterdam).tzinfo is UTC
    assert clock.now() == MONDAY


def test_the_system_clock_tells_the_time():
    before = datetime.now(UTC)
    now = SystemClock().now()
    assert now.tzinfo is UTC
    assert before <= now <= datetime.now(UTC)


def test_an_engine_reads_the_system_clock_unless_given_one(clarion_settings_factory):
    engine = build_engine(clarion_settings_factory())
    frozen = build_engine(clarion_settings_factory(), clock=FrozenClock(MONDAY))
    try:
        assert isinstance(engine.clock, SystemClock)
        assert frozen.clock.now() == MONDAY
    finally:
        engine.close()
        frozen.close()


def test_rows_written_in_an_engines_transaction_are_dated_by_its_clock(clarion_settings_factory):
    clock = FrozenClock(MONDAY)
    engine = build_engine(clarion_settings_factory(), clock=clock)
    try:
        with engine.transaction() as session:
            content = Content(title="Launch", url="https://example.com/launch")
            session.add(content)
            session.flush()
            assert current_clock() is clock
        assert (content.created_at, content.updated_at) == (MONDAY, MONDAY)
        assert current_clock() is not clock  # the binding ends with the transaction
        assert utcnow().year != 2030
    finally:
        engine.close()


def test_using_binds_a_clock_for_a_block_only():
    outer, inner = FrozenClock(MONDAY), FrozenClock(MONDAY + timedelta(days=1))
    with using(outer):
        with using(inner):
            assert utcnow() == inner.now()
        assert utcnow() == outer.now()


def test_the_clock_fixture_is_the_engines_clock_and_the_default(clarion_engine, clock):
    assert clarion_engine.clock is clock
    assert utcnow() == clock.now()
    clock.move(timedelta(days=3))
    assert utcnow() == clarion_engine.clock.now() == clock.now()


def test_an_identity_token_is_honoured_until_its_lifetime_and_leeway_pass(clock, clarion_client, clarion_people):
    amir = clarion_people("amir")  # a token minted now, valid for 900 s
    clock.move(timedelta(seconds=900 + LEEWAY_SECONDS - 1))
    assert clarion_client.get("/api/v1/me", headers=amir.headers).status_code == 200
    clock.move(timedelta(seconds=1))
    response = clarion_client.get("/api/v1/me", headers=amir.headers)
    assert response.status_code == 401, response.text
    assert response.json()["detail"] == "the identity token has expired"


def test_a_challenge_opens_closes_and_freezes_as_the_clock_moves(clock, clarion_engine):
    clock.set(MONDAY)
    with clarion_engine.transaction() as session:
        challenge = Challenge(
            title="Share in January",
            kind=ChallengeKind.INDIVIDUAL,
            measure=ChallengeMeasure.SHARES,
            target=1,
            starts_at=MONDAY + timedelta(days=1),
            ends_at=MONDAY + timedelta(days=8),
        )
        session.add(challenge)
    assert challenge_service.status_of(challenge) is challenge_service.ChallengeStatus.UPCOMING
    clock.set(challenge.starts_at)
    assert challenge_service.status_of(challenge) is challenge_service.ChallengeStatus.ACTIVE
    clock.set(challenge.ends_at)
    assert challenge_service.status_of(challenge) is challenge_service.ChallengeStatus.ENDED
    assert challenge_service.freeze_due(clarion_engine) == 0  # the grace period for late figures
    clock.set(challenge_service.results_due(challenge))
    assert challenge_service.freeze_due(clarion_engine) == 1
    with clarion_engine.transaction() as session:
        assert session.get(Challenge, challenge.id).results_frozen_at == clock.now()


@pytest.mark.parametrize(
    ("now", "month"),
    [
        ("2030-03-01T00:00:00+00:00", "2030-02"),
        ("2030-02-28T23:59:59+00:00", "2030-01"),
        ("2030-01-01T00:00:00+00:00", "2029-12"),
    ],
)
def test_the_default_month_is_the_last_complete_one_on_the_clock(clock, now, month):
    clock.set(datetime.fromisoformat(now))
    assert default_month() == month


def test_the_runnable_example_in_the_architecture_page_runs():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = page.split("## The clock\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("Runnable (it runs in the test suite too):\n\n```python\n", 1)[1].split("```", 1)[0]
    exec(compile(example, "docs/architecture.md#the-clock", "exec"), {})


# -- the meta-test: no "now" but the clock's ---------------------------------------------------

CLOCK_MODULE = ROOT / "core" / "clarion" / "clock.py"
WALL_CLOCK_CALLS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}


def wall_clock_calls(source: str, name: str) -> list[str]:
    """``datetime.now()``, ``datetime.utcnow()``, ``date.today()``, ``time.time()`` calls in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and (node.func.value.id, node.func.attr) in WALL_CLOCK_CALLS
        ):
            found.append(f"{name}:{node.lineno}: {node.func.value.id}.{node.func.attr}()")
    return found


def test_the_meta_test_finds_a_wall_clock_call():
    sneaky = "import time\nfrom datetime import UTC, date, datetime\n\nSTAMP = datetime.now(UTC)\n"
    sneaky += "DAY = date.today()\nEPOCH = time.time()\nLATER = datetime.utcnow()\nFINE = time.monotonic()\n"
    assert wall_clock_calls(sneaky, "sneaky.py") == [
        "sneaky.py:4: datetime.now()",
        "sneaky.py:5: date.today()",
        "sneaky.py:6: time.time()",
        "sneaky.py:7: datetime.utcnow()",
    ]


def test_time_comes_from_the_clock_only():
    sources = [
        path
        for folder in ("core", "plugins", "contrib")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != CLOCK_MODULE and ".venv" not in path.parts
    ]
    assert len(sources) > 100
    offenders = [
        call
        for path in sources
        for call in wall_clock_calls(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert offenders == [], (
        "read the time from the clock: engine.clock.now() where an engine is given, else "
        "clarion.clock.utcnow() (see docs/architecture.md, 'The clock'):\n" + "\n".join(offenders)
    )
