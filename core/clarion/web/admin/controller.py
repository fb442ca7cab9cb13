"""``/admin``: the editor and admin UI. Every page calls the services the JSON API calls.

Sign-in reuses the widgets' session: a single-use intranet token is exchanged for the
``clarion_session`` cookie (or the intranet's trusted proxy vouches for every request). Forms
are plain HTML posts; each carries a CSRF token bound to the signed-in person, and the
Origin check of :func:`clarion.web.embed.security.origin_guard` applies as everywhere.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import FromQuery, MultipartBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect
from litestar.template import TemplateEngineProtocol
from sqlmodel import Session, select

from clarion import __version__
from clarion.engine import Engine
from clarion.errors import ClarionError, NotAuthenticated, ValidationFailed
from clarion.i18n import language_of
from clarion.models import (
    AdvocacyLevel,
    Ambassador,
    Campaign,
    ContentOrigin,
    ContentStatus,
    EditPolicy,
    Role,
)
from clarion.services import ambassadors as ambassador_service
from clarion.services import campaigns as campaign_service
from clarion.services import content as content_service
from clarion.services import figures, widget_sessions
from clarion.services import guidelines as guidelines_service
from clarion.services.actors import Actor
from clarion.services.content_lifecycle import ContentAction
from clarion.services.figures import Interval, Period, Scope
from clarion.services.pagination import PageRequest
from clarion.tokens import EXCHANGE_MAX_TTL_SECONDS, mint_token
from clarion.web.admin import forms
from clarion.web.auth import PUBLIC, ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath
from clarion.web.embed.security import session_cookie_header
from clarion.web.problems import status_for

T = TypeVar("T")
HTML = "text/html"
PAGE_SIZE = 25
HOME_SUMMARY_DAYS = 30  # the figures summary on the admin home
# Admin forms carry their CSRF token as a form field (checked in each handler), not as a header.
EDITOR = {"role": Role.EDITOR.value}
EDITOR_FORM = {"role": Role.EDITOR.value, "csrf": False}
ADMIN = {"role": Role.ADMIN.value}
ADMIN_FORM = {"role": Role.ADMIN.value, "csrf": False}
SIGNIN_FORM = {"role": PUBLIC, "csrf": False}
Form = URLEncodedBody[dict[str, Any]]
MultipartForm = MultipartBody[dict[str, Any]]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
OptionalText = Annotated[str | None, QueryParameter(max_length=200)]
# Lifecycle actions offered on a content page, in the order shown.
REVIEW_ACTIONS = (ContentAction.APPROVE, ContentAction.REQUEST_CHANGES, ContentAction.REJECT)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as a page shows them."""

    actor: Actor
    name: str
    language: str
    csrf_token: str


def _template(
    request: Request[Any, Any, Any], name: str, context: Mapping[str, Any], status: int = 200
) -> Response[str]:
    engine: TemplateEngineProtocol[Any, Any] = request.app.template_engine  # type: ignore[assignment]
    html = engine.get_template(name).render(**context)
    return Response(content=html, status_code=status, media_type=HTML, headers={"cache-control": "no-store"})


def _viewer(engine: Engine, session: Session, actor: Actor) -> Viewer:
    person = session.get(Ambassador, actor.ambassador_id)
    assert person is not None
    return Viewer(
        actor=actor,
        name=person.name,
        language=language_of(person.locale),
        csrf_token=forms.admin_csrf_token(engine.settings.secret_key, actor.external_id),
    )


def _page(
    request: Request[Any, Any, Any], viewer: Viewer, name: str, status: int = 200, **context: Any
) -> Response[str]:
    base = {
        "viewer": viewer,
        "language": viewer.language,
        "csrf_token": viewer.csrf_token,
        "version": __version__,
        "is_admin": viewer.actor.is_admin,
        "path": request.url.path,
        "query": request.query_params,
        "plugins": _loaded_plugins(request),
    }
    return _template(request, name, {**base, **context}, status)


def _loaded_plugins(request: Request[Any, Any, Any]) -> frozenset[str]:
    """The names of the plugins loaded (not blocked): the menu links a plugin's pages only when it is."""
    engine: Engine = request.app.state.engine
    return frozenset(name for name, plugin in engine.pm.list_name_plugin() if plugin is not None)


def _flat(data: Mapping[str, Any]) -> dict[str, Any]:
    """A form as name → value; a field sent twice keeps its last value."""
    return {key: value[-1] if isinstance(value, list) and value else value for key, value in data.items()}


def _checked_form(engine: Engine, actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    form = _flat(data)
    if not forms.check_admin_csrf(engine.settings.secret_key, actor.external_id, form.get(forms.CSRF_FIELD)):
        raise ClarionCsrfError("this form expired or did not come from Clarion; reload the page and try again")
    return form


class ClarionCsrfError(ClarionError):
    """A form without the signed-in person's CSRF token."""


def _error_page(request: Request[Any, Any, Any], status: int, detail: str) -> Response[str]:
    language = language_of(request.headers.get("accept-language", "").split(",")[0])
    context = {"status": status, "detail": detail, "language": language, "version": __version__}
    return _template(request, "admin/error.html", context, status)


def _on_clarion_error(request: Request[Any, Any, Any], error: ClarionError) -> Response[Any]:
    if isinstance(error, NotAuthenticated) and request.method == "GET":
        return Redirect(path="/admin/signin", status_code=303)
    status = 403 if isinstance(error, ClarionCsrfError) else status_for(error)
    return _error_page(request, status, error.detail)


def _on_bad_request(request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    return _error_page(request, 400, "this address or form is malformed; go back and try again")


def _on_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    return _error_page(request, error.status_code, str(error.detail))


def _signin_people(engine: Engine) -> list[dict[str, str]]:
    """In demo mode, a fresh single-use token per demo editor and admin, so the sign-in page offers them."""
    if not engine.settings.demo:
        return []
    people = []
    with engine.transaction() as session:
        for role in (Role.ADMIN, Role.EDITOR):
            person = session.exec(
                select(Ambassador).where(Ambassador.role == role).order_by(Ambassador.id)  # type: ignore[arg-type]
            ).first()
            if person is not None:
                token = mint_token(
                    engine.settings.secret_key,
                    person.external_id,
                    ttl_seconds=EXCHANGE_MAX_TTL_SECONDS,
                    jti=secrets.token_urlsafe(16),
                )
                people.append({"role": role.value, "name": person.name, "token": token})
    return people


def _transact(engine: Engine, work: Callable[[Session], T]) -> T:
    with engine.transaction() as session:
        return work(session)


class AdminController(ClarionController):
    path = "/admin"
    include_in_schema = False
    exception_handlers = {
        ClarionError: _on_clarion_error,
        ValidationException: _on_bad_request,
        HTTPException: _on_http_error,
    }

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
            "demo_people": _signin_people(engine),
            "oidc_enabled": engine.settings.oidc_issuer is not None,
        }
        return _template(request, "admin/signin.html", context, status)

    @post("/signin", sync_to_thread=True, opt=SIGNIN_FORM, status_code=303)
    def signin(self, engine: EngineDep, request: Request[Any, Any, Any], data: Form) -> Response[Any]:
        """The single-use token in the form is the credential, as for ``POST /api/v1/sessions``."""
        token = str(_flat(data).get("token") or "").strip()
        if not token:
            return self._signin(engine, request, "paste the sign-in token your intranet gave you", 422)
        try:
            created = _transact(engine, lambda session: widget_sessions.exchange(engine, session, token))
            created.actor.require(Role.EDITOR, "the editor UI")
        except ClarionError as exc:
            return self._signin(engine, request, exc.detail, status_for(exc))
        cookie = session_cookie_header(engine.settings, created.token, engine.settings.widget_session_seconds)
        return Redirect(path="/admin", status_code=303, headers={"set-cookie": cookie})

    @post("/signout", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def signout(self, engine: EngineDep, actor: ActorDep, data: Form) -> Response[Any]:
        _checked_form(engine, actor, data)
        cookie = session_cookie_header(engine.settings, "", 0)
        return Redirect(path="/admin/signin", status_code=303, headers={"set-cookie": cookie})

    # ---- dashboard -----------------------------------------------------------------------------------------------

    @get("/", sync_to_thread=True, opt=EDITOR)
    def dashboard(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            one = PageRequest(1)
            counts = {
                status.value: content_service.list_content(session, actor, one, status=status).total
                for status in (ContentStatus.SUBMITTED, ContentStatus.APPROVED, ContentStatus.DRAFT)
            }
            campaigns = campaign_service.list_campaigns(session, one).total
            today = engine.clock.now().date()
            period = Period(today - timedelta(days=HOME_SUMMARY_DAYS - 1), today)
            summary = figures.report(engine, session, Scope(), period, Interval.MONTH)
        return _page(
            request,
            viewer,
            "admin/dashboard.html",
            counts=counts,
            campaign_count=campaigns,
            summary={figure.key: figure for figure in summary.figures},
            summary_period=period,
        )

    # ---- content -------------------------------------------------------------------------------------------------

    @get("/content", sync_to_thread=True, opt=EDITOR)
    def content_list(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        status: FromQuery[ContentStatus | None] = None,
        origin: FromQuery[ContentOrigin | None] = None,
        campaign: Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)] = None,
        topic: OptionalText = None,
        offset: Offset = 0,
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            page = content_service.list_content(
                session,
                actor,
                PageRequest(PAGE_SIZE, offset),
                status=status,
                origin=origin,
                campaign_id=campaign,
                topic=topic or None,
            )
            campaigns = self._campaigns(session)
        filters = {"status": status, "origin": origin, "campaign": campaign, "topic": topic or ""}
        return _page(
            request,
            viewer,
            "admin/content_list.html",
            page=page,
            campaigns=campaigns,
            filters=filters,
            statuses=list(ContentStatus),
            origins=list(ContentOrigin),
        )

    @staticmethod
    def _campaigns(session: Session) -> dict[int, Campaign]:
        return {campaign.id: campaign for campaign in session.exec(select(Campaign).order_by(Campaign.name)).all()}  # type: ignore[misc]

    def _content_form(
        self,
        engine: Engine,
        request: Request[Any, Any, Any],
        viewer: Viewer,
        session: Session,
        *,
        details: content_service.ContentDetails | None,
        values: Mapping[str, Any],
        error: ClarionError | None = None,
    ) -> Response[str]:
        status = 200 if error is None else status_for(error)
        return _page(
            request,
            viewer,
            "admin/content_form.html",
            status,
            details=details,
            values=values,
            error=error,
            networks=[(network, connector.label) for network, connector in engine.connectors().items()],
            campaigns=self._campaigns(session),
            edit_policies=list(EditPolicy),
            origins=list(ContentOrigin),
            review_actions=[action.value for action in REVIEW_ACTIONS],
        )

    @staticmethod
    def _values_of(details: content_service.ContentDetails) -> dict[str, Any]:
        content = details.content
        texts: dict[str, list[str]] = {}
        for suggestion in details.share_texts:
            texts.setdefault(suggestion.network, []).append(suggestion.text)
        return {
            "title": content.title,
            "url": content.url,
            "summary": content.summary,
            "body": content.body,
            "image_url": content.image_url or "",
            "language": content.language,
            "campaign_id": str(content.campaign_id or ""),
            "publish_at": content.publish_at.strftime("%Y-%m-%dT%H:%M") if content.publish_at else "",
            "expires_at": content.expires_at.strftime("%Y-%m-%dT%H:%M") if content.expires_at else "",
            "featured": "on" if content.featured else "",
            "edit_policy": content.edit_policy.value,
            "origin": content.origin.value,
            "topics": ", ".join(details.topics),
            **{key: ", ".join(values) for key, values in details.audience.items()},
            **{f"text_{network}": f"\n{forms.TEXT_SEPARATOR}\n".join(items) for network, items in texts.items()},
        }

    @get("/content/new", sync_to_thread=True, opt=EDITOR)
    def content_new(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            defaults = {
                "edit_policy": EditPolicy.SUGGESTED.value,
                "origin": ContentOrigin.OFFICIAL.value,
                "language": "en",
            }
            return self._content_form(engine, request, viewer, session, details=None, values=defaults)

    @post("/content/new", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def content_create(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: Form
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                fields = forms.content_fields(form, engine.connectors())
                created = content_service.create_content(engine, session, actor, fields)
                content_id = created.content.id
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = _viewer(engine, session, actor)
                return self._content_form(engine, request, viewer, session, details=None, values=form, error=exc)
        return Redirect(path=f"/admin/content/{content_id}?saved=1", status_code=303)

    @get("/content/{content_id:int}", sync_to_thread=True, opt=EDITOR)
    def content_edit(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        content_id: IdPath,
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            details = content_service.get_content(session, actor, content_id)
            response = self._content_form(
                engine, request, viewer, session, details=details, values=self._values_of(details)
            )
        return response

    @post("/content/{content_id:int}", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def content_update(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], content_id: IdPath, data: Form
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                fields = forms.content_fields(form, engine.connectors())
                fields.pop("origin")  # origin is chosen once, at creation
                content_service.update_content(engine, session, actor, content_id, fields)
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = _viewer(engine, session, actor)
                details = content_service.get_content(session, actor, content_id)
                return self._content_form(engine, request, viewer, session, details=details, values=form, error=exc)
        return Redirect(path=f"/admin/content/{content_id}?saved=1", status_code=303)

    @post("/content/{content_id:int}/transition", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def content_transition(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], content_id: IdPath, data: Form
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        back = "/admin/review" if form.get("back") == "review" else f"/admin/content/{content_id}"
        try:
            action = forms.choice(form, "action", ContentAction)
            note = forms.optional_text(form, "note", max_length=2000)
            with engine.transaction() as session:
                content_service.transition_content(session, actor, content_id, action, note)
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = _viewer(engine, session, actor)
                if back == "/admin/review":
                    return self._review(engine, request, viewer, session, error=exc, failed_id=content_id)
                details = content_service.get_content(session, actor, content_id)
                return self._content_form(
                    engine, request, viewer, session, details=details, values=self._values_of(details), error=exc
                )
        return Redirect(path=f"{back}?done={form.get('action', '')}", status_code=303)

    # ---- review queue --------------------------------------------------------------------------------------------

    @get("/review", sync_to_thread=True, opt=EDITOR)
    def review(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            return self._review(engine, request, viewer, session)

    def _review(
        self,
        engine: Engine,
        request: Request[Any, Any, Any],
        viewer: Viewer,
        session: Session,
        error: ClarionError | None = None,
        failed_id: int | None = None,
    ) -> Response[str]:
        page = content_service.list_content(
            session, viewer.actor, PageRequest(engine.settings.max_page_size), status=ContentStatus.SUBMITTED
        )
        authors = {
            person.id: person
            for person in session.exec(
                select(Ambassador).where(
                    Ambassador.id.in_([item.content.author_id for item in page.items if item.content.author_id])  # type: ignore[union-attr]
                )
            ).all()
        }
        return _page(
            request,
            viewer,
            "admin/review.html",
            200 if error is None else status_for(error),
            page=page,
            authors=authors,
            error=error,
            failed_id=failed_id,
        )

    # ---- campaigns -----------------------------------------------------------------------------------------------

    @get("/campaigns", sync_to_thread=True, opt=EDITOR)
    def campaign_list(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], offset: Offset = 0
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            page = campaign_service.list_campaigns(session, PageRequest(PAGE_SIZE, offset))
        return _page(request, viewer, "admin/campaign_list.html", page=page)

    def _campaign_form(
        self,
        request: Request[Any, Any, Any],
        viewer: Viewer,
        *,
        campaign_id: int | None,
        values: Mapping[str, Any],
        error: ClarionError | None = None,
    ) -> Response[str]:
        status = 200 if error is None else status_for(error)
        return _page(
            request, viewer, "admin/campaign_form.html", status, campaign_id=campaign_id, values=values, error=error
        )

    @get("/campaigns/new", sync_to_thread=True, opt=EDITOR)
    def campaign_new(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        viewer = _transact(engine, lambda session: _viewer(engine, session, actor))
        return self._campaign_form(request, viewer, campaign_id=None, values={})

    @post("/campaigns/new", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def campaign_create(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: Form
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                campaign = campaign_service.create_campaign(session, actor, forms.campaign_fields(form))
                campaign_id = campaign.id
        except ClarionError as exc:
            viewer = _transact(engine, lambda session: _viewer(engine, session, actor))
            return self._campaign_form(request, viewer, campaign_id=None, values=form, error=exc)
        return Redirect(path=f"/admin/campaigns/{campaign_id}?saved=1", status_code=303)

    @get("/campaigns/{campaign_id:int}", sync_to_thread=True, opt=EDITOR)
    def campaign_edit(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], campaign_id: IdPath
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            campaign = campaign_service.get_campaign(session, campaign_id)
            values = {
                "name": campaign.name,
                "slug": campaign.slug,
                "description": campaign.description,
                "goal_shares": campaign.goal_shares if campaign.goal_shares is not None else "",
                "goal_clicks": campaign.goal_clicks if campaign.goal_clicks is not None else "",
                "goal_reach": campaign.goal_reach if campaign.goal_reach is not None else "",
                "goal_participation": campaign.goal_participation if campaign.goal_participation is not None else "",
                "starts_at": campaign.starts_at.strftime("%Y-%m-%dT%H:%M") if campaign.starts_at else "",
                "ends_at": campaign.ends_at.strftime("%Y-%m-%dT%H:%M") if campaign.ends_at else "",
                "hashtags": ", ".join(campaign.hashtags),
            }
        return self._campaign_form(request, viewer, campaign_id=campaign_id, values=values)

    @post("/campaigns/{campaign_id:int}", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def campaign_update(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], campaign_id: IdPath, data: Form
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                campaign_service.update_campaign(session, actor, campaign_id, forms.campaign_fields(form))
        except ClarionError as exc:
            viewer = _transact(engine, lambda session: _viewer(engine, session, actor))
            return self._campaign_form(request, viewer, campaign_id=campaign_id, values=form, error=exc)
        return Redirect(path=f"/admin/campaigns/{campaign_id}?saved=1", status_code=303)

    # ---- ambassadors (admins only) -------------------------------------------------------------------------------

    @get("/ambassadors", sync_to_thread=True, opt=ADMIN)
    def ambassador_list(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        search: OptionalText = None,
        role: FromQuery[Role | None] = None,
        offset: Offset = 0,
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            page = ambassador_service.list_ambassadors(
                session, actor, PageRequest(PAGE_SIZE, offset), role=role, search=search or None
            )
        return _page(
            request,
            viewer,
            "admin/ambassador_list.html",
            page=page,
            filters={"search": search or "", "role": role},
            roles=list(Role),
        )

    def _ambassador_form(
        self,
        request: Request[Any, Any, Any],
        viewer: Viewer,
        *,
        person: Ambassador,
        values: Mapping[str, Any],
        error: ClarionError | None = None,
    ) -> Response[str]:
        return _page(
            request,
            viewer,
            "admin/ambassador_form.html",
            200 if error is None else status_for(error),
            person=person,
            values=values,
            error=error,
            roles=list(Role),
            levels=list(AdvocacyLevel),
        )

    @get("/ambassadors/{ambassador_id:int}", sync_to_thread=True, opt=ADMIN)
    def ambassador_edit(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], ambassador_id: IdPath
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            person = ambassador_service.get_ambassador(session, actor, ambassador_id)
            values = {name: getattr(person, name) or "" for name in ("name", "email", "department", "team", "locale")}
            values |= {"role": person.role.value, "advocacy_level": person.advocacy_level.value}
            return self._ambassador_form(request, viewer, person=person, values=values)

    @post("/ambassadors/{ambassador_id:int}", sync_to_thread=True, opt=ADMIN_FORM, status_code=303)
    def ambassador_update(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], ambassador_id: IdPath, data: Form
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                ambassador_service.update_ambassador(session, actor, ambassador_id, forms.ambassador_fields(form))
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = _viewer(engine, session, actor)
                person = ambassador_service.get_ambassador(session, actor, ambassador_id)
                return self._ambassador_form(request, viewer, person=person, values=form, error=exc)
        return Redirect(path=f"/admin/ambassadors/{ambassador_id}?saved=1", status_code=303)

    @get("/ambassadors/import", sync_to_thread=True, opt=ADMIN)
    def import_page(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        viewer = _transact(engine, lambda session: _viewer(engine, session, actor))
        return _page(request, viewer, "admin/import.html", errors=[], columns=forms.IMPORT_COLUMNS, values={})

    @post("/ambassadors/import", sync_to_thread=True, opt=ADMIN_FORM, status_code=303)
    def import_people(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: MultipartForm
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        upload = form.get("file")
        raw = ""
        errors: list[str] = []
        if isinstance(upload, UploadFile) and upload.filename:
            payload = upload.file.read(5_000_001)
            if len(payload) > 5_000_000:
                errors.append("the file is larger than 5 MB; split it")
            else:
                try:
                    raw = payload.decode("utf-8")
                except UnicodeDecodeError:
                    errors.append("the file is not UTF-8 text; save it as CSV (UTF-8)")
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
            viewer = _transact(engine, lambda session: _viewer(engine, session, actor))
            values = {"csv_text": "" if isinstance(upload, UploadFile) else raw}
            return _page(
                request,
                viewer,
                "admin/import.html",
                422,
                errors=plan.errors,
                columns=forms.IMPORT_COLUMNS,
                values=values,
            )
        return Redirect(path=f"/admin/ambassadors?imported={created}", status_code=303)

    # ---- social media guidelines (admins only) -------------------------------------------------------------------

    def _guidelines_page(
        self,
        engine: Engine,
        request: Request[Any, Any, Any],
        actor: Actor,
        values: Mapping[str, Any] | None = None,
        error: ClarionError | None = None,
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = _viewer(engine, session, actor)
            in_force = guidelines_service.current(engine, session)
            taking_part, versions = guidelines_service.acceptance(engine, session)
            latest = guidelines_service.latest_body(session)
        return _page(
            request,
            viewer,
            "admin/guidelines.html",
            200 if error is None else status_for(error),
            in_force=in_force,
            taking_part=taking_part,
            versions=versions,
            values=values if values is not None else {"body": latest or ""},
            error=error,
        )

    @get("/guidelines", sync_to_thread=True, opt=ADMIN)
    def guidelines(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        return self._guidelines_page(engine, request, actor)

    @post("/guidelines", sync_to_thread=True, opt=ADMIN_FORM, status_code=303)
    def guidelines_publish(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: Form
    ) -> Response[Any]:
        form = _checked_form(engine, actor, data)
        try:
            if form.get("confirm") != "yes":
                raise ValidationFailed(
                    "confirm that everyone taking part will be asked to accept the new version", field="confirm"
                )
            with engine.transaction() as session:
                guidelines_service.publish(
                    engine, session, actor, str(form.get("version") or ""), str(form.get("body") or "")
                )
        except ClarionError as exc:
            return self._guidelines_page(engine, request, actor, values=form, error=exc)
        return Redirect(path="/admin/guidelines?saved=1", status_code=303)

    # ---- programme settings --------------------------------------------------------------------------------------

    @get("/settings", sync_to_thread=True, opt=ADMIN)
    def programme(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        viewer = _transact(engine, lambda session: _viewer(engine, session, actor))
        settings = engine.settings
        return _page(
            request,
            viewer,
            "admin/settings.html",
            settings=settings,
            plugins=engine.pm.describe(),
            guidelines_version=_transact(engine, lambda session: guidelines_service.current_version(engine, session)),
            networks=list(engine.connectors().values()),
        )
