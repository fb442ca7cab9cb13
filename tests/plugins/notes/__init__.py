"""A test plugin that owns a whole small feature: a table with its migration, an API, static
files, a widget with its template, stylesheet and Dutch words, a command and a periodic job — the
ownership hooks used together."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from litestar import Controller, get, post
from litestar.params import JSONBody
from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlmodel import Field, SQLModel, col, select

from clarion import hookimpl
from clarion.contracts import Job, Schema, person_rows
from clarion.web.auth import ActorDep, EngineDep
from clarion.widgets import Widget


class Note(SQLModel, table=True):
    __tablename__ = "notes_note"

    id: int | None = Field(default=None, primary_key=True)
    ambassador_id: int = Field(foreign_key="ambassador.id", index=True)
    text: str = Field(max_length=200)
    tidied: bool = False


class NoteIn(BaseModel):
    text: str = PydanticField(min_length=1, max_length=200)


class NoteOut(BaseModel):
    id: int
    text: str
    tidied: bool


def _out(note: Note) -> NoteOut:
    return NoteOut(id=note.id or 0, text=note.text, tidied=note.tidied)


class NotesController(Controller):
    path = "/api/v1/notes"

    @get("/", opt={"role": "ambassador"}, sync_to_thread=True)
    def mine(self, engine: EngineDep, actor: ActorDep) -> list[NoteOut]:
        with engine.transaction() as session:
            notes = session.exec(select(Note).where(Note.ambassador_id == actor.ambassador_id).order_by(col(Note.id)))
            return [_out(note) for note in notes]

    @post("/", opt={"role": "ambassador"}, sync_to_thread=True)
    def write(self, engine: EngineDep, actor: ActorDep, data: JSONBody[NoteIn]) -> NoteOut:
        with engine.transaction() as session:
            note = Note(ambassador_id=actor.ambassador_id, text=data.text)
            session.add(note)
            session.flush()
            return _out(note)


def tidy(engine, *, only: int | None = None) -> int:
    """Mark notes as tidied; returns how many changed."""
    with engine.transaction() as session:
        query = select(Note).where(col(Note.tidied).is_(False))
        if only is not None:
            query = query.where(Note.id == only)
        notes = list(session.exec(query))
        for note in notes:
            note.tidied = True
        return len(notes)


@hookimpl
def clarion_tables_register():
    return Schema("notes", Path(__file__).parent / "migrations", [Note.__table__])


@hookimpl
def clarion_routes_register():
    return [NotesController]


def _widget_context(engine, viewer, settings) -> dict:
    with engine.transaction() as session:
        return {"count": len(session.exec(select(Note.id).where(Note.ambassador_id == viewer.ambassador_id)).all())}


@hookimpl
def clarion_widgets_register():
    return [
        Widget(
            name="notes",
            title="My notes",
            template="notes/widget.html",
            context=_widget_context,
            stylesheets=("/static/plugins/notes/notes.css",),
        )
    ]


@hookimpl
def clarion_jobs_register():
    return [Job("notes.tidy", tidy, schedule="0 3 * * *"), Job("notes.tidy_one", tidy, retries=2, retry_delay=5)]


@hookimpl
def clarion_commands_register(engine):
    @click.command("notes-count", help="How many notes are stored.")
    def notes_count() -> None:
        with engine.transaction() as session:
            click.echo(f"{len(session.exec(select(Note)).all())} note(s)")

    return [notes_count]


@hookimpl
def clarion_person_export_compute(session, ambassador_id):
    return [person_rows(session, Note.__table__, ambassador_id, columns=["ambassador_id"])]


@hookimpl
def clarion_person_erase_prepare(session, erasure):
    session.execute(sa.delete(Note).where(col(Note.ambassador_id) == erasure.ambassador_id))
    erasure.covered(Note.__tablename__)
