"""``clarion analytics update|rebuild``: the analytics plugin's commands over the core's rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from click.testing import CliRunner

from clarion.cli import main
from clarion.models import AnalyticsDaily, Click, Content, ContentStatus, Share, ShareMethod, ShareStatus
from clarion.testing import TEST_SECRET, make_person

LONG_AGO = datetime.now(UTC) - timedelta(minutes=5)  # settled: older than analytics_settle_seconds


def add_clicks(engine, number: int) -> None:
    with engine.transaction() as session:
        share_id = session.execute(sa.select(Share.id)).scalar()
        if share_id is None:
            person = make_person(engine, "amir", team="Platform")
            content = Content(title="One", url="https://example.com/1", status=ContentStatus.APPROVED)
            session.add(content)
            session.flush()
            share = Share(
                content_id=content.id,
                ambassador_id=person.id,
                network="linkedin",
                text="Look",
                method=ShareMethod.INTENT,
                status=ShareStatus.PUBLISHED,
                link_code="abc",
            )
            session.add(share)
            session.flush()
            share_id = share.id
        start = session.execute(sa.select(sa.func.count()).select_from(Click)).scalar_one()
        session.add_all(
            Click(
                capture_id=f"c{start + index}",
                share_id=share_id,
                occurred_at=LONG_AGO,
                recorded_at=LONG_AGO,
                counted=index % 2 == 0,
            )
            for index in range(number)
        )


def counted_clicks(engine) -> tuple[int, int]:
    with engine.transaction() as session:
        total, counted = session.execute(
            sa.select(sa.func.sum(AnalyticsDaily.clicks_total), sa.func.sum(AnalyticsDaily.clicks_counted))
        ).one()
    return int(total or 0), int(counted or 0)


def cli(database_url: str, *args: str):
    env = {
        "CLARION_DATABASE_URL": database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_CONFIG": None,
    }
    return CliRunner().invoke(main, list(args), env=env)


def test_update_then_rebuild_from_the_command_line(clarion_engine, clarion_database_url):
    add_clicks(clarion_engine, 5)
    result = cli(clarion_database_url, "analytics", "update", "--batch-size", "2")
    assert result.exit_code == 0, result.output
    assert result.output == "folded 0 share(s), 5 click(s) and 0 metric sample(s) in 3 batch(es)\n"
    assert counted_clicks(clarion_engine) == (5, 3)
    again = cli(clarion_database_url, "analytics", "update")
    assert again.output.startswith("folded 0 share(s), 0 click(s)")
    rebuilt = cli(clarion_database_url, "analytics", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.output.startswith("rebuilt the rollups from 0 share(s), 5 click(s) and 0 metric sample(s) in ")
    assert counted_clicks(clarion_engine) == (5, 3)


def test_bad_batch_size_is_a_clean_error(clarion_database_url):
    result = cli(clarion_database_url, "analytics", "update", "--batch-size", "0")
    assert result.exit_code == 2
    assert "Invalid value for '--batch-size'" in result.output


def test_an_out_of_date_database_is_refused(tmp_path):
    result = cli(f"sqlite:///{tmp_path / 'empty.db'}", "analytics", "rebuild")
    assert result.exit_code != 0
    assert "clarion db upgrade" in result.output
    assert "Traceback" not in result.output
