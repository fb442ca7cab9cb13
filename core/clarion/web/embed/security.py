"""Browser-facing rules of embedding: framing, CORS, the Origin check and CSRF for cookie sessions.

Which origins count is one setting, ``embed_origins`` (exact origins, checked at start-up).
Bearer-token requests carry their credential explicitly, so they need no CSRF token; a request
that carries the widget session cookie and no ``Authorization`` header must present the
session's CSRF token. Every state-changing request that names a foreign ``Origin`` is refused.
"""

from __future__ import annotations

from typing import Any

from litestar.config.cors import CORSConfig
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from clarion.ambassadors.widget_sessions import CSRF_HEADER, SESSION_COOKIE, check_csrf
from clarion.config import Settings
from clarion.errors import PermissionDenied

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
    if handler.opt.get("csrf", True) is False or "authorization" in connection.headers:
        return
    session_cookie = connection.cookies.get(SESSION_COOKIE)
    presented = connection.headers.get(CSRF_HEADER)
    if session_cookie and not check_csrf(
        settings.secret_key, session_cookie, presented, now=engine.clock.now().timestamp()
    ):
        # The field tells embed.js to fetch the current token once: another frame may have replaced the cookie.
        raise PermissionDenied(
            f"this request needs the session's CSRF token in the {CSRF_HEADER} header", field=CSRF_HEADER
        )


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
