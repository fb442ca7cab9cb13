"""``/api/v1/me/export``: a person takes their data out (erasing is the core's ``DELETE /api/v1/me``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from litestar import Response, get, post
from pydantic import BaseModel, Field

from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import problems
from clarion_plugins.my_data import services

AMBASSADOR = {"role": Role.AMBASSADOR.value}
DOWNLOAD_PATH = "/api/v1/me/export/download"


class ExportOut(BaseModel):
    status: Literal["none", "pending", "ready", "downloaded", "expired"] = Field(
        description="none: never asked; pending: being built; ready: download it once; downloaded or expired: gone.",
        examples=["ready"],
    )
    requested_at: datetime | None = Field(default=None, examples=["2026-12-05T09:00:00Z"])
    ready_at: datetime | None = Field(default=None, examples=["2026-12-05T09:00:04Z"])
    expires_at: datetime | None = Field(
        default=None, description="When a ready file is deleted undownloaded.", examples=["2026-12-08T09:00:04Z"]
    )
    size: int | None = Field(default=None, description="Bytes in the zip.", examples=[48211])
    download_url: str | None = Field(
        default=None, description="Where to download the zip, once; only you can.", examples=[DOWNLOAD_PATH]
    )

    @classmethod
    def of(cls, state: services.ExportState) -> ExportOut:
        return cls(
            status=state.status,  # type: ignore[arg-type]
            requested_at=state.requested_at,
            ready_at=state.ready_at,
            expires_at=state.expires_at,
            size=state.size,
            download_url=DOWNLOAD_PATH if state.status == "ready" else None,
        )


class MyDataController(ClarionController):
    path = "/api/v1/me"
    tags = ["me"]

    @post(
        "/export",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=202,
        summary="Ask for a zip of all my data",
        description="A job builds the zip (JSON and CSV per table); `GET /api/v1/me/export` tells when it is ready.",
        responses=problems(),
    )
    def request_export(self, engine: EngineDep, actor: ActorDep) -> ExportOut:
        return ExportOut.of(services.request_export(engine, actor))

    @get("/export", sync_to_thread=True, opt=AMBASSADOR, summary="My latest data export", responses=problems())
    def export_status(self, engine: EngineDep, actor: ActorDep) -> ExportOut:
        with engine.transaction() as session:
            return ExportOut.of(services.export_state(engine, session, actor.ambassador_id))

    @get(
        "/export/download",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Download my data export, once",
        description="The zip is deleted from Clarion as it is handed out; ask for a new export to download again.",
        responses=problems(404),
        media_type="application/zip",
    )
    def download(self, engine: EngineDep, actor: ActorDep) -> Response[bytes]:
        data = services.take_download(engine, actor)
        day = engine.clock.today().isoformat()
        return Response(
            data,
            media_type="application/zip",
            headers={
                "content-disposition": f'attachment; filename="my-clarion-data-{day}.zip"',
                "cache-control": "no-store",
            },
        )
