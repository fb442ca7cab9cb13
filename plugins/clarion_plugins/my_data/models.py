"""The plugin's one table: a person's data export, from request to the single download."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

import clarion.models  # noqa: F401  # the core's tables and naming convention first  # isort: skip
from clarion.models.types import SQLITE_NO_ID_REUSE, enum_type, utc_column, utcnow


class ExportStatus(StrEnum):
    PENDING = "pending"  # the job has not built the file yet
    READY = "ready"  # built, waiting for its one download
    DOWNLOADED = "downloaded"  # downloaded once; the file is gone
    EXPIRED = "expired"  # never downloaded in time; the file is gone


class PersonalDataExport(SQLModel, table=True):
    """One export a person asked for; ``archive`` holds the zip between building and the download."""

    __tablename__ = "personal_data_export"
    __table_args__ = (sa.Index(None, "ambassador_id", "requested_at"), SQLITE_NO_ID_REUSE)

    id: int | None = Field(default=None, primary_key=True)
    ambassador_id: int = Field(sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), nullable=False))
    status: ExportStatus = Field(
        default=ExportStatus.PENDING, sa_type=enum_type(ExportStatus, "personal_data_export_status")
    )
    requested_at: datetime = Field(default_factory=utcnow, sa_column=utc_column(nullable=False))
    ready_at: datetime | None = Field(default=None, sa_column=utc_column())
    downloaded_at: datetime | None = Field(default=None, sa_column=utc_column())
    archive: bytes | None = Field(default=None, sa_column=sa.Column(sa.LargeBinary(), nullable=True))
    size: int | None = Field(default=None, description="Bytes in the zip.")


TABLES = (PersonalDataExport.__table__,)
