"""Browser-facing rules of embedding: framing, CORS, the Origin check and CSRF for cookie sessions.

Which origins count is one setting, ``embed_origins`` (exact origins, checked at start-up).
Bearer-token requests carry their credential explicitly, so they need no CSRF token; any other
request that carries the widget session cookie must present the session's CSRF token, whatever
other ``Authorization`` scheme (Basic, Negotiate — intranet browsers add those by themselves) it
sends. Every state-changing request that names a foreign ``Origin`` is refused, and a JSON route
accepts only a JSON media type, so a form or ``text/plain`` post from another page cannot reach it.
"""

from __future__ import annotations

from typing import Any

from litestar.config.cors import CORSConfig
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import BodyKwarg

from clarion.ambassadors.widget_sessions import CSRF_HEADER, SESSION_COOKIE, check_csrf
from clarion.config import Settings
from clarion.errors import PermissionDenied
from clarion.identity import RequestInfo

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EMBED_PATH_PREFIX = "/embed/"


def origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}".lower()


def frame_ancestors(settings: Settings) -> str:
    """The ``frame-ancestors`` source list of embed pages: the configured origins, or ``'none'``."""
    return " ".join(settings.embed_origins) if settings.embed_origins else "'none'"


def embed_page_policy(settings: Settings) -> str:
    """The Content-Security-Policy of a framable widget page."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
        f"connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors {frame_ancestors(settings)}"
    )


def cors_config(settings: Settings) -> CORSConfig | None:
    """Exact-origin CORS for the configured intranet origins; none at all when there are none."""
    if not settings.embed_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.embed_origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["authorization", "content-type", CSRF_HEADER],
        # Safe because every origin is exact (``*`` is refused at start-up).
        allow_credentials=True,
        max_age=600,
    )


def _allowed_origins(connection: ASGIConnection[Any, Any, Any, Any], settings: Settings) -> set[str]:
    own = f"{connection.url.scheme}://{connection.headers.get('host', '')}".lower()
    return {own, origin_of(settings.base_url), *settings.embed_origins}


async def origin_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Refuse state changes from foreign origins, and cookie-borne ones without the CSRF token."""
    if connection.scope.get("method", "GET") in SAFE_METHODS:
        return
    engine = connection.app.state.engine
    settings: Settings = engine.settings
    origin = connection.headers.get("origin")
    if origin is not None and origin.lower() not in _allowed_origins(connection, settings):
        raise PermissionDenied(f"requests from {origin} may not change anything here (see embed_origins)")
    _require_json(connection, handler)
    if handler.opt.get("csrf", True) is False or _bearer(connection):
        return
    session_cookie = connection.cookies.get(SESSION_COOKIE)
    presented = connection.headers.get(CSRF_HEADER)
    if session_cookie and not check_csrf(engine, session_cookie, presented):
        # The field tells embed.js to fetch the current token once: another frame may have replaced the cookie.
        raise PermissionDenied(
            f"this request needs the session's CSRF token in the {CSRF_HEADER} header", field=CSRF_HEADER
        )


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """Whether the request names its credential (``Authorization: Bearer``), which no other site can make a browser send."""
    return (
        RequestInfo("", "", {"authorization": connection.headers.get("authorization", "")}, None).bearer_token()
        is not None
    )


def _require_json(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """415 unless a route that reads a JSON body is sent one (``text/plain`` is what a cross-site form may send)."""
    signature = getattr(handler, "parsed_fn_signature", None)
    data = signature.parameters.get("data") if signature is not None else None
    if data is None:
        return
    kwarg = data.kwarg_definition
    if isinstance(kwarg, BodyKwarg) and kwarg.media_type != RequestEncodingType.JSON:
        return
    media_type = connection.headers.get("content-type", "").partition(";")[0].strip().lower()
    # No type at all is no browser's cross-site post (forms and no-cors fetches always name one): the parser answers.
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(status_code=415, detail=f"send this request's body as application/json, not {media_type}")


def session_cookie_header(settings: Settings, value: str, max_age: int) -> str:
    """``Set-Cookie`` for a widget session, with the attributes of the configured mode."""
    attributes = [f"{SESSION_COOKIE}={value}", "Path=/", f"Max-Age={max_age}", "HttpOnly"]
    if settings.cross_site_cookie:
        # A cross-site frame gets cookies only partitioned by the top-level site (CHIPS).
        attributes += ["Secure", "SameSite=None", "Partitioned"]
    else:
        attributes.append("SameSite=Lax")
        if settings.base_url.startswith("https://"):
            attributes.append("Secure")
    return "; ".join(attributes)
