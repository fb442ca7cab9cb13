"""An existing database keeps every gamification row when the plugin's history adopts its tables.

Before gamification was a plugin, the core's migrations 0009, 0010 and 0012 created its tables.
``main_migrations/`` holds those three revisions as they shipped; the test builds a database with
that history, fills every gamification table, upgrades with this code and compares row by row.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.db import Database
from clarion.engine import Engine
from clarion.models import DailyPoints
from clarion.schema import MIGRATIONS, alembic_config, head_revision, schema_drift, schema_status, upgrade
from clarion.testing import TEST_SECRET, create_scratch_postgres, drop_scratch_postgres, make_person, postgres_url
from clarion_plugins.gamification.models import (
    TABLES,
    BadgeAward,
    Challenge,
    ChallengeKind,
    ChallengeMeasure,
    ChallengeParticipant,
    ChallengeResult,
    PeriodPoints,
    WindowTotals,
)

MAIN_MIGRATIONS = Path(__file__).parent / "main_migrations"
MOMENT = datetime(2026, 10, 5, 9, 30, tzinfo=UTC)


@pytest.fixture
def empty_database(clarion_backend: str, tmp_path: Path) -> Iterator[Database]:
    if clarion_backend == "postgresql":
        server = postgres_url()
        assert server is not None
        scratch = create_scratch_postgres(server)
        database = Database(scratch)
        try:
            yield database
        finally:
            database.dispose()
            drop_scratch_postgres(server, scratch)
        return
    database = Database(f"sqlite:///{tmp_path / 'main.db'}")
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def engine(empty_database: Database) -> Iterator[Engine]:
    settings = load_settings({}, database_url=empty_database.url, secret_key=TEST_SECRET, plugin_autoload=False)
    built = build_engine(settings, database=empty_database)
    yield built
    built.close()


def upgrade_as_main(database: Database, tmp_path: Path) -> None:
    """Run the core's history as main shipped it: today's revisions with 0009, 0010 and 0012 as they were."""
    versions = tmp_path / "main-versions"
    shutil.copytree(MIGRATIONS / "versions", versions, ignore=shutil.ignore_patterns("__pycache__"))
    for old in MAIN_MIGRATIONS.glob("*.py"):
        shutil.copy(old, versions / old.name)
    config = alembic_config(database.url)
    config.set_main_option("version_locations", str(versions))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def fill(engine: Engine) -> None:
    """A row, or several, in every gamification table, and ledger days for the period totals."""
    amir = make_person(engine, "amir", team="Sales")
    bea = make_person(engine, "bea", team="Ops")
    with Session(engine.db.engine) as session:
        challenge = Challenge(
            title="October shares",
            description="Share three posts",
            kind=ChallengeKind.INDIVIDUAL,
            measure=ChallengeMeasure.SHARES,
            target=3,
            starts_at=MOMENT - timedelta(days=30),
            ends_at=MOMENT - timedelta(days=10),
            reward="Lunch",
        )
        team = Challenge(
            title="Team participation",
            description="",
            kind=ChallengeKind.TEAM,
            measure=ChallengeMeasure.PARTICIPATION,
            target=50,
            starts_at=MOMENT,
            ends_at=MOMENT + timedelta(days=30),
        )
        session.add_all([challenge, team])
        session.flush()
        assert challenge.id is not None
        session.add(ChallengeParticipant(challenge_id=challenge.id, ambassador_id=amir.id, joined_at=MOMENT))
        session.add(ChallengeParticipant(challenge_id=challenge.id, ambassador_id=bea.id, joined_at=MOMENT))
        session.add(
            ChallengeResult(
                challenge_id=challenge.id, ambassador_id=amir.id, progress=3, qualified=True, frozen_at=MOMENT
            )
        )
        session.add(
            ChallengeResult(
                challenge_id=challenge.id, team="Ops", progress=1, members=1, qualified=False, frozen_at=MOMENT
            )
        )
        session.add(BadgeAward(ambassador_id=amir.id, badge="first-share", earned_at=MOMENT))
        session.add(BadgeAward(ambassador_id=bea.id, badge="shares-10", earned_at=MOMENT))
        for who, points in ((amir.id, 30), (bea.id, 12)):
            session.add(
                DailyPoints(ambassador_id=who, day=MOMENT.date(), rule="share", points=points, awarded_changed=True)
            )
            session.add(
                PeriodPoints(
                    period="month",
                    starts_on=date(2026, 10, 1),
                    ambassador_id=who,
                    points=points,
                    last_day=MOMENT.date(),
                )
            )
            session.add(
                PeriodPoints(
                    period="days:30",
                    starts_on=date(2026, 9, 20),
                    ambassador_id=who,
                    points=points,
                    last_day=MOMENT.date(),
                )
            )
        session.add(
            WindowTotals(period="days:30", starts_on=date(2026, 9, 20), ends_on=date(2026, 10, 20), built_at=MOMENT)
        )
        session.commit()


def snapshot(database: Database) -> dict[str, list[tuple]]:
    """Every row of every gamification table, in primary-key order."""
    rows = {}
    with database.engine.connect() as connection:
        for table in TABLES:
            order = list(table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in connection.execute(sa.select(table).order_by(*order))]
    return rows


def test_an_existing_database_keeps_every_gamification_row(empty_database, engine, tmp_path):
    upgrade_as_main(empty_database, tmp_path)
    fill(engine)
    before = snapshot(empty_database)
    assert all(before[table.name] for table in TABLES), "every table has rows to keep"
    schemas = list(engine.schemas().values())

    upgrade(empty_database, "head", schemas)

    assert snapshot(empty_database) == before
    status = schema_status(empty_database, schemas)
    assert status.up_to_date
    gamification = next(branch for branch in status.plugins if branch.branch == "gamification")
    assert gamification.current == head_revision(engine.schemas()["gamification"])
    assert schema_drift(empty_database, schemas) == []
    # Ids keep counting from where they were (PostgreSQL's sequences came along with the tables).
    with Session(empty_database.engine) as session:
        newer = Challenge(
            title="November",
            description="",
            kind=ChallengeKind.INDIVIDUAL,
            measure=ChallengeMeasure.POINTS,
            target=10,
            starts_at=MOMENT,
            ends_at=MOMENT + timedelta(days=1),
        )
        session.add(newer)
        session.commit()
        assert newer.id == max(row[0] for row in before["challenge"]) + 1


def test_a_database_that_never_had_the_tables_gets_them_with_its_period_totals(empty_database, engine):
    # The core's history first, without the plugin's (say, it was blocked until now).
    upgrade(empty_database, "head")
    assert not {table.name for table in TABLES} & set(sa.inspect(empty_database.engine).get_table_names())
    amir = make_person(engine, "amir")
    with Session(empty_database.engine) as session:
        for day, points in ((date(2026, 9, 30), 5), (date(2026, 10, 2), 7), (date(2026, 10, 3), 0)):
            session.add(DailyPoints(ambassador_id=amir.id, day=day, rule="share", points=points, awarded_changed=True))
        session.add(DailyPoints(ambassador_id=amir.id, day=date(2026, 10, 4), rule="click", points=0, held=4))
        session.commit()

    upgrade(empty_database, "head", list(engine.schemas().values()))

    with Session(empty_database.engine) as session:
        totals = {
            (row.period, row.starts_on): (row.points, row.last_day)
            for row in session.execute(sa.select(PeriodPoints)).scalars()
        }
    assert totals == {
        ("week", date(2026, 9, 28)): (12, date(2026, 10, 3)),
        ("month", date(2026, 9, 1)): (5, date(2026, 9, 30)),
        ("month", date(2026, 10, 1)): (7, date(2026, 10, 3)),
        ("quarter", date(2026, 7, 1)): (5, date(2026, 9, 30)),
        ("quarter", date(2026, 10, 1)): (7, date(2026, 10, 3)),
        ("year", date(2026, 1, 1)): (12, date(2026, 10, 3)),
        ("all", date(1970, 1, 1)): (12, date(2026, 10, 3)),
    }
    assert schema_drift(empty_database, list(engine.schemas().values())) == []
