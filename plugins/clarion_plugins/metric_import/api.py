"""``POST /api/v1/metrics/import``: an admin sends a CSV of figures copied from a network without an API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Annotated, Any

import anyio.to_thread
from litestar import Request, post
from litestar.exceptions import HTTPException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter
from pydantic import BaseModel, Field

from clarion import inputs
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import problems
from clarion_plugins.metric_import.service import ImportReport, import_csv

ADMIN = {"role": Role.ADMIN.value}
# A spreadsheet export of MAX_ROWS rows is well under a megabyte; this leaves room and no more.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
CSV_EXAMPLE = (
    "share,metric,value,observed_at\n"
    "77,impressions,1250,2026-11-20\n"
    "https://www.linkedin.com/feed/update/urn:li:activity:7123456789/,reactions,48,2026-11-20T18:00:00+01:00\n"
)


@dataclass
class CsvUploadOperation(Operation):
    """The import's request body: the handler reads it itself, so OpenAPI is told here."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            description=(
                "A CSV file with the columns share, metric, value and observed_at; as the body (text/csv) or as "
                "the field `file` of a form upload."
            ),
            required=True,
            content={
                "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING), example=CSV_EXAMPLE),
                "multipart/form-data": OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        properties={"file": Schema(type=OpenAPIType.STRING, format="binary")},  # type: ignore[arg-type]
                        required=["file"],
                    )
                ),
            },
        )


async def _csv_body(request: Request[Any, Any, Any]) -> bytes:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    length = request.headers.get("content-length")
    if length and inputs.DIGITS.fullmatch(length) and int(length) > MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail=f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KB")
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None:
            raise HTTPException(status_code=400, detail="the form upload needs the CSV in a field called 'file'")
        content = await upload.read() if hasattr(upload, "read") else str(upload).encode()
    elif content_type in ("text/csv", "text/plain", "application/csv"):
        content = await request.body()
    else:
        raise HTTPException(
            status_code=415, detail="send the CSV as text/csv, or as the field 'file' of multipart/form-data"
        )
    if len(content) > MAX_UPLOAD_BYTES:
        raise HTTPException(status_code=413, detail=f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KB")
    return bytes(content)


class ImportedRowOut(BaseModel):
    line: int = Field(examples=[2])
    share_id: int = Field(examples=[77])
    metric: str = Field(examples=["impressions"])
    value: int = Field(examples=[1250])
    observed_at: datetime = Field(examples=["2026-11-20T00:00:00Z"])
    unchanged: bool = Field(description="Already stored with this value: nothing to import.", examples=[False])


class ImportReportOut(BaseModel):
    dry_run: bool = Field(description="Nothing was stored: this is what an import would do.", examples=[False])
    imported: int = Field(description="Samples stored (or that would be).", examples=[2])
    unchanged: int = Field(description="Rows already stored with the same value.", examples=[0])
    rows: list[ImportedRowOut]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls(
            dry_run=report.dry_run,
            imported=report.imported,
            unchanged=report.unchanged,
            rows=[
                ImportedRowOut(
                    line=row.line,
                    share_id=row.share_id,
                    metric=row.metric,
                    value=row.value,
                    observed_at=row.observed_at,
                    unchanged=row.unchanged,
                )
                for row in report.rows
            ],
        )


class MetricImportController(ClarionController):
    path = "/api/v1"
    tags = ["metrics"]

    @post(
        "/metrics/import",
        opt=ADMIN,
        status_code=200,
        summary="Import metrics from a CSV file",
        description=(
            "For figures copied from a network without an API (LinkedIn personal post analytics, …). Columns: "
            "`share` (id, tracked-link code, tracked link or post URL), `metric` (impressions, reactions, comments, "
            "reposts, quotes, clicks), `value` (a whole number), `observed_at` (a date, midnight UTC, or a "
            "date-time, UTC unless it names an offset). Every row is checked first; one bad row imports nothing "
            "and the problem lists every bad row (`errors`). Importing the same file again changes nothing. "
            "With `dry_run=true` nothing is stored."
        ),
        operation_class=CsvUploadOperation,
        responses=problems(413, 415, 422),
    )
    async def import_metrics(
        self,
        request: Request[Any, Any, Any],
        engine: EngineDep,
        actor: ActorDep,
        dry_run: Annotated[bool, QueryParameter(description="Check the file and report; store nothing.")] = False,
    ) -> ImportReportOut:
        content = await _csv_body(request)
        run = partial(import_csv, engine, actor, content, dry_run=dry_run)
        return ImportReportOut.of(await anyio.to_thread.run_sync(run))
