"""``GET /api/v1/audit``: the audit log for admins, newest first, filtered and paginated (CSV: ``/admin/audit``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from litestar import get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter
from pydantic import BaseModel, Field

from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import PageDep, PageMeta, page_meta, page_request, problems
from clarion_plugins.audit_log.service import AuditFilters, AuditLine, list_entries

ADMIN = {"role": Role.ADMIN.value}
Text = Annotated[str | None, QueryParameter(max_length=200)]
ActorText = Annotated[
    str | None, QueryParameter(name="actor", max_length=200, description="External id or ambassador id.")
]
Day = Annotated[date | None, QueryParameter(description="A UTC day, included.")]


def provide_filters(
    actor_filter: ActorText = None,
    action: Annotated[str | None, QueryParameter(max_length=200, description="An action or its prefix.")] = None,
    subject_type: Text = None,
    subject_id: Text = None,
    since: Day = None,
    until: Day = None,
) -> AuditFilters:
    return AuditFilters(actor_filter, action, subject_type, subject_id, since, until)


FiltersDep = NamedDependency[AuditFilters]


class AuditEntryOut(BaseModel):
    id: int = Field(examples=[41])
    occurred_at: datetime = Field(examples=["2026-12-05T09:30:00Z"])
    actor_id: int | None = Field(description="The ambassador who acted; null for the command line.", examples=[3])
    actor: str = Field(description="Their external id as known now, or 'cli' / 'system'.", examples=["ada"])
    via: str = Field(description="admin, api:<identity provider>, cli or system.", examples=["admin"])
    action: str = Field(examples=["ambassador.role_changed"])
    subject_type: str = Field(examples=["ambassador"])
    subject_id: str = Field(examples=["12"])
    before: dict[str, Any] | None = Field(examples=[{"role": "ambassador"}])
    after: dict[str, Any] | None = Field(examples=[{"role": "editor"}])

    @classmethod
    def of(cls, line: AuditLine) -> AuditEntryOut:
        return cls(**line.entry.model_dump(include=set(cls.model_fields) - {"actor"}), actor=line.actor)


class AuditPage(PageMeta):
    items: list[AuditEntryOut]


class AuditController(ClarionController):
    path = "/api/v1/audit"
    tags = ["audit"]
    dependencies = {
        "page": Provide(page_request, sync_to_thread=False),
        "filters": Provide(provide_filters, sync_to_thread=False),
    }

    @get(
        "/",
        sync_to_thread=True,
        opt=ADMIN,
        summary="Read the audit log",
        description=(
            "Who changed what, when and through which door, newest first. `action` matches a full action "
            "(`content.approved`) or a prefix (`content`); `since` and `until` are UTC days, both included."
        ),
        responses=problems(422),
    )
    def list_audit(
        self,
        engine: EngineDep,
        actor: ActorDep,
        filters: FiltersDep,
        page: PageDep,
    ) -> AuditPage:
        with engine.transaction() as session:
            result = list_entries(session, actor, filters, page)
            return AuditPage(items=[AuditEntryOut.of(entry) for entry in result.items], **page_meta(result))
