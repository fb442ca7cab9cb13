"""``/admin/metrics-import``: an admin uploads or pastes the CSV, checks it, then imports it.

Built with the admin kit (:mod:`clarion.web.admin.kit`). The page calls the same service as the
API and ``clarion import-metrics`` (:func:`clarion_plugins.metric_import.service.import_csv`):
every row is checked first, one bad row imports nothing and the page lists every problem by line.
"Check only" shows what would be stored and offers to import the same lines.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile

from clarion.errors import InvalidRows, RowProblem, ValidationFailed
from clarion.web.admin import kit
from clarion.web.admin.kit import ADMIN, ADMIN_FORM, MultipartForm
from clarion.web.auth import ActorDep, EngineDep
from clarion_plugins.metric_import.api import CSV_EXAMPLE, MAX_UPLOAD_BYTES
from clarion_plugins.metric_import.service import COLUMNS, import_csv

PATH = "/admin/metrics-import"
TEMPLATE = "admin/metric_import.html"


def _content(form: dict[str, Any]) -> bytes | str:
    """The uploaded file's bytes, else the pasted lines.

    Raises:
        ValidationFailed: the file is too large, or there is neither a file nor text.
    """
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        payload = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(payload) > MAX_UPLOAD_BYTES:
            raise ValidationFailed(f"the file is larger than {MAX_UPLOAD_BYTES // 1024} KB; split it", field="file")
        return bytes(payload)
    text = str(form.get("csv_text") or "")
    if not text.strip():
        raise ValidationFailed("choose a CSV file or paste its lines", field="csv_text")
    return text


class AdminMetricImportController(kit.AdminPageController):
    """Mounted by ``clarion_admin_pages_register``: the admin area's sign-in, role guard and error pages."""

    path = PATH

    @get("/", sync_to_thread=True, opt=ADMIN)
    def form(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        viewer = kit.transact(engine, lambda session: kit.viewer_of(engine, session, actor))
        return kit.page(request, viewer, TEMPLATE, columns=COLUMNS, example=CSV_EXAMPLE, values={})

    @post("/", sync_to_thread=True, opt=ADMIN_FORM, status_code=200)
    def run(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: MultipartForm
    ) -> Response[str]:
        form = kit.checked_form(engine, actor, data)
        dry_run = form.get("dry_run") == "on"
        values = {"dry_run": dry_run, "csv_text": form.get("csv_text") if isinstance(form.get("csv_text"), str) else ""}
        context: dict[str, Any] = {"columns": COLUMNS, "example": CSV_EXAMPLE, "values": values}
        status = 200
        try:
            content = _content(form)
            report = import_csv(engine, actor, content, dry_run=dry_run)
        except InvalidRows as exc:
            status, context["error"], context["problems"] = 422, exc.detail, exc.problems
        except ValidationFailed as exc:
            status, context["error"], context["problems"] = 422, exc.detail, list[RowProblem]()
        else:
            context["report"] = report
            # A checked file can be imported as it is: the page carries its lines to the next post.
            text = content if isinstance(content, str) else content.decode("utf-8-sig")
            context["checked_text"] = text if dry_run else ""
        viewer = kit.transact(engine, lambda session: kit.viewer_of(engine, session, actor))
        return kit.page(request, viewer, TEMPLATE, status, **context)
