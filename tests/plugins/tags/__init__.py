"""A test plugin with an admin page made with the admin kit: list, create and edit tags.

It owns one small table (``clarion_tables_register``) and the page ``/admin/tags`` for admins
(``clarion_admin_pages_register``); every change is audited by the kit. docs/guides/add-an-admin-page.md
shows this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlmodel import Field, Session, SQLModel, col, select

from clarion import hookimpl
from clarion.contracts import AdminPage, Schema
from clarion.errors import Conflict, NotFound
from clarion.pagination import paginate
from clarion.web.admin import forms, kit


class Tag(SQLModel, table=True):
    __tablename__ = "tags_tag"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, index=True, unique=True)
    description: str = Field(default="", max_length=500)


# The page's own words, in every language the admin speaks (Clarion's catalogs hold the common ones).
WORDS = {
    "en": {"tags": "Tags", "new": "New tag", "edit": "Edit tag", "create": "Create tag", "none": "No tags yet."},
    "nl": {
        "tags": "Labels",
        "new": "Nieuw label",
        "edit": "Label bewerken",
        "create": "Label maken",
        "none": "Nog geen labels.",
    },
}


# -- the service: every rule lives here, the page only calls it ---------------------------------------------------------


def get_tag(session: Session, tag_id: int) -> Tag:
    tag = session.get(Tag, tag_id)
    if tag is None:
        raise NotFound(f"tag {tag_id} not found")
    return tag


def save_tag(session: Session, fields: Mapping[str, Any], tag_id: int | None = None) -> int:
    taken = session.exec(select(Tag.id).where(Tag.name == fields["name"], col(Tag.id) != (tag_id or 0))).first()
    if taken is not None:
        raise Conflict(f"a tag named {fields['name']!r} exists already")
    tag = get_tag(session, tag_id) if tag_id is not None else Tag()
    tag.name, tag.description = fields["name"], fields["description"]
    session.add(tag)
    session.flush()
    assert tag.id is not None
    return tag.id


# -- the admin page ------------------------------------------------------------------------------------------------------

TAGS = kit.Crud(
    path="/admin/tags",
    id_name="tag_id",
    role="admin",
    list_template="tags/list.html",
    list_context=lambda engine, session, actor, page, filters: {
        "page": paginate(session, select(Tag).order_by(col(Tag.name)), page),
        "words": WORDS,
    },
    form_template="tags/form.html",
    form_context=lambda engine, session, actor, tag_id, tag: {"tag_id": tag_id, "words": WORDS},
    parse=lambda engine, form: {
        "name": forms.text(form, "name", max_length=60, required=True),
        "description": forms.text(form, "description", max_length=500),
    },
    create=lambda engine, session, actor, fields: save_tag(session, fields),
    load=lambda engine, session, actor, tag_id: get_tag(session, tag_id),
    values=lambda tag: {"name": tag.name, "description": tag.description},
    update=lambda engine, session, actor, tag_id, fields: save_tag(session, fields, tag_id),
    audit="tags",
)


@hookimpl
def clarion_tables_register():
    return Schema("tags", Path(__file__).parent / "migrations", [Tag.__table__])


@hookimpl
def clarion_admin_pages_register():
    return [
        AdminPage(
            path="/admin/tags",
            label="Tags",
            labels={"nl": "Labels"},
            role="admin",
            order=80,
            controllers=[kit.crud_controller(TAGS)],
        )
    ]
