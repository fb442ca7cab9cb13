"""The rest of the feature: its tables, widget, admin page, weekly job, command and scoring rule."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from clarion.actors import Actor
from clarion.bootstrap import build_engine
from clarion.cli import main
from clarion.errors import ConfigError
from clarion.jobs import job_queue
from clarion.models import Ambassador, Event
from clarion.points.points import balance
from clarion.schema import schema_drift, schema_status
from clarion.testing import TEST_SECRET
from clarion.web.admin.forms import admin_csrf_token
from click.testing import CliRunner
from sqlmodel import select

from clarion_kudos import service
from clarion_kudos.jobs import SCHEDULE
from clarion_kudos.models import Kudos, KudosWeek
from clarion_kudos.plugin import __file__ as PLUGIN_FILE

PACKAGE = __import__("pathlib").Path(PLUGIN_FILE).parent
MONDAY = date(2026, 11, 30)  # ISO week 2026-W49


def thank(engine, giver, share_id: int, message: str | None = None, at: datetime | None = None) -> int:
    with engine.transaction() as session:
        actor = Actor(giver.id, giver.external_id, giver.role)
        kudos = service.give(session, actor, share_id, message, now=at)
        assert kudos.id is not None
        return kudos.id


# ---- tables --------------------------------------------------------------------------------------------------------


def test_the_plugin_owns_its_tables_in_its_own_history(clarion_engine):
    status = schema_status(clarion_engine.db, clarion_engine.schemas().values())
    assert status.up_to_date
    [branch] = [item for item in status.plugins if item.branch == "kudos"]
    assert branch.current == branch.head == "k001_kudos"
    assert schema_drift(clarion_engine.db, clarion_engine.schemas().values()) == []
    with clarion_engine.db.engine.connect() as connection:
        assert {"kudos", "kudos_week", "alembic_version_kudos"} <= set(sa.inspect(connection).get_table_names())


def test_the_database_refuses_a_second_thanks_and_thanks_to_oneself(clarion_engine, clarion_people, shared):
    amir, bea = clarion_people("amir"), clarion_people("bea")
    share_id = shared(amir)
    thank(clarion_engine, bea, share_id)
    for giver_id in (bea.id, amir.id):  # the same giver again; the author themselves
        with clarion_engine.db.session() as session:
            session.add(Kudos(share_id=share_id, giver_id=giver_id, receiver_id=amir.id))
            with pytest.raises(sa.exc.IntegrityError):
                session.flush()
            session.rollback()


def test_kudos_go_with_the_people_they_name(clarion_engine, clarion_people, shared):
    """The rows name giver and receiver: deleting either person's row deletes them (ON DELETE CASCADE)."""
    amir, bea, cas = clarion_people("amir"), clarion_people("bea"), clarion_people("cas")
    share_id = shared(amir)
    thank(clarion_engine, bea, share_id)
    thank(clarion_engine, cas, share_id)
    with clarion_engine.transaction() as session:
        service.summarise_week(session, service.week_start(clarion_engine.clock.today()))
    with clarion_engine.transaction() as session:
        session.execute(sa.delete(Ambassador).where(Ambassador.id == bea.id))
    with clarion_engine.transaction() as session:
        assert [row.giver_id for row in session.exec(select(Kudos))] == [cas.id]
        session.execute(sa.delete(Ambassador).where(Ambassador.id == amir.id))
    with clarion_engine.transaction() as session:
        assert session.exec(select(Kudos)).all() == []
        assert session.exec(select(KudosWeek)).all() == []


# ---- widget --------------------------------------------------------------------------------------------------------


def test_the_widget_lists_my_kudos_and_colleagues_shares(clarion_client, clarion_people, shared):
    amir, bea = clarion_people("amir", name="Amir Haddad"), clarion_people("bea", name="Bea Jansen")
    mine = shared(amir, title="Our new office")
    theirs = shared(bea, title="Open positions")
    clarion_client.post("/api/v1/kudos", headers=bea.headers, json={"share_id": mine, "message": "Lovely <b>post</b>"})
    html = clarion_client.get("/widgets/kudos", headers=amir.headers)
    assert html.status_code == 200, html.text
    assert html.headers["cache-control"] == "no-store"
    text = html.text
    assert '<link rel="stylesheet" href="http://clarion.test/static/plugins/kudos/kudos.css">' in text
    assert "<script" not in text
    assert "Lovely &lt;b&gt;post&lt;/b&gt;" in text  # escaped
    assert re.search(r'<span class="cw-number">1</span> kudos this week', text)
    assert f'data-share-id="{theirs}"' in text
    assert 'data-action="api" data-endpoint="/api/v1/kudos"' in text
    assert f'name="share_id" value="{theirs}" data-type="integer"' in text
    assert "Thank Bea Jansen" in text
    assert f'data-share-id="{mine}"' not in text  # never one's own share


def test_the_widget_speaks_dutch(clarion_client, clarion_people, shared):
    amir, bea = clarion_people("amir", locale="nl-BE"), clarion_people("bea", name="Bea")
    shared(bea)
    text = clarion_client.get("/widgets/kudos", headers=amir.headers).text
    assert 'lang="nl"' in text
    for dutch in ("kudos deze week", "Bedank een collega voor wat die deelde", "Bedank Bea", "niet verplicht"):
        assert dutch in text


def test_the_widget_setting_is_checked(clarion_client, clarion_people):
    amir = clarion_people("amir")
    assert clarion_client.get("/widgets/kudos?limit=3", headers=amir.headers).status_code == 200
    refused = clarion_client.get("/widgets/kudos?limit=many", headers=amir.headers)
    assert refused.status_code == 400
    assert refused.json()["detail"] == "widget setting 'limit' must be a whole number, not 'many'"


def test_the_stylesheet_is_served_under_the_plugin_name(clarion_client):
    served = clarion_client.get("/static/plugins/kudos/kudos.css")
    assert served.status_code == 200
    assert ".cw-kudos-form" in served.text


def test_every_word_of_the_templates_has_a_dutch_translation():
    extracted = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(PACKAGE / "templates"), method_map=[("**.html", "jinja2")]
        )
    }
    assert len(extracted) > 20
    with (PACKAGE / "locale" / "nl" / "LC_MESSAGES" / "clarion.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = sorted(message for message in extracted if not (catalog.get(message) and catalog.get(message).string))
    assert not missing, f"add Dutch for {missing}"


# ---- admin page ----------------------------------------------------------------------------------------------------


def test_the_admin_page_shows_the_week_and_hides_a_message(clarion_engine, clarion_client, clarion_people, shared):
    admin, amir, bea = clarion_people("root", role="admin"), clarion_people("amir"), clarion_people("bea")
    kudos_id = thank(clarion_engine, bea, shared(amir, title="Our new office"), "Something rude")
    page = clarion_client.get("/admin/kudos", headers=admin.headers)
    assert page.status_code == 200
    assert "Something rude" in page.text
    assert 'href="/static/admin.css"' in page.text  # Clarion's admin layout
    assert 'href="/admin/kudos"' in page.text  # and its menu, through clarion_admin_pages_register
    for who in (amir, clarion_people("ed", role="editor")):
        assert clarion_client.get("/admin/kudos", headers=who.headers).status_code == 403
    # A form without the admin's CSRF token changes nothing.
    assert clarion_client.post(f"/admin/kudos/{kudos_id}/hide", headers=admin.headers, data={}).status_code == 403
    token = admin_csrf_token(TEST_SECRET, admin.external_id)
    hidden = clarion_client.post(
        f"/admin/kudos/{kudos_id}/hide", headers=admin.headers, data={"csrf_token": token}, follow_redirects=False
    )
    assert (hidden.status_code, hidden.headers["location"]) == (303, "/admin/kudos?hidden=1")
    assert "Something rude" not in clarion_client.get("/admin/kudos", headers=admin.headers).text
    [item] = clarion_client.get("/api/v1/kudos/received", headers=amir.headers).json()["items"]
    assert (item["message"], item["message_hidden"]) == (None, True)
    with clarion_engine.transaction() as session:  # audited: who hid which kudos
        [event] = session.exec(select(Event).where(Event.kind == "kudos.message_hidden")).all()
        assert event.payload == {"kudos_id": kudos_id, "by": admin.id}
    missing = clarion_client.post("/admin/kudos/999/hide", headers=admin.headers, data={"csrf_token": token})
    assert missing.status_code == 404


def test_the_admin_page_speaks_dutch(clarion_client, clarion_people):
    admin = clarion_people("root", role="admin", locale="nl")
    text = clarion_client.get("/admin/kudos", headers=admin.headers).text
    assert "Nog geen kudos deze week." in text
    assert "Alle bedankjes" in text
    assert ">Complimenten<" in text  # the menu entry in Dutch


# ---- the weekly job and the command --------------------------------------------------------------------------------


def test_the_week_is_summed_up_once(clarion_engine, clarion_people, shared):
    amir, bea, cas = clarion_people("amir"), clarion_people("bea"), clarion_people("cas")
    in_week = datetime(2026, 12, 2, 9, tzinfo=UTC)
    thank(clarion_engine, bea, shared(amir), at=in_week)
    thank(clarion_engine, cas, shared(amir), at=in_week)
    thank(clarion_engine, amir, shared(bea), at=datetime(2026, 12, 7, 0, tzinfo=UTC))  # the next week
    with clarion_engine.transaction() as session:
        assert service.summarise_week(session, MONDAY) == 1
    with clarion_engine.transaction() as session:
        assert service.summarise_week(session, MONDAY) == 0  # again: nothing new, nothing changed
        rows = session.exec(select(KudosWeek)).all()
        assert [(row.ambassador_id, row.week_start, row.received) for row in rows] == [(amir.id, MONDAY, 2)]
        events = session.exec(select(Event).where(Event.kind == "kudos.week_summarised")).all()
        assert [(event.ambassador_id, event.payload) for event in events] == [
            (amir.id, {"week_start": "2026-11-30", "received": 2})
        ]


def test_the_job_runs_every_monday_and_on_demand(clarion_engine, clarion_people, shared):
    amir, bea = clarion_people("amir"), clarion_people("bea")
    thank(clarion_engine, bea, shared(amir), at=datetime(2026, 12, 1, 12, tzinfo=UTC))
    queue = job_queue(clarion_engine)
    assert SCHEDULE == "0 6 * * 1"
    assert "kudos.weekly_summary" in {task.name for task in queue.huey.read_periodic(datetime(2026, 12, 7, 6, 0))}
    assert "kudos.weekly_summary" not in {task.name for task in queue.huey.read_periodic(datetime(2026, 12, 8, 6, 0))}
    assert queue.run_now("kudos.weekly_summary", week="2026-W49") == 1
    assert queue.run_now("kudos.weekly_summary", week="2026-W49") == 0
    assert service.last_full_week(datetime(2026, 12, 7, 6, tzinfo=UTC)) == MONDAY


@pytest.fixture
def cli_env(clarion_database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_PLUGINS": "clarion_kudos.plugin",
        "CLARION_CONFIG": None,
    }


def test_the_kudos_commands(clarion_engine, clarion_people, shared, cli_env):
    amir, bea, cas = clarion_people("amir"), clarion_people("bea"), clarion_people("cas")
    thank(clarion_engine, bea, shared(amir), at=datetime(2026, 12, 1, 12, tzinfo=UTC))
    thank(clarion_engine, cas, shared(amir), at=datetime(2026, 12, 2, 12, tzinfo=UTC))
    thank(clarion_engine, amir, shared(cas), at=datetime(2026, 12, 3, 12, tzinfo=UTC))
    runner = CliRunner()
    week = runner.invoke(main, ["kudos", "week", "--week", "2026-W49"], env=cli_env)
    assert week.exit_code == 0, week.output
    assert week.output == "Kudos in 2026-W49 (from 2026-11-30): 3\n  Amir: 2\n  Cas: 1\n"
    summarised = runner.invoke(main, ["kudos", "summarise", "--week", "2026-W49"], env=cli_env)
    assert summarised.output == "2 weekly summaries recorded\n"
    assert runner.invoke(main, ["kudos", "summarise", "--week", "2026-W49"], env=cli_env).output == (
        "0 weekly summaries recorded\n"
    )
    bad = runner.invoke(main, ["kudos", "week", "--week", "december"], env=cli_env)
    assert bad.exit_code == 2
    assert "'december' is not an ISO week such as 2026-W49" in bad.output
    listed = runner.invoke(main, ["plugins"], env=cli_env).output
    for owned in ("commands: kudos", "tables: kudos, kudos_week", "jobs: kudos.weekly_summary"):
        assert owned in listed, listed


# ---- the scoring rule ----------------------------------------------------------------------------------------------


def test_received_kudos_earn_points_up_to_the_daily_cap(clarion_engine, clarion_people, shared):
    amir = clarion_people("amir")
    share_id = shared(amir)
    for number in range(7):
        thank(clarion_engine, clarion_people(f"colleague-{number}"), share_id)
    with clarion_engine.transaction() as session:
        assert balance(session, amir.id).awarded == 10  # 2 points each, at most 10 a day by default


@pytest.mark.parametrize("kudos_settings", [{"points": 0}])
def test_points_can_be_switched_off(clarion_engine, clarion_people, shared):
    amir = clarion_people("amir")
    thank(clarion_engine, clarion_people("bea"), shared(amir))
    with clarion_engine.transaction() as session:
        assert balance(session, amir.id).awarded == 0


def test_a_misspelt_setting_stops_the_start(clarion_settings_factory):
    from clarion_kudos import plugin

    with pytest.raises(ConfigError, match=r"\[plugins\.kudos\] point: no such setting"):
        build_engine(clarion_settings_factory(plugins={"kudos": {"point": 3}}), extra_plugins={"kudos": plugin})
