"""The hook implementations Clarion registers as the ``kudos`` plugin: each names one part of the feature.

Next to this module Clarion finds ``static/`` (served at ``/static/plugins/kudos/``),
``templates/`` (the widget's and the admin page's) and ``locale/`` (their Dutch words).
"""

from __future__ import annotations

from pathlib import Path

from clarion import hookimpl
from clarion.contracts import AdminPage, Schema, person_rows

from clarion_kudos.admin import AdminKudosController
from clarion_kudos.api import KudosController
from clarion_kudos.commands import kudos_group
from clarion_kudos.jobs import WEEKLY_SUMMARY
from clarion_kudos.models import TABLES
from clarion_kudos.scoring import kudos_awards
from clarion_kudos.settings import KudosSettings
from clarion_kudos.widget import kudos_widget


@hookimpl
def clarion_config_register():
    return KudosSettings


@hookimpl
def clarion_tables_register():
    return Schema("kudos", Path(__file__).parent / "migrations", TABLES)


@hookimpl
def clarion_routes_register():
    return [KudosController]


@hookimpl
def clarion_admin_pages_register():
    return [
        AdminPage(
            path="/admin/kudos",
            label="Kudos",
            labels={"nl": "Complimenten"},
            role="admin",
            order=80,
            controllers=[AdminKudosController],
        )
    ]


@hookimpl
def clarion_widgets_register():
    return [kudos_widget()]


@hookimpl
def clarion_jobs_register():
    return [WEEKLY_SUMMARY]


@hookimpl
def clarion_commands_register(engine):
    return [kudos_group(engine)]


@hookimpl
def clarion_awards_compute(engine, event):
    return kudos_awards(engine, event)


@hookimpl
def clarion_person_export_compute(session, ambassador_id):
    kudos, weeks = TABLES
    return [
        person_rows(session, kudos, ambassador_id, columns=["giver_id", "receiver_id"]),
        person_rows(session, weeks, ambassador_id, columns=["ambassador_id"]),
    ]


@hookimpl
def clarion_person_erase_prepare(session, erasure):
    # The thanks and the receivers' points stay; the words the erased person wrote go.
    kudos, weeks = TABLES
    session.execute(kudos.update().where(kudos.c.giver_id == erasure.ambassador_id).values(message=None))
    erasure.covered(kudos.name, weeks.name)
