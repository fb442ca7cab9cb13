"""The ownership hooks: a plugin brings its own tables, routes, static files, commands and jobs.

``tests/plugins/notes`` owns a whole small feature; each test shows one hook of it at work, on
SQLite and PostgreSQL, the way a company's plugin would be tested.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from litestar.testing import TestClient

from clarion import hookimpl
from clarion.bootstrap import build_engine
from clarion.cli import main
from clarion.contracts import Job, Schema
from clarion.errors import NotFound, PluginConflict, PluginError
from clarion.jobs import job_queue
from clarion.schema import downgrade, downgrade_plugin, schema_drift, schema_status, upgrade
from clarion.testing import TEST_SECRET
from clarion.web.app import create_app
from plugins import notes

NOTES = {"notes": notes}


@pytest.fixture
def engine(clarion_engine_factory):
    return clarion_engine_factory(plugins=NOTES)


@pytest.fixture
def client(engine):
    with TestClient(create_app(engine=engine)) as client:
        yield client


def test_hook_tables_register(engine):
    """The plugin's history runs in its own version table, after the core's, with no drift."""
    schema = engine.schemas()["notes"]
    assert schema.branch == "notes"
    status = schema_status(engine.db, engine.schemas().values())
    assert status.up_to_date
    [branch] = [branch for branch in status.plugins if branch.branch == "notes"]
    assert (branch.branch, branch.current, branch.head) == ("notes", "n001_notes", "n001_notes")
    with engine.db.engine.connect() as connection:
        tables = set(sa.inspect(connection).get_table_names())
        assert {"notes_note", "alembic_version_notes"} <= tables
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version_notes").scalar() == "n001_notes"
    assert schema_drift(engine.db, engine.schemas().values()) == []


def test_a_removed_plugin_leaves_its_tables_and_rows(engine, clarion_engine_factory, clarion_people):
    person = clarion_people("ann")
    with engine.transaction() as session:
        session.add(notes.Note(ambassador_id=person.id, text="kept"))
    without = clarion_engine_factory()  # the plugin is gone: nothing claims its tables
    upgrade(without.db, "head", without.schemas().values())
    assert schema_status(without.db, without.schemas().values()).up_to_date
    assert schema_drift(without.db, without.schemas().values()) == []
    with without.db.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT text FROM notes_note").scalars().all() == ["kept"]


def test_downgrade_to_base_removes_plugin_tables_first(engine):
    downgrade(engine.db, "base", engine.schemas().values())
    with engine.db.engine.connect() as connection:
        assert "notes_note" not in sa.inspect(connection).get_table_names()
    upgrade(engine.db, "head", engine.schemas().values())
    assert schema_status(engine.db, engine.schemas().values()).up_to_date


def test_an_out_of_date_plugin_history_is_reported(engine, clarion_database_url, tmp_path, monkeypatch):
    downgrade_plugin(engine.db, engine.schemas()["notes"])
    status = schema_status(engine.db, engine.schemas().values())
    assert not status.up_to_date
    monkeypatch.chdir(tmp_path)
    env = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_PLUGINS": "plugins.notes",
        "CLARION_CONFIG": None,
    }
    current = CliRunner().invoke(main, ["db", "current"], env=env)
    assert current.exit_code == 3
    assert "out of date: notes (newest n001_notes)" in current.output
    upgraded = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert "notes: n001_notes" in upgraded.output
    assert CliRunner().invoke(main, ["db", "current"], env=env).exit_code == 0


def test_hook_routes_register(client, clarion_people):
    """Plugin routes get the core's identity, role guard and problem+json, and appear in the OpenAPI."""
    ann, bob = clarion_people("ann"), clarion_people("bob")
    assert client.get("/api/v1/notes").status_code == 401
    written = client.post("/api/v1/notes", headers=ann.headers, json={"text": "hello"})
    assert written.status_code == 201, written.text
    assert client.get("/api/v1/notes", headers=ann.headers).json() == [{"id": 1, "text": "hello", "tidied": False}]
    assert client.get("/api/v1/notes", headers=bob.headers).json() == []  # one's notes are theirs
    refused = client.post("/api/v1/notes", headers=ann.headers, json={"text": ""})
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "/api/v1/notes" in client.get("/schema/openapi.json").json()["paths"]


def test_plugin_static_files_are_served_under_the_plugin_name(client):
    served = client.get("/static/plugins/notes/notes.js")
    assert served.status_code == 200
    assert 'export const notes = "notes";' in served.text
    assert client.get("/static/plugins/notes/missing.js").status_code == 404


def test_a_plugin_widget_brings_its_stylesheet_and_its_dutch_words(client, clarion_people):
    """The widget links its own CSS; its template speaks the plugin's catalog, and Clarion's own words stay Clarion's."""
    ann, bram = clarion_people("ann"), clarion_people("bram", locale="nl")
    english = client.get("/widgets/notes", headers=ann.headers)
    assert english.status_code == 200, english.text
    assert '<link rel="stylesheet" href="http://clarion.test/static/plugins/notes/notes.css">' in english.text
    assert "My notes" in english.text
    assert "Join the programme: 0" in english.text
    dutch = client.get("/widgets/notes", headers=bram.headers).text
    assert 'aria-label="Mijn notities"' in dutch
    assert "Doe mee met het programma: 0" in dutch  # Clarion's catalog wins for its own message
    assert client.get("/static/plugins/notes/notes.css").status_code == 200


def test_plugin_catalogs_add_to_the_core_catalog():
    from pathlib import Path

    from clarion.i18n import translations

    locale = Path(notes.__file__).parent / "locale"
    assert translations("nl", [locale]).gettext("My notes") == "Mijn notities"
    assert translations("nl", [locale]).gettext("Join the programme") == "Doe mee met het programma"
    assert translations("nl").gettext("My notes") == "My notes"  # without the plugin's folder
    assert translations("en", [locale]).gettext("My notes") == "My notes"


@pytest.mark.parametrize("path", ["kudos.css", "/plugins/kudos.css", "/static/../secret", "//evil.test/x.css"])
def test_a_widget_stylesheet_must_be_a_path_under_static(path):
    from clarion.widgets import Widget

    with pytest.raises(ValueError, match="is not a path under /static/"):
        Widget(name="x", title="X", template="x.html", context=dict, stylesheets=(path,))


class _Clash:
    @hookimpl
    def clarion_routes_register(self):
        return [notes.NotesController]


class _NoRole:
    @hookimpl
    def clarion_routes_register(self):
        from litestar import get

        @get("/plugins/no-role/ping", sync_to_thread=False)
        def ping() -> str:
            return "pong"

        return [ping]


def test_two_plugins_claiming_one_route_stop_the_start(clarion_engine_factory):
    engine = clarion_engine_factory(plugins={"notes": notes, "clash": _Clash()})
    with pytest.raises(PluginConflict, match="/api/v1/notes"):
        create_app(engine=engine)


def test_a_plugin_route_without_a_role_stops_the_start(clarion_engine_factory):
    engine = clarion_engine_factory(plugins={"no-role": _NoRole()})
    with pytest.raises(PluginError, match=r"plugin 'no-role': route /plugins/no-role/ping .* declares no role"):
        create_app(engine=engine)


def test_hook_commands_register(clarion_database_url, tmp_path, monkeypatch, engine, clarion_people):
    person = clarion_people("ann")
    with engine.transaction() as session:
        session.add(notes.Note(ambassador_id=person.id, text="one"))
    monkeypatch.chdir(tmp_path)
    env = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_PLUGINS": "plugins.notes",
        "CLARION_CONFIG": None,
    }
    assert "notes-count" in CliRunner().invoke(main, ["--help"], env=env).output
    counted = CliRunner().invoke(main, ["notes-count"], env=env)
    assert counted.exit_code == 0, counted.output
    assert counted.output == "1 note(s)\n"
    listed = CliRunner().invoke(main, ["plugins"], env=env)
    assert "commands: notes-count" in listed.output
    assert "tables: notes_note" in listed.output
    assert "routes: /api/v1/notes" in listed.output
    # Without the plugin the command is unknown, with click's own message.
    gone = CliRunner().invoke(main, ["notes-count"], env={**env, "CLARION_PLUGINS": ""})
    assert gone.exit_code == 2
    assert "No such command 'notes-count'" in gone.output


def test_a_plugin_command_cannot_replace_a_core_command(clarion_database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {
        "CLARION_DATABASE_URL": clarion_database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_PLUGINS": "plugins.serve_clash",
        "CLARION_CONFIG": None,
    }
    result = CliRunner().invoke(main, ["--help"], env=env)
    assert result.exit_code == 1
    assert "plugin 'plugins.serve_clash' adds the command 'serve', which is the core's" in result.output


def test_hook_jobs_register(engine, clarion_people):
    person = clarion_people("ann")
    with engine.transaction() as session:
        session.add(notes.Note(ambassador_id=person.id, text="one"))
        session.add(notes.Note(ambassador_id=person.id, text="two"))
    queue = job_queue(engine)
    periodic = {task.name for task in queue.huey.read_periodic(_at(3, 0))}
    assert "notes.tidy" in periodic
    assert "notes.tidy" not in {task.name for task in queue.huey.read_periodic(_at(4, 0))}
    queue.enqueue("notes.tidy_one", only=1)
    assert queue.pending() == 1
    consumer = queue.start_in_background(workers=1, periodic=False)
    try:
        _wait_until(lambda: queue.pending() == 0)
    finally:
        consumer.stop()
    with engine.transaction() as session:
        assert [note.tidied for note in session.exec(sa.select(notes.Note).order_by(notes.Note.id)).scalars()] == [
            True,
            False,
        ]
    assert queue.run_now("notes.tidy") == 1
    with pytest.raises(NotFound, match=r"no job named 'notes\.missing'"):
        queue.enqueue("notes.missing")


def test_two_plugins_registering_one_job_name_stop_the_queue(clarion_engine_factory):
    class Again:
        @hookimpl
        def clarion_jobs_register(self):
            return [Job("notes.tidy", notes.tidy)]

    engine = clarion_engine_factory(plugins={"notes": notes, "again": Again()})
    with pytest.raises(PluginConflict, match=r"two plugins register the job 'notes\.tidy'"):
        job_queue(engine)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "tidy"}, "is not '<plugin>.<job>'"),
        ({"name": "notes.tidy", "schedule": "daily"}, "not a five-field cron"),
        ({"name": "notes.tidy", "retries": -1}, "cannot be negative"),
    ],
)
def test_a_malformed_job_is_refused(fields, message):
    with pytest.raises(ValueError, match=message):
        Job(run=notes.tidy, **fields)


def test_a_schema_needs_an_existing_folder_and_a_plain_name(tmp_path):
    with pytest.raises(ValueError, match="lower case"):
        Schema("Notes!", tmp_path)
    with pytest.raises(ValueError, match="does not exist"):
        Schema("notes", tmp_path / "missing")


def test_the_engine_refuses_two_plugins_with_one_schema_branch(clarion_settings_factory):
    class Again:
        @hookimpl
        def clarion_tables_register(self):
            return notes.clarion_tables_register()

    with pytest.raises(PluginConflict, match="schema branch 'notes'"):
        build_engine(clarion_settings_factory(), extra_plugins={"notes": notes, "again": Again()})


def _at(hour: int, minute: int):
    from datetime import datetime

    return datetime(2026, 12, 4, hour, minute)


def _wait_until(condition, timeout: float = 10.0) -> None:
    import threading

    done = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        done.wait(0.01)
    raise AssertionError("the condition never held")
