"""Pieces every controller shares: pagination parameters and documented error responses."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter
from pydantic import BaseModel, Field, StringConstraints

from clarion.engine import Engine
from clarion.inputs import MAX_ID
from clarion.inputs import UtcDatetime as UtcDatetime  # the bounded time type, for the API schemas
from clarion.pagination import PageRequest
from clarion.web.problems import PROBLEM_MEDIA_TYPE, Problem

# Ids are 32-bit on PostgreSQL (MAX_ID); anything larger can only be a client's mistake.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
IdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
IdQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_ID)]

# A team, department or locale name: what the ambassador columns can hold.
AudienceValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]

ERROR_DESCRIPTIONS = {
    400: "The request is malformed (a field of the wrong type, unknown JSON, …).",
    401: "Nobody vouches for the caller: no token, or a refused one.",
    403: "The caller's role or ownership does not allow this.",
    404: "Not found, or not visible to the caller.",
    409: "The request clashes with the current state.",
    413: "The uploaded file is too large.",
    415: "The body is not in a format this route takes.",
    422: "The input breaks a rule; `field` names the culprit.",
    429: "Too many failed attempts from this address; `Retry-After` says how many seconds to wait.",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries for the problem+json errors a route can return."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=ERROR_DESCRIPTIONS[status],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,  # the schema's own examples, the same on every build
        )
        for status in (400, 401, 403, *statuses)
    }


class PageMeta(BaseModel):
    total: int = Field(description="Matches across all pages.", examples=[134])
    limit: int = Field(examples=[25])
    offset: int = Field(examples=[0])


def page_request(
    engine: NamedDependency[Engine],
    limit: Annotated[int | None, QueryParameter(ge=1, description="Page size (max 100 by default).")] = None,
    offset: Annotated[int, QueryParameter(ge=0, le=MAX_ID, description="Items to skip.")] = 0,
) -> PageRequest:
    return PageRequest.checked(
        limit if limit is not None else engine.settings.default_page_size,
        offset,
        max_limit=engine.settings.max_page_size,
    )


def page_meta(page: Any) -> dict[str, int]:
    return {"total": page.total, "limit": page.limit, "offset": page.offset}


PageDep = NamedDependency[PageRequest]
