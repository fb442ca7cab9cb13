"""``/admin/audit``: the audit log for admins, with filters, pages and a CSV export (the API's service)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Request, Response, get

from clarion.errors import ValidationFailed
from clarion.pagination import PageRequest
from clarion.web.admin import kit
from clarion.web.admin.kit import ADMIN
from clarion.web.auth import ActorDep, EngineDep
from clarion.web.common import MAX_ID
from clarion_plugins.audit_log.service import AuditFilters, export_csv, list_entries

PATH = "/admin/audit"
TEMPLATE = "admin/audit_log.html"
PAGE_SIZE = 50
FIELDS = ("actor", "action", "subject_type", "subject_id", "since", "until")


def _filters(request: Request[Any, Any, Any]) -> tuple[dict[str, str], AuditFilters]:
    """The query's filters (a parameter given twice counts with its last value).

    Raises:
        ValidationFailed: a date that is no date, or a value over 200 characters.
    """
    values = {name: request.query_params.getall(name, [""])[-1].strip() for name in FIELDS}
    for name, value in values.items():
        if len(value) > 200:
            raise ValidationFailed(f"{name} is longer than 200 characters", field=name)
    days: dict[str, date | None] = {}
    for name in ("since", "until"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            raise ValidationFailed(f"{name} must be a date such as 2026-12-05", field=name) from None
    texts = {name: values[name] or None for name in FIELDS[:4]}
    return values, AuditFilters(**texts, **days)


def _offset(request: Request[Any, Any, Any]) -> int:
    raw = request.query_params.getall("offset", ["0"])[-1]
    if not (raw.isascii() and raw.isdigit()) or int(raw) > MAX_ID:
        raise ValidationFailed("offset must be a whole number of at least 0", field="offset")
    return int(raw)


class AdminAuditController(kit.AdminPageController):
    """Mounted by ``clarion_admin_pages_register``: the admin area's sign-in, role guard and error pages."""

    path = PATH

    @get("/", sync_to_thread=True, opt=ADMIN)
    def audit_log(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            try:
                values, filters = _filters(request)
                page = list_entries(session, actor, filters, PageRequest(PAGE_SIZE, _offset(request)))
            except ValidationFailed as exc:
                values = {name: request.query_params.get(name, "")[:200] for name in FIELDS}
                return kit.page(request, viewer, TEMPLATE, 400, values=values, page=None, error=exc.detail)
            return kit.page(request, viewer, TEMPLATE, values=values, page=page, error=None)

    @get("/export.csv", sync_to_thread=True, opt=ADMIN)
    def export(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        _values, filters = _filters(request)
        with engine.transaction() as session:
            body = export_csv(session, actor, filters)
        return Response(
            body, media_type="text/csv", headers={"content-disposition": 'attachment; filename="audit.csv"'}
        )
