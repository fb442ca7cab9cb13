"""``/widgets/{name}`` fragments, ``/embed/{name}`` framable pages, ``/embed.js`` and ``/api/v1/sessions``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import JSONBody, PathParameter
from litestar.template import TemplateEngineProtocol

from clarion.actors import Actor
from clarion.ambassadors import throttle, widget_sessions
from clarion.ambassadors.throttle import Door
from clarion.engine import Engine
from clarion.errors import BadRequest, ClarionError, CredentialRefused
from clarion.i18n import language_of, translations
from clarion.models import Role
from clarion.web import widgets as widget_service
from clarion.web.auth import PUBLIC, ActorDep, ClarionController, EngineDep, authenticate, client_address_of
from clarion.web.common import problems
from clarion.web.embed.schemas import SessionCreate, SessionOut
from clarion.web.embed.security import embed_page_policy, origin_of, session_cookie_header

AMBASSADOR = {"role": Role.AMBASSADOR.value}
WidgetName = Annotated[str, PathParameter(min_length=1, max_length=64)]
EMBED_SCRIPT = Path(__file__).parent.parent / "static" / "embed.js"
HTML = "text/html"
# Query parameters of /embed/{name} that are the page's own, not widget settings.
EMBED_PARAMETERS = frozenset({"parent"})
logger = logging.getLogger("clarion.web")
# /embed-origin logs each refused origin once per app, and at most this many: anyone can send any Origin header.
MAX_REPORTED_ORIGINS = 100


def _render(request: Request[Any, Any, Any], template: str, context: dict[str, Any]) -> str:
    engine: TemplateEngineProtocol[Any, Any] = request.app.template_engine  # type: ignore[assignment]
    return engine.get_template(template).render(**context)


def _fragment_context(engine: Engine, view: widget_service.WidgetView) -> dict[str, Any]:
    return {
        **view.context,
        "widget": view.widget,
        "settings": view.settings,
        "language": view.language,
        "clarion_url": engine.settings.base_url.rstrip("/"),
    }


def _query(request: Request[Any, Any, Any], *, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name in skip:
            continue
        if name in values:
            raise BadRequest(f"widget setting {name!r} is given twice", field=name)
        values[name] = value
    return values


def _parent_origin(engine: Engine, requested: str | None) -> str | None:
    """The exact origin the framed page talks to: the requested one if configured, or the only one."""
    origins = engine.settings.embed_origins
    if requested is not None:
        if requested.lower() not in origins:
            raise BadRequest(f"parent origin {requested!r} is not one of the configured embed_origins", field="parent")
        return requested.lower()
    return origins[0] if len(origins) == 1 else None


class WidgetController(ClarionController):
    include_in_schema = False

    @get("/widgets/{name:str}", sync_to_thread=True, opt=AMBASSADOR)
    def fragment(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], name: WidgetName
    ) -> Response[str]:
        """An HTML fragment for portals that render on the server: escaped, without scripts."""
        view = widget_service.build_view(engine, actor, name, _query(request))
        html = _render(request, "widget_fragment.html", _fragment_context(engine, view))
        return Response(
            content=html,
            media_type=HTML,
            headers={"cache-control": widget_service.cache_control(view.widget), "vary": "Authorization, Cookie"},
        )

    @get("/embed/{name:str}", sync_to_thread=True, opt={"role": PUBLIC})
    def embed_page(self, engine: EngineDep, request: Request[Any, Any, Any], name: WidgetName) -> Response[str]:
        """A small full page to frame: the widget, or the sign-in step that exchanges the intranet's token."""
        widget = widget_service.get_widget(engine, name)
        raw_settings = _query(request, skip=EMBED_PARAMETERS)
        widget_service.parse_settings(widget, raw_settings)  # bad settings are a 400 before anything else
        parent = _parent_origin(engine, request.query_params.get("parent"))
        page: dict[str, Any] = {
            "widget": widget,
            "parent_origin": parent or "",
            "language": "en",
            "csrf_token": "",
            "subject": "",
        }
        signed_in = self._cookie_session(engine, request)
        if signed_in is None:
            html = _render(request, "embed_signin.html", page)
        else:
            actor, csrf_token = signed_in
            view = widget_service.build_view(engine, actor, name, raw_settings)
            page["csrf_token"] = csrf_token
            page["subject"] = actor.external_id  # embed.js skips exchanging a token that names this same person
            context = {**_fragment_context(engine, view), **page, "language": view.language}
            html = _render(request, "embed_page.html", context)
        return Response(
            content=html,
            media_type=HTML,
            headers={
                "content-security-policy": embed_page_policy(engine.settings),
                "referrer-policy": "no-referrer",
                "cache-control": "no-store",
            },
        )

    @staticmethod
    def _cookie_session(engine: Engine, request: Request[Any, Any, Any]) -> tuple[Actor, str] | None:
        """The person of a valid session cookie and that session's CSRF token; a framed page trusts nothing else."""
        cookie = request.cookies.get(widget_sessions.SESSION_COOKIE)
        if not cookie:
            return None
        try:
            claims, row = widget_sessions.open_session(engine, cookie)
            actor = authenticate(engine, request)
        except ClarionError:
            return None
        if actor.ambassador_id != claims["aid"]:
            return None  # another provider spoke for someone else: no session page for either
        actor.require(Role.AMBASSADOR, f"GET {request.url.path}")
        return actor, row.csrf_secret

    @get("/embed.js", sync_to_thread=False, opt={"role": PUBLIC})
    def embed_script(self) -> Response[bytes]:
        """The loader defining ``<clarion-widget>``; also drives the framed pages."""
        return Response(
            content=EMBED_SCRIPT.read_bytes(),
            media_type="text/javascript",
            headers={"cache-control": "public, max-age=300"},
        )

    @get("/embed-origin", sync_to_thread=False, opt={"role": PUBLIC})
    def embed_origin(self, engine: EngineDep, request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        """Whether the asking page's origin may embed Clarion: one clear sentence instead of "Failed to fetch".

        Any page may ask (``Access-Control-Allow-Origin: *``, no credentials); it learns only about itself.
        """
        origin = (request.headers.get("origin") or "").lower()
        allowed = not origin or origin in engine.settings.embed_origins or origin == origin_of(engine.settings.base_url)
        detail = ""
        if not allowed:
            reported: set[str] = request.app.state.setdefault("reported_embed_origins", set())
            if origin not in reported and len(reported) < MAX_REPORTED_ORIGINS:
                reported.add(origin)
                logger.warning("a page on %s tries to embed Clarion; add it to embed_origins to allow it", origin)
            language = language_of(request.headers.get("accept-language", "").split(",")[0])
            detail = translations(language).gettext(
                "Clarion cannot be shown on this page: add %(origin)s to the embed_origins setting."
            ) % {"origin": origin}
        return Response(
            content={"origin": origin or None, "allowed": allowed, "setting": "embed_origins", "detail": detail},
            headers={"access-control-allow-origin": "*", "cache-control": "no-store"},
        )


class SessionController(ClarionController):
    path = "/api/v1/sessions"
    tags = ["sessions"]

    @post(
        "/",
        sync_to_thread=True,
        # The token in the body is the credential; a stale cookie must not block a fresh sign-in.
        opt={"role": PUBLIC, "csrf": False},
        status_code=201,
        summary="Exchange an intranet token for a widget session",
        description=(
            "The intranet backend mints a signed token with a unique `jti`, valid at most 5 minutes; each "
            "token is accepted once. The answer holds a session token for `Authorization: Bearer` and sets "
            "the `clarion_session` cookie (HttpOnly; partitioned and `SameSite=None` when cross-site)."
        ),
        responses=problems(401, 403, 415, 429),
    )
    def create_session(
        self, engine: EngineDep, request: Request[Any, Any, Any], data: JSONBody[SessionCreate]
    ) -> Response[SessionOut]:
        address = client_address_of(engine, request)
        throttle.check(engine, Door.SIGNIN, address)
        try:
            with engine.transaction() as session:
                created = widget_sessions.exchange(
                    engine, session, data.token, user_agent=request.headers.get("user-agent")
                )
        except CredentialRefused:  # a guess; a reused or expired token is not counted
            throttle.failed(engine, Door.SIGNIN, address)
            raise
        body = SessionOut(
            session_token=created.token,
            csrf_token=created.csrf_token,
            expires_at=created.expires_at,
            ambassador_id=created.actor.ambassador_id,
        )
        cookie = session_cookie_header(engine.settings, created.token, engine.settings.widget_session_seconds)
        return Response(content=body, status_code=201, headers={"set-cookie": cookie, "cache-control": "no-store"})
