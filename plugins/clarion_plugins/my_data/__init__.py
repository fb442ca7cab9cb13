"""The ``my-data`` plugin: a person's data export and erasure, and how long raw clicks are kept.

``POST /api/v1/me/export`` starts a job that asks every plugin for its rows about the person
(``clarion_person_export_compute``) and zips them as JSON and CSV, downloadable once from
``/api/v1/me/export/download``. ``DELETE /api/v1/me`` (or an admin, on ``/admin/personal-data``)
asks every plugin to erase its rows (``clarion_person_erase_prepare``) and leaves the person a
pseudonym in every total. This plugin answers both hooks for the core's tables. The ``my-data``
widget offers both to the person; ``click_retention_days`` reduces old raw clicks to the rollups.
"""

from __future__ import annotations

from pathlib import Path

from clarion import hookimpl
from clarion.contracts import AdminPage, Job, Schema, person_rows
from clarion_plugins.my_data import core_tables, services
from clarion_plugins.my_data.models import TABLES, PersonalDataExport
from clarion_plugins.my_data.settings import PLUGIN_NAME, MyDataSettings

__all__ = ["PLUGIN_NAME", "Settings"]

Settings = MyDataSettings
MIGRATIONS = Path(__file__).parent / "migrations"


@hookimpl
def clarion_config_register():
    return MyDataSettings


@hookimpl
def clarion_tables_register():
    return Schema("my_data", MIGRATIONS, TABLES)


@hookimpl
def clarion_routes_register():
    from clarion_plugins.my_data.api import MyDataController

    return [MyDataController]


@hookimpl
def clarion_admin_pages_register():
    from clarion_plugins.my_data.admin import AdminPersonalDataController

    return [
        AdminPage(
            "/admin/personal-data",
            "Personal data",
            "admin",
            [AdminPersonalDataController],
            order=75,
            labels={"nl": "Persoonsgegevens"},
        )
    ]


@hookimpl
def clarion_widgets_register():
    from clarion_plugins.my_data.widget import my_data_widget

    return [my_data_widget()]


@hookimpl
def clarion_jobs_register():
    return [
        Job(services.BUILD_EXPORT, services.build_export, retries=2, retry_delay=30),
        Job(services.EXPIRE_EXPORTS, lambda engine: services.expire_exports(engine), schedule="17 * * * *"),
        Job(services.REDUCE_CLICKS, lambda engine: services.reduce_clicks(engine), schedule="43 3 * * *"),
    ]


@hookimpl
def clarion_person_export_compute(session, ambassador_id):
    exports = person_rows(
        session, PersonalDataExport.__table__, ambassador_id, columns=["ambassador_id"], leave_out=["archive"]
    )
    return [*core_tables.export_core(session, ambassador_id), exports]


@hookimpl(trylast=True)
def clarion_person_erase_prepare(session, erasure):
    # Last, so every other plugin still sees the person's rows as they were.
    session.execute(
        PersonalDataExport.__table__.delete().where(
            PersonalDataExport.__table__.c.ambassador_id == erasure.ambassador_id
        )
    )
    erasure.covered(PersonalDataExport.__tablename__)
    core_tables.erase_core(session, erasure)
