"""Errors as ``application/problem+json`` (RFC 9457), from one table of domain error → status."""

from __future__ import annotations

import gettext
import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from pydantic import BaseModel, Field

from clarion.errors import (
    BadRequest,
    ClarionError,
    ConfigError,
    Conflict,
    ConnectorError,
    ContentRejected,
    DatabaseError,
    DestinationRefused,
    IdentityProviderUnavailable,
    InvalidRows,
    NotAuthenticated,
    NotFound,
    NotSupported,
    PermissionDenied,
    PluginError,
    RateLimited,
    ReconnectNeeded,
    ValidationFailed,
)
from clarion.i18n import Message, language_of, localise, translations

logger = logging.getLogger("clarion.web")

PROBLEM_MEDIA_TYPE = "application/problem+json"

# The one mapping from domain errors to HTTP. Subclasses resolve to their nearest listed base.
ERROR_STATUS: dict[type[ClarionError], int] = {
    BadRequest: 400,
    ValidationFailed: 422,
    NotAuthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    ContentRejected: 422,
    NotSupported: 422,
    DestinationRefused: 422,
    ReconnectNeeded: 409,
    ConnectorError: 502,
    IdentityProviderUnavailable: 502,
    DatabaseError: 503,
    ConfigError: 500,
    PluginError: 500,
    ClarionError: 500,
}


# An upload with thousands of bad rows answers with the first ones; the detail gives the count.
MAX_LISTED_PROBLEMS = 100


class RowProblemOut(BaseModel):
    line: int = Field(description="Line of the file; 1 is the header.", examples=[3])
    column: str | None = Field(description="The column at fault, if one is.", examples=["value"])
    message: str = Field(examples=["must not be negative"])


class Problem(BaseModel):
    """An error response (RFC 9457 problem details)."""

    type: str = Field(default="about:blank", examples=["about:blank"])
    title: str = Field(examples=["Conflict"])
    status: int = Field(examples=[409])
    detail: str = Field(examples=["cannot approve content that is archived (allowed now: reopen)"])
    field: str | None = Field(default=None, description="The input field at fault.", examples=["title"])
    errors: list[RowProblemOut] | None = Field(
        default=None,
        description=f"Uploads only: the bad rows of the file, in order (at most {MAX_LISTED_PROBLEMS}).",
        examples=[None],
    )


def status_for(error: ClarionError) -> int:
    for cls in type(error).__mro__:
        if cls in ERROR_STATUS:
            return ERROR_STATUS[cls]
    return 500


def problem_response(
    status: int,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> Response[Any]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if field is not None:
        body["field"] = field
    if errors is not None:
        body["errors"] = errors
    return Response(content=body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def reader_catalog(request: Request[Any, Any, Any]) -> gettext.NullTranslations:
    """The translations for whoever sent ``request``: the first language of ``Accept-Language``."""
    language = language_of(request.headers.get("accept-language", "").split(",")[0].split(";")[0])
    engine = getattr(request.app.state, "engine", None)
    return translations(language, engine.plugin_locale_dirs() if engine is not None else ())


def handle_clarion_error(request: Request[Any, Any, Any], error: ClarionError) -> Response[Any]:
    status = status_for(error)
    if status >= 500:
        logger.error("%s: %s", type(error).__name__, error.detail)
    headers = {"WWW-Authenticate": 'Bearer realm="clarion"'} if status == 401 else None
    errors = None
    catalog = reader_catalog(request)
    detail = " ".join(message.translate(catalog) for message in error.messages)
    if isinstance(error, InvalidRows):
        errors = [
            {"line": problem.line, "column": problem.column, "message": localise(problem.message, catalog)}
            for problem in error.problems[:MAX_LISTED_PROBLEMS]
        ]
        if len(error.problems) > MAX_LISTED_PROBLEMS:
            listed = Message(
                "(the first %(listed)d of %(count)d problems are listed)",
                {"listed": MAX_LISTED_PROBLEMS, "count": len(error.problems)},
            )
            detail = f"{detail} {listed.translate(catalog)}"
    return problem_response(status, detail, field=error.field, headers=headers, errors=errors)


def handle_validation_error(_request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    field = None
    detail = error.detail or "invalid request"
    if isinstance(error.extra, list) and error.extra:
        first = error.extra[0]
        if isinstance(first, dict):
            field = first.get("key") or None
            message = first.get("message")
            if field == "data" and first.get("source") == "body":
                # "data" is the handler's parameter, not something the client named.
                return problem_response(400, "this request needs a JSON body")
            if message:
                detail = f"{field}: {message}" if field else str(message)
    return problem_response(400, detail, field=field)


def handle_http_error(_request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    headers = dict(error.headers or {})
    return problem_response(error.status_code, error.detail, headers=headers or None)


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(500, "Clarion hit an unexpected error; it has been logged.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ClarionError: handle_clarion_error,
    ValidationException: handle_validation_error,
    HTTPException: handle_http_error,
    Exception: handle_unexpected,
}
