"""``/admin``: sign-in, sign-out and the home page of the editor and admin UI.

The sections (content, review, campaigns, ambassadors, the programme ...) are admin pages that
plugins register through ``clarion_admin_pages_register`` — the core's own from the essential
``core-admin`` plugin (:mod:`clarion.web.admin.core_admin`) — built with :mod:`clarion.web.admin.kit`.

Sign-in reuses the widgets' session: a single-use intranet token is exchanged for the
``clarion_session`` cookie (or the intranet's trusted proxy vouches for every request); sign-out
ends the session on the server, and "sign out everywhere" ends all of the person's. Forms are
plain HTML posts; each carries the session's CSRF token, and the Origin check of
:func:`clarion.web.embed.security.origin_guard` applies as everywhere.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import TooManyRequestsException
from litestar.response import Redirect

from clarion import __version__
from clarion.ambassadors import throttle, widget_sessions
from clarion.ambassadors.throttle import Door
from clarion.content import campaigns as campaign_service
from clarion.content import content as content_service
from clarion.engine import Engine
from clarion.errors import ClarionError, CredentialRefused, ValidationFailed
from clarion.i18n import Message, available_languages, language_of
from clarion.metrics import figures
from clarion.metrics.figures import Interval, Period, Scope
from clarion.models import ContentStatus, Role, SessionKind
from clarion.pagination import PageRequest
from clarion.web.admin import kit
from clarion.web.admin.kit import EDITOR, EDITOR_FORM, Form
from clarion.web.auth import PUBLIC, ActorDep, ClarionController, EngineDep, client_address_of
from clarion.web.embed.security import session_cookie_header
from clarion.web.problems import status_for
from clarion.web.sections import page_sections

HOME_SUMMARY_DAYS = 30  # the figures summary on the admin home
SIGNIN_FORM = {"role": PUBLIC, "csrf": False}


class AdminController(ClarionController):
    path = "/admin"
    include_in_schema = False
    exception_handlers = kit.ERROR_HANDLERS  # type: ignore[assignment]

    # ---- sign-in -------------------------------------------------------------------------------------------------

    @get("/signin", sync_to_thread=True, opt={"role": PUBLIC})
    def signin_page(self, engine: EngineDep, request: Request[Any, Any, Any]) -> Response[str]:
        return self._signin(engine, request)

    def _signin(
        self, engine: Engine, request: Request[Any, Any, Any], error: str = "", status: int = 200
    ) -> Response[str]:
        language = language_of(request.headers.get("accept-language", "").split(",")[0])
        context = {
            "language": language,
            "version": __version__,
            "error": error,
            "sections": page_sections(engine, "admin-signin", request, language),
        }
        return kit.render(request, "admin/signin.html", context, status)

    @post("/signin", sync_to_thread=True, opt=SIGNIN_FORM, status_code=303)
    def signin(self, engine: EngineDep, request: Request[Any, Any, Any], data: Form) -> Response[Any]:
        """The single-use token in the form is the credential, as for ``POST /api/v1/sessions``."""
        token = str(kit.flat(data).get("token") or "").strip()
        if not token:
            return self._signin(engine, request, "paste the sign-in token your intranet gave you", 422)
        address = client_address_of(engine, request)
        try:
            throttle.check(engine, Door.SIGNIN, address)
        except TooManyRequestsException as exc:
            response = self._signin(engine, request, exc.detail, 429)
            response.headers.update(exc.headers or {})
            return response
        try:
            created = kit.transact(engine, lambda session: self._admin_session(engine, session, request, token))
        except ClarionError as exc:
            if isinstance(exc, CredentialRefused):  # a guess; a reused or expired token is not counted
                throttle.failed(engine, Door.SIGNIN, address)
            return self._signin(engine, request, exc.detail, status_for(exc))
        cookie = session_cookie_header(engine.settings, created.token, engine.settings.widget_session_seconds)
        return Redirect(path="/admin", status_code=303, headers={"set-cookie": cookie})

    @staticmethod
    def _admin_session(
        engine: Engine, session: Any, request: Request[Any, Any, Any], token: str
    ) -> widget_sessions.WidgetSession:
        created = widget_sessions.exchange(
            engine, session, token, kind=SessionKind.ADMIN, user_agent=request.headers.get("user-agent")
        )
        created.actor.require(Role.EDITOR, "the editor UI")  # raising rolls the session row back
        return created

    @post("/signout", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def signout(self, engine: EngineDep, actor: ActorDep, data: Form) -> Response[Any]:
        """End this session on the server (``everywhere=1``: every session of the person) and drop the cookie."""
        form = kit.checked_form(engine, actor, data)
        everywhere = form.get("everywhere") == "1"
        if everywhere or actor.session_id is not None:
            with engine.transaction() as session:
                ended = widget_sessions.end_sessions(
                    session, actor.ambassador_id, session_id=None if everywhere else actor.session_id
                )
                if everywhere:
                    kit.audit(
                        session,
                        actor,
                        "sessions.ended",
                        subject=f"ambassador:{actor.ambassador_id}",
                        payload={"sessions": ended},
                    )
        cookie = session_cookie_header(engine.settings, "", 0)
        return Redirect(path="/admin/signin", status_code=303, headers={"set-cookie": cookie})

    @post("/language", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def choose_language(self, engine: EngineDep, actor: ActorDep, data: Form) -> Response[Any]:
        """The admin's language switch: a cookie for this browser, the person's locale (widgets) untouched."""
        form = kit.checked_form(engine, actor, data)
        language = str(form.get("language") or "")
        if language not in available_languages():
            raise ValidationFailed(Message("choose one of the languages offered"), field="language")
        back = str(form.get("next") or "/admin")
        if not back.startswith("/admin") or back.startswith("//"):
            back = "/admin"  # never a redirect off the admin
        cookie = f"{kit.LANGUAGE_COOKIE}={language}; Path=/admin; Max-Age=31536000; SameSite=Lax; HttpOnly"
        return Redirect(path=back, status_code=303, headers={"set-cookie": cookie})

    # ---- dashboard -----------------------------------------------------------------------------------------------

    @get("/", sync_to_thread=True, opt=EDITOR)
    def dashboard(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            one = PageRequest(1)
            counts = {
                status.value: content_service.list_content(session, actor, one, status=status).total
                for status in (ContentStatus.SUBMITTED, ContentStatus.APPROVED, ContentStatus.DRAFT)
            }
            campaigns = campaign_service.list_campaigns(session, one).total
            today = engine.clock.now().date()
            period = Period(today - timedelta(days=HOME_SUMMARY_DAYS - 1), today)
            summary = figures.report(engine, session, Scope(), period, Interval.MONTH)
        return kit.page(
            request,
            viewer,
            "admin/dashboard.html",
            counts=counts,
            campaign_count=campaigns,
            summary={figure.key: figure for figure in summary.figures},
            summary_period=period,
        )
