"""A person's data: the export (requested, built by a job, downloaded once), the erasure, and click retention."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.contracts import PersonRows
from clarion.engine import Engine
from clarion.errors import NotFound
from clarion.jobs import job_queue
from clarion.models import AnalyticsWatermark, Click, utcnow
from clarion_plugins.my_data.models import ExportStatus, PersonalDataExport
from clarion_plugins.my_data.settings import PLUGIN_NAME, MyDataSettings

BUILD_EXPORT = "my-data.build_export"
EXPIRE_EXPORTS = "my-data.expire_exports"
REDUCE_CLICKS = "my-data.reduce_clicks"
README = """Your data in Clarion

One JSON file and one CSV file per table: the same rows in two forms. Secrets (hashed tokens,
encrypted network credentials) are left out. Clicks on your links are counted per share and day;
Clarion never stores a visitor's address.
"""


def settings_of(engine: Engine) -> MyDataSettings:
    settings: MyDataSettings = engine.plugin_config(PLUGIN_NAME)
    return settings


@dataclass(frozen=True)
class ExportState:
    """What the person sees of their latest export."""

    status: str  # none, pending, ready, downloaded or expired
    requested_at: datetime | None = None
    ready_at: datetime | None = None
    expires_at: datetime | None = None
    size: int | None = None


def latest_export(session: Session, ambassador_id: int) -> PersonalDataExport | None:
    query = (
        select(PersonalDataExport)
        .where(PersonalDataExport.ambassador_id == ambassador_id)
        .order_by(col(PersonalDataExport.requested_at).desc(), col(PersonalDataExport.id).desc())
    )
    return session.exec(query).first()


def export_state(engine: Engine, session: Session, ambassador_id: int) -> ExportState:
    export = latest_export(session, ambassador_id)
    if export is None:
        return ExportState("none")
    expires_at = None
    if export.status is ExportStatus.READY and export.ready_at is not None:
        expires_at = export.ready_at + timedelta(hours=settings_of(engine).export_keep_hours)
    return ExportState(export.status.value, export.requested_at, export.ready_at, expires_at, export.size)


def request_export(engine: Engine, actor: Actor) -> ExportState:
    """Start building ``actor``'s export; one at a time (a pending one is simply reported again)."""
    with engine.transaction() as session:
        current = latest_export(session, actor.ambassador_id)
        if current is None or current.status is not ExportStatus.PENDING:
            current = PersonalDataExport(ambassador_id=actor.ambassador_id)
            session.add(current)
            session.flush()
        export_id = current.id
        state = export_state(engine, session, actor.ambassador_id)
    job_queue(engine).enqueue(BUILD_EXPORT, export_id=export_id)
    return state


def _csv(rows: PersonRows) -> str:
    columns: list[str] = []
    for row in rows.rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows.rows:
        writer.writerow(
            {key: json.dumps(value) if isinstance(value, dict | list) else value for key, value in row.items()}
        )
    return out.getvalue()


def archive_for(engine: Engine, session: Session, ambassador_id: int) -> bytes:
    """The zip: README.txt, then ``<table>.json`` and ``<table>.csv`` for every table a plugin answered for."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README)
        for rows in engine.person_export(session, ambassador_id):
            archive.writestr(
                f"{rows.table}.json", json.dumps(list(rows.rows), indent=2, ensure_ascii=False, default=str)
            )
            archive.writestr(f"{rows.table}.csv", _csv(rows))
    return buffer.getvalue()


def build_export(engine: Engine, export_id: int) -> bool:
    """The job: build a pending export's zip (idempotent: a built one is left alone)."""
    with engine.transaction() as session:
        export = session.get(PersonalDataExport, export_id)
        if export is None or export.status is not ExportStatus.PENDING:
            return False
        data = archive_for(engine, session, export.ambassador_id)
        export.archive = data
        export.size = len(data)
        export.status = ExportStatus.READY
        export.ready_at = utcnow()
        session.add(export)
    return True


def take_download(engine: Engine, actor: Actor) -> bytes:
    """The ready export's zip, handed out once: the stored copy is deleted as it is read.

    Raises:
        NotFound: there is no export ready to download (none asked for, still being built,
            downloaded already or expired).
    """
    with engine.transaction() as session:
        export = latest_export(session, actor.ambassador_id)
        if export is None or export.status is not ExportStatus.READY or export.archive is None:
            raise NotFound("no export is ready to download; ask for one first")
        data = export.archive
        export.archive = None
        export.status = ExportStatus.DOWNLOADED
        export.downloaded_at = utcnow()
        session.add(export)
    return data


def expire_exports(engine: Engine) -> int:
    """Delete the files of exports nobody downloaded in time."""
    cutoff = engine.clock.now() - timedelta(hours=settings_of(engine).export_keep_hours)
    with engine.transaction() as session:
        result = session.execute(
            sa.update(PersonalDataExport)
            .where(
                col(PersonalDataExport.status) == ExportStatus.READY,
                col(PersonalDataExport.ready_at) < cutoff,
            )
            .values(status=ExportStatus.EXPIRED, archive=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def reduce_clicks(engine: Engine) -> int:
    """Delete raw clicks older than ``click_retention_days`` that the daily rollups already hold."""
    days = settings_of(engine).click_retention_days
    if days is None:
        return 0
    cutoff = engine.clock.now() - timedelta(days=days)
    with engine.transaction() as session:
        folded = session.exec(select(AnalyticsWatermark.last_id).where(AnalyticsWatermark.source == "click")).first()
        if not folded:
            return 0
        result = session.execute(sa.delete(Click).where(col(Click.occurred_at) < cutoff, col(Click.id) <= folded))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
