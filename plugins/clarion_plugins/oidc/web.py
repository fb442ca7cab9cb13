"""``/auth/oidc/login``, ``/auth/oidc/callback`` and ``/auth/oidc/logout``: sign-in through the intranet's provider.

Every failure of the flow answers a small HTML page with a 4xx (or 502 when the provider is
down) that says what happened and offers to sign in again; nothing here ends in a 500. The
routes are there whenever the plugin is loaded; without an issuer they answer 404 saying so.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Template

from clarion.ambassadors import widget_sessions
from clarion.config import Settings
from clarion.errors import ClarionError
from clarion.web.auth import PUBLIC, ClarionController, EngineDep
from clarion.web.embed.security import session_cookie_header
from clarion.web.problems import status_for
from clarion_plugins.oidc import client as oidc_service
from clarion_plugins.oidc.client import oidc_client

PAGE_HEADERS = {"cache-control": "no-store", "referrer-policy": "no-referrer"}


def _state_cookie(settings: Settings, value: str, max_age: int) -> Cookie:
    # Lax: the provider sends the browser back with a top-level GET, which carries Lax cookies.
    return Cookie(
        key=oidc_service.STATE_COOKIE,
        value=value,
        path="/auth/oidc",
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )


def _error_page(settings: Settings, error: ClarionError, next_path: str = "/") -> Template:
    status = status_for(error)
    return Template(
        template_name="oidc_error.html",
        context={
            "status": status,
            "title": HTTPStatus(status).phrase,
            "detail": error.detail,
            "retry": "/auth/oidc/login?next=" + quote(next_path, safe="/"),
        },
        status_code=status,
        headers=PAGE_HEADERS,
        cookies=[_state_cookie(settings, "", 0)],
    )


class OidcController(ClarionController):
    path = "/auth/oidc"
    include_in_schema = False

    @get("/login", sync_to_thread=True, opt={"role": PUBLIC})
    def login(self, engine: EngineDep, request: Request[Any, Any, Any]) -> Response[Any]:
        """Send the browser to the identity provider; ``next`` is where to come back to (same origin only)."""
        try:
            next_path = oidc_service.safe_next(engine.settings, request.query_params.get("next"))
            started = oidc_client(engine).start(next_path)
        except ClarionError as error:
            return _error_page(engine.settings, error)
        return Response(
            content=b"",
            status_code=302,
            headers={**PAGE_HEADERS, "location": started.redirect_url},
            cookies=[_state_cookie(engine.settings, started.state_cookie, oidc_service.STATE_SECONDS)],
        )

    @get("/callback", sync_to_thread=True, opt={"role": PUBLIC})
    def callback(self, engine: EngineDep, request: Request[Any, Any, Any]) -> Response[Any]:
        """The provider's answer: check it, open a widget session, and go back to ``next``."""
        params = {name: value for name, value in request.query_params.items() if isinstance(value, str)}
        try:
            client = oidc_client(engine)
            identity, next_path = client.verify_callback(params, request.cookies.get(oidc_service.STATE_COOKIE))
            with engine.transaction() as session:
                created = client.open_session(session, identity)
        except ClarionError as error:
            return _error_page(engine.settings, error)
        session_cookie = session_cookie_header(engine.settings, created.token, engine.settings.widget_session_seconds)
        return Response(
            content=b"",
            status_code=303,
            headers={**PAGE_HEADERS, "location": next_path, "set-cookie": session_cookie},
            cookies=[_state_cookie(engine.settings, "", 0)],
        )

    @post("/logout", sync_to_thread=True, opt={"role": PUBLIC, "csrf": False}, status_code=303)
    def logout(self, engine: EngineDep, request: Request[Any, Any, Any]) -> Response[Any]:
        """End the session, forget its cookie and go to ``next``; foreign origins are refused by the origin guard."""
        widget_sessions.end_token_session(engine, request.cookies.get(widget_sessions.SESSION_COOKIE))
        try:
            next_path = oidc_service.safe_next(engine.settings, request.query_params.get("next"))
        except ClarionError as error:
            return _error_page(engine.settings, error)
        return Response(
            content=b"",
            status_code=303,
            headers={
                **PAGE_HEADERS,
                "location": next_path,
                "set-cookie": session_cookie_header(engine.settings, "", 0),
            },
        )
