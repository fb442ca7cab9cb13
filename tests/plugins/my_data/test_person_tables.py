"""Every table naming a person (a foreign key to ``ambassador.id``), in the core and every plugin's
tables, is answered for by some plugin's export and erasure; the two hooks shown with a test plugin."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from clarion import hookimpl
from clarion.contracts import Erasure, Schema
from clarion.models import CORE_TABLES, Ambassador, metadata
from plugins import notes

KUDOS_SOURCE = Path(__file__).resolve().parents[3] / "contrib" / "clarion-kudos" / "src"


def kudos_plugin():
    if str(KUDOS_SOURCE) not in sys.path:
        sys.path.insert(0, str(KUDOS_SOURCE))
    return importlib.import_module("clarion_kudos.plugin")


def person_tables(engine) -> set[str]:
    tables = [metadata.tables[name] for name in CORE_TABLES]
    for schema in engine.schemas().values():
        tables.extend(schema.tables)
    return {
        table.name
        for table in tables
        if any(key.column.table.name == "ambassador" and key.column.name == "id" for key in table.foreign_keys)
    } | {"ambassador"}


def covered(engine, ambassador_id: int) -> tuple[set[str], set[str]]:
    with engine.transaction() as session:
        exported = {rows.table for rows in engine.person_export(session, ambassador_id)}
        erasure = Erasure(ambassador_id, "erased-test")
        engine.person_erase(session, erasure)
    return exported, erasure.tables


def test_every_person_table_is_exported_and_erased(clarion_engine_factory, clarion_people):
    engine = clarion_engine_factory({"kudos": kudos_plugin(), "notes": notes})
    amir = clarion_people("amir")
    wanted = person_tables(engine)
    assert {
        "share",
        "points_entry",
        "badge_award",
        "kudos",
        "kudos_week",
        "notes_note",
        "personal_data_export",
    } <= wanted
    exported, erased = covered(engine, amir.id)
    assert wanted - exported == set(), "tables naming a person that no plugin exports"
    assert wanted - erased == set(), "tables naming a person that no plugin erases"


# A table of its own metadata, so it never joins the shared one the drift checks read.
OTHER_METADATA = sa.MetaData()
sa.Table("ambassador", OTHER_METADATA, sa.Column("id", sa.Integer, primary_key=True))
DIARY = sa.Table(
    "uncovered_diary",
    OTHER_METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("author_id", sa.ForeignKey("ambassador.id"), nullable=False),
)


class Uncovered:
    """A plugin that adds a person table and forgets both hooks."""

    def __init__(self, migrations: Path) -> None:
        self.migrations = migrations

    @hookimpl
    def clarion_tables_register(self):
        return Schema("uncovered", self.migrations, [DIARY])


def test_a_new_person_table_without_export_or_erasure_is_caught(clarion_engine_factory, clarion_people, tmp_path):
    engine = clarion_engine_factory({"uncovered": Uncovered(tmp_path)})
    amir = clarion_people("amir")
    assert "uncovered_diary" in person_tables(engine)
    exported, erased = covered(engine, amir.id)
    assert "uncovered_diary" not in exported
    assert "uncovered_diary" not in erased


def test_hook_person_export_compute(clarion_engine_factory, clarion_people):
    engine = clarion_engine_factory({"notes": notes})
    amir = clarion_people("amir")
    with engine.transaction() as session:
        session.add(notes.Note(ambassador_id=amir.id, text="call Bea"))
    with engine.transaction() as session:
        found = {rows.table: rows.rows for rows in engine.person_export(session, amir.id)}
    assert [row["text"] for row in found["notes_note"]] == ["call Bea"]
    assert found["ambassador"][0]["external_id"] == "amir"


def test_hook_person_erase_prepare(clarion_engine_factory, clarion_people):
    engine = clarion_engine_factory({"notes": notes})
    amir = clarion_people("amir")
    with engine.transaction() as session:
        session.add(notes.Note(ambassador_id=amir.id, text="call Bea"))
    with engine.transaction() as session:
        erasure = Erasure(amir.id, "erased-1234")
        engine.person_erase(session, erasure)
    assert {"notes_note", "ambassador", "share"} <= erasure.tables
    with engine.transaction() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(notes.Note)).scalar_one() == 0
        person = session.get(Ambassador, amir.id)
        assert (person.name, person.email) == ("erased-1234", None)


def test_export_hook_answers_must_be_person_rows(clarion_engine_factory, clarion_people):
    class Wrong:
        @hookimpl
        def clarion_person_export_compute(self):
            return [{"table": "x"}]

    engine = clarion_engine_factory({"wrong": Wrong()})
    amir = clarion_people("amir")
    from clarion.errors import PluginError

    with engine.transaction() as session, pytest.raises(PluginError, match="PersonRows"):
        engine.person_export(session, amir.id)
