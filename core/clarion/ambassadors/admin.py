"""``/admin/ambassadors``: admins find people, change their role, level and profile, and import them from CSV."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from clarion import inputs
from clarion.actors import Actor
from clarion.ambassadors import ambassadors as ambassador_service
from clarion.engine import Engine
from clarion.errors import ClarionError, ValidationFailed
from clarion.models import AdvocacyLevel, Ambassador, Role
from clarion.pagination import PageRequest
from clarion.web.admin import forms, kit
from clarion.web.auth import ActorDep, EngineDep

MAX_UPLOAD_BYTES = 5_000_000
PROFILE = ("name", "email", "department", "team", "locale")


class AmbassadorFilters(BaseModel):
    """The people list's query: ``?search=&role=``."""

    model_config = ConfigDict(extra="ignore")

    search: Annotated[str | None, Field(max_length=200)] = None
    role: Role | None = None


def _list(
    engine: Engine, session: Session, actor: Actor, request: PageRequest, filters: AmbassadorFilters
) -> dict[str, Any]:
    page = ambassador_service.list_ambassadors(
        session, actor, request, role=filters.role, search=filters.search or None
    )
    return {"page": page, "filters": {"search": filters.search or "", "role": filters.role}, "roles": list(Role)}


def _values(person: Ambassador) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(person, name) or "" for name in PROFILE}
    return values | {"role": person.role.value, "advocacy_level": person.advocacy_level.value}


def _form_context(
    engine: Engine, session: Session, actor: Actor, ambassador_id: int | None, person: Ambassador | None
) -> dict[str, Any]:
    if person is None and ambassador_id is not None:
        person = ambassador_service.get_ambassador(session, actor, ambassador_id)
    return {"person": person, "roles": list(Role), "levels": list(AdvocacyLevel)}


AMBASSADORS = kit.Crud(
    path="/admin/ambassadors",
    id_name="ambassador_id",
    role=Role.ADMIN.value,
    list_template="admin/ambassador_list.html",
    list_context=_list,
    filters=AmbassadorFilters,
    form_template="admin/ambassador_form.html",
    form_context=_form_context,
    parse=lambda engine, form: forms.ambassador_fields(form),
    load=lambda engine, session, actor, ambassador_id: ambassador_service.get_ambassador(session, actor, ambassador_id),
    values=_values,
    update=lambda engine, session, actor, ambassador_id, fields: ambassador_service.update_ambassador(
        session, actor, ambassador_id, fields
    ),
)


def _import_page(
    request: Request[Any, Any, Any], viewer: kit.Viewer, errors: list[str], values: dict[str, Any], status: int = 200
) -> Response[str]:
    return kit.page(
        request, viewer, "admin/import.html", status, errors=errors, columns=forms.IMPORT_COLUMNS, values=values
    )


def _read_upload(upload: UploadFile, errors: list[str]) -> str:
    payload = upload.file.read(MAX_UPLOAD_BYTES + 1)
    if len(payload) > MAX_UPLOAD_BYTES:
        errors.append("the file is larger than 5 MB; split it")
        return ""
    try:
        return inputs.decode_text(payload, "file")
    except ValidationFailed as exc:
        errors.append(exc.detail)
        return ""


class AdminAmbassadorController(kit.crud_controller(AMBASSADORS)):  # type: ignore[misc]
    """The people list and profile form, plus the all-or-nothing CSV import."""

    @get("/import", sync_to_thread=True, opt=kit.ADMIN)
    def import_page(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        viewer = kit.transact(engine, lambda session: kit.viewer_of(engine, session, actor))
        return _import_page(request, viewer, [], {})

    @post("/import", sync_to_thread=True, opt=kit.ADMIN_FORM, status_code=303)
    def import_people(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: kit.MultipartForm
    ) -> Response[Any]:
        form = kit.checked_form(engine, actor, data)
        upload = form.get("file")
        raw = ""
        errors: list[str] = []
        if isinstance(upload, UploadFile) and upload.filename:
            raw = _read_upload(upload, errors)
        else:
            raw = str(form.get("csv_text") or "")
        if not errors and not raw.strip():
            errors.append("choose a CSV file or paste its lines")
        plan = forms.ImportPlan(errors=errors) if errors else forms.parse_ambassador_csv(raw)
        created = 0
        if not plan.errors:
            try:
                with engine.transaction() as session:
                    created = len(ambassador_service.import_ambassadors(session, actor, plan.rows))
            except ValidationFailed as exc:
                plan.errors.extend(exc.detail.split("; "))
            except ClarionError as exc:
                plan.errors.append(exc.detail)
        if plan.errors:
            viewer = kit.transact(engine, lambda session: kit.viewer_of(engine, session, actor))
            values = {"csv_text": "" if isinstance(upload, UploadFile) else raw}
            return _import_page(request, viewer, plan.errors, values, 422)
        return kit.redirect("/admin/ambassadors", imported=str(created))
