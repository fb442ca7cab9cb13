"""The admin kit: what every page of ``/admin`` is made of, the core's sections and plugins' alike.

* :func:`page` renders a template inside ``admin/layout.html`` with the signed-in person, their
  language, the CSRF token and the menu their role allows;
* :func:`checked_form` reads a posted form and refuses it without the person's CSRF token;
* :class:`Crud` with :func:`crud_controller` is the list / create / edit view: a checked form goes
  to a service call, then a ``303`` redirect with a flash message (``?saved=1``), or the form is
  shown again with the error, the entered values and a 4xx status;
* :func:`audit` records an admin change in the audit log;
* :func:`admin_router` mounts a plugin's :class:`clarion.contracts.AdminPage` inside the admin
  area (role guard, origin check, the admin's HTML error pages).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Controller, Request, Response, Router, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import MultipartBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect
from litestar.template import TemplateEngineProtocol
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlmodel import Session

from clarion import __version__
from clarion.actors import Actor
from clarion.audit import record
from clarion.contracts import AdminPage
from clarion.engine import Engine
from clarion.errors import ClarionError, NotAuthenticated, PluginError, ValidationFailed
from clarion.i18n import available_languages, language_of, translations
from clarion.models import Ambassador, AuditEntry, AuthSession, Role
from clarion.pagination import PageRequest
from clarion.web.admin import forms
from clarion.web.auth import PUBLIC, ActorDep, EngineDep, origin_guard, role_guard
from clarion.web.common import MAX_ID
from clarion.web.problems import status_for

T = TypeVar("T")
HTML = "text/html"
PAGE_SIZE = 25
# Admin forms carry their CSRF token as a form field (checked by checked_form), not as a header.
EDITOR = {"role": Role.EDITOR.value}
EDITOR_FORM = {"role": Role.EDITOR.value, "csrf": False}
ADMIN = {"role": Role.ADMIN.value}
ADMIN_FORM = {"role": Role.ADMIN.value, "csrf": False}
Form = URLEncodedBody[dict[str, Any]]
MultipartForm = MultipartBody[dict[str, Any]]
Offset = Annotated[int, QueryParameter(ge=0, le=2**31 - 1)]
OptionalText = Annotated[str | None, QueryParameter(max_length=200)]
# The handler option naming the role of the admin page a route belongs to (set by admin_router).
PAGE_ROLE_OPT = "clarion_admin_page_role"
MALFORMED = "this address or form is malformed; go back and try again"
LANGUAGE_COOKIE = "clarion_admin_language"  # set by the admin's language switch (POST /admin/language)


@dataclass(frozen=True)
class Viewer:
    """The signed-in person as a page shows them."""

    actor: Actor
    name: str
    language: str
    csrf_token: str


def viewer_of(engine: Engine, session: Session, actor: Actor) -> Viewer:
    person = session.get(Ambassador, actor.ambassador_id)
    assert person is not None
    return Viewer(
        actor=actor,
        name=person.name,
        language=language_of(person.locale),
        csrf_token=csrf_token_of(engine, session, actor),
    )


def csrf_token_of(engine: Engine, session: Session, actor: Actor) -> str:
    """The form token of the actor's session; without a session (trusted proxy, bearer), one bound to the person."""
    if actor.session_id is not None:
        row = session.get(AuthSession, actor.session_id)
        if row is not None:
            return row.csrf_secret
    return forms.admin_csrf_token(engine.settings.secret_key, actor.external_id)


def render(request: Request[Any, Any, Any], name: str, context: Mapping[str, Any], status: int = 200) -> Response[str]:
    """A template as an HTML response nobody caches."""
    engine: TemplateEngineProtocol[Any, Any] = request.app.template_engine  # type: ignore[assignment]
    html = engine.get_template(name).render(**context)
    return Response(content=html, status_code=status, media_type=HTML, headers={"cache-control": "no-store"})


# -- the menu ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MenuEntry:
    path: str
    label: str
    role: Role
    labels: Mapping[str, str]

    def label_in(self, language: str) -> str:
        return self.labels.get(language) or translations(language).gettext(self.label)


def _menu_entries(engine: Engine) -> tuple[MenuEntry, ...]:
    return tuple(
        MenuEntry(page.path, page.label, Role(page.role), dict(page.labels)) for _, page in engine.admin_pages()
    )


def menu(engine: Engine, viewer: Viewer) -> list[tuple[str, str]]:
    """``(path, label)`` of every admin page the viewer's role may see, in menu order, in their language."""
    entries: tuple[MenuEntry, ...] = engine.resource("admin-menu", _menu_entries)
    return [
        (entry.path, entry.label_in(viewer.language)) for entry in entries if viewer.actor.role.at_least(entry.role)
    ]


def page(
    request: Request[Any, Any, Any], viewer: Viewer, name: str, status: int = 200, **context: Any
) -> Response[str]:
    """Template ``name`` inside the admin layout, for ``viewer``; ``context`` is added to what every page gets."""
    engine: Engine = request.app.state.engine
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in available_languages():
        viewer = replace(viewer, language=chosen)  # the language switch beats the person's locale, here only
    base = {
        "viewer": viewer,
        "languages": available_languages(),
        "language": viewer.language,
        "csrf_token": viewer.csrf_token,
        "version": __version__,
        "is_admin": viewer.actor.is_admin,
        "admin_menu": menu(engine, viewer),
        "path": request.url.path,
        "query": request.query_params,
        "plugins": loaded_plugins(engine),
    }
    return render(request, name, {**base, **context}, status)


def loaded_plugins(engine: Engine) -> frozenset[str]:
    """The names of the plugins loaded (not blocked), for pages that link a plugin's pages only when it is."""
    return frozenset(name for name, plugin in engine.pm.list_name_plugin() if plugin is not None)


# -- forms, errors, redirects --------------------------------------------------------------------------------------------


def flat(data: Mapping[str, Any]) -> dict[str, Any]:
    """A form as name → value; a field sent twice keeps its last value."""
    return {key: value[-1] if isinstance(value, list) and value else value for key, value in data.items()}


class CsrfError(ClarionError):
    """A form without the signed-in person's CSRF token."""


def checked_form(engine: Engine, actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    """The posted form as name → value, once its CSRF token is the signed-in person's.

    Raises:
        CsrfError: the token is missing or someone else's (the page answers 403).
    """
    form = flat(data)
    if any("\ufffd" in value for value in form.values() if isinstance(value, str)):
        # The form parser replaces bytes that are not UTF-8; store nothing rather than mojibake.
        raise ValidationFailed("the form is not valid UTF-8 text; nothing was saved")
    with engine.transaction() as session:
        expected = csrf_token_of(engine, session, actor)
    presented = str(form.get(forms.CSRF_FIELD) or "")
    if not presented or not hmac.compare_digest(expected.encode(), presented.encode()):
        raise CsrfError("this form expired or did not come from Clarion; reload the page and try again")
    return form


def redirect(path: str, **flash: str) -> Redirect:
    """``303`` to ``path``; ``flash`` goes into the query (``saved="1"`` shows "Saved.")."""
    return Redirect(path=f"{path}?{urlencode(flash)}" if flash else path, status_code=303)


def transact(engine: Engine, work: Callable[[Session], T]) -> T:
    with engine.transaction() as session:
        return work(session)


def audit(
    session: Session, actor: Actor, action: str, *, subject: str, payload: Mapping[str, Any] | None = None
) -> AuditEntry:
    """Record ``action`` (``kudos.updated``) on ``subject`` (``kudos:12``) by :func:`clarion.audit.record`.

    Call it in the change's own transaction; ``payload`` (JSON values) is stored as the entry's ``after``.
    """
    subject_type, _, subject_id = subject.partition(":")
    return record(session, actor, action, subject_id, subject_type=subject_type, after=dict(payload or {}))


def admin_language(request: Request[Any, Any, Any]) -> str:
    """The language switch's choice, else the browser's first language (pages with a viewer use their locale)."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return (
        chosen
        if chosen in available_languages()
        else language_of(request.headers.get("accept-language", "").split(",")[0])
    )


def error_page(request: Request[Any, Any, Any], status: int, detail: str) -> Response[str]:
    language = admin_language(request)
    context = {"status": status, "detail": detail, "language": language, "version": __version__}
    return render(request, "admin/error.html", context, status)


def on_clarion_error(request: Request[Any, Any, Any], error: ClarionError) -> Response[Any]:
    if isinstance(error, NotAuthenticated) and request.method == "GET":
        return Redirect(path="/admin/signin", status_code=303)
    status = 403 if isinstance(error, CsrfError) else status_for(error)
    catalog = translations(admin_language(request))
    return error_page(request, status, " ".join(message.translate(catalog) for message in error.messages))


def on_bad_request(request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    return error_page(request, 400, MALFORMED)


def on_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    return error_page(request, error.status_code, str(error.detail))


ERROR_HANDLERS: dict[type[Exception], Callable[..., Response[Any]]] = {
    ClarionError: on_clarion_error,
    ValidationException: on_bad_request,
    HTTPException: on_http_error,
}


class AdminPageController(Controller):
    """Base of admin page controllers: HTML error pages, no OpenAPI entry.

    Mounted through :func:`admin_router`, which adds the role guard and the origin check.
    """

    include_in_schema = False
    exception_handlers = ERROR_HANDLERS  # type: ignore[assignment]


# -- the list / create / edit view -------------------------------------------------------------------------------------


def _no_context(engine: Engine, session: Session, actor: Actor, item_id: int | None, item: Any) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class Crud:
    """A list, create and edit view over services; :func:`crud_controller` turns it into routes.

    Routes (``{id}`` is named ``id_name``): ``GET path/`` (the list, when ``list_template`` is
    set), ``GET``/``POST path/new`` (when ``create`` is set), ``GET``/``POST path/{id}`` (when
    ``update`` is set). A post checks the CSRF token, parses the form with ``parse``, calls the
    service in one transaction and redirects to ``path/{id}?saved=1``; a ``ClarionError`` (from
    ``parse`` or the service) shows the form again with ``error``, the entered ``values`` and the
    status of the problem table (4xx).

    Attributes:
        path: Where the view lives (``/admin/kudos``).
        id_name: The name of the item's id in the path (``kudos_id``).
        form_template: Renders the form with ``values`` (name → text), ``error`` and what
            ``form_context`` adds.
        parse: ``parse(engine, form) -> fields``: the form's text turned into the service's
            arguments; raises :class:`clarion.errors.ValidationFailed` naming the field.
        role: ``"editor"`` or ``"admin"``: the role every route declares.
        list_template: Renders the list with what ``list_context`` returns.
        list_context: ``list_context(engine, session, actor, page_request, filters)`` → the list
            template's context (typically ``{"page": service.list_...(session, page_request)}``).
        filters: A pydantic model of the list's query parameters; a value it refuses answers 400.
        create: ``create(engine, session, actor, fields) -> id``: the service call.
        load: ``load(engine, session, actor, id)``: the item to edit (raises ``NotFound``).
        values: ``values(item)`` → the edit form's values.
        update: ``update(engine, session, actor, id, fields)``: the service call.
        form_context: ``form_context(engine, session, actor, id, item)`` → more context for the
            form (choices, the item); ``id`` and ``item`` are ``None`` for a new one, and ``item``
            is ``None`` when the form is shown again after an error.
        defaults: The new form's values.
        audit: When set (``"kudos"``), every create and update is recorded by :func:`audit` as
            ``admin.<audit>.created`` / ``admin.<audit>.updated``; leave it unset when the
            service records the change itself.
        page_size: Items per list page.
    """

    path: str
    id_name: str
    form_template: str
    parse: Callable[[Engine, Mapping[str, Any]], dict[str, Any]]
    role: str = Role.EDITOR.value
    list_template: str | None = None
    list_context: Callable[[Engine, Session, Actor, PageRequest, Any], Mapping[str, Any]] | None = None
    filters: type[BaseModel] | None = None
    create: Callable[[Engine, Session, Actor, dict[str, Any]], int] | None = None
    load: Callable[[Engine, Session, Actor, int], Any] | None = None
    values: Callable[[Any], Mapping[str, Any]] | None = None
    update: Callable[[Engine, Session, Actor, int, dict[str, Any]], object] | None = None
    form_context: Callable[[Engine, Session, Actor, int | None, Any], Mapping[str, Any]] = _no_context
    defaults: Mapping[str, Any] = field(default_factory=dict)
    audit: str | None = None
    page_size: int = PAGE_SIZE

    def __post_init__(self) -> None:
        if (self.list_template is None) != (self.list_context is None):
            raise ValueError(f"{self.path}: give list_template and list_context together")
        if self.update is not None and (self.load is None or self.values is None):
            raise ValueError(f"{self.path}: editing needs load and values as well as update")

    # The steps, usable on their own by a controller that adds routes to the generated one.

    def item_id(self, request: Request[Any, Any, Any]) -> int:
        value = request.path_params[self.id_name]
        if not 1 <= value <= MAX_ID:
            raise ValidationException(MALFORMED)
        return int(value)

    def list_page(self, engine: Engine, actor: Actor, request: Request[Any, Any, Any], offset: int) -> Response[str]:
        assert self.list_template is not None
        assert self.list_context is not None
        filters: Any = None
        if self.filters is not None:
            # A parameter given twice counts with its last value, as for the handlers' own parameters;
            # an empty one (a dropdown left on "Any") is no filter at all.
            given = {name: request.query_params.getall(name, [])[-1:] for name in self.filters.model_fields}
            try:
                filters = self.filters.model_validate(
                    {name: values[0] for name, values in given.items() if values and values[0]}
                )
            except PydanticValidationError:
                raise ValidationException(MALFORMED) from None
        with engine.transaction() as session:
            viewer = viewer_of(engine, session, actor)
            context = self.list_context(engine, session, actor, PageRequest(self.page_size, offset), filters)
        return page(request, viewer, self.list_template, **context)

    def form_page(
        self,
        engine: Engine,
        request: Request[Any, Any, Any],
        viewer: Viewer,
        session: Session,
        *,
        item_id: int | None,
        item: Any,
        values: Mapping[str, Any],
        error: ClarionError | None = None,
    ) -> Response[str]:
        """The form, filled with ``values``; with ``error``, marked and answered with its 4xx status."""
        extra = self.form_context(engine, session, viewer.actor, item_id, item)
        status = 200 if error is None else status_for(error)
        return page(request, viewer, self.form_template, status, values=values, error=error, **extra)

    def new_page(self, engine: Engine, actor: Actor, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = viewer_of(engine, session, actor)
            return self.form_page(engine, request, viewer, session, item_id=None, item=None, values=dict(self.defaults))

    def edit_page(self, engine: Engine, actor: Actor, request: Request[Any, Any, Any]) -> Response[str]:
        assert self.load is not None
        assert self.values is not None
        item_id = self.item_id(request)
        with engine.transaction() as session:
            viewer = viewer_of(engine, session, actor)
            item = self.load(engine, session, actor, item_id)
            return self.form_page(
                engine, request, viewer, session, item_id=item_id, item=item, values=self.values(item)
            )

    def save(
        self, engine: Engine, actor: Actor, request: Request[Any, Any, Any], data: Mapping[str, Any]
    ) -> Response[Any]:
        """Create (no id in the path) or update: checked form → service → redirect, or the form again."""
        item_id = self.item_id(request) if self.id_name in request.path_params else None
        form = checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                fields = self.parse(engine, form)
                if item_id is None:
                    assert self.create is not None
                    saved_id = self.create(engine, session, actor, fields)
                else:
                    assert self.update is not None
                    self.update(engine, session, actor, item_id, fields)
                    saved_id = item_id
                if self.audit is not None:
                    verb = "created" if item_id is None else "updated"
                    audit(
                        session,
                        actor,
                        f"{self.audit}.{verb}",
                        subject=f"{self.audit}:{saved_id}",
                        payload={"fields": sorted(fields)},
                    )
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = viewer_of(engine, session, actor)
                return self.form_page(
                    engine, request, viewer, session, item_id=item_id, item=None, values=form, error=exc
                )
        return redirect(f"{self.path}/{saved_id}", saved="1")


def crud_controller(view: Crud) -> type[AdminPageController]:
    """An :class:`AdminPageController` at ``view.path`` with the routes of ``view``; subclass it to add more."""
    read = {"role": view.role}
    write = {"role": view.role, "csrf": False}
    item = f"/{{{view.id_name}:int}}"
    routes: dict[str, Any] = {"path": view.path}

    if view.list_template is not None:

        @get("/", sync_to_thread=True, opt=read)
        def list_page(
            self: Any, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], offset: Offset = 0
        ) -> Response[str]:
            return view.list_page(engine, actor, request, offset)

        routes["list_page"] = list_page

    if view.create is not None:

        @get("/new", sync_to_thread=True, opt=read)
        def new_page(self: Any, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
            return view.new_page(engine, actor, request)

        @post("/new", sync_to_thread=True, opt=write, status_code=303)
        def create(
            self: Any, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: Form
        ) -> Response[Any]:
            return view.save(engine, actor, request, data)

        routes |= {"new_page": new_page, "create": create}

    if view.update is not None:

        @get(item, sync_to_thread=True, opt=read)
        def edit_page(self: Any, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
            return view.edit_page(engine, actor, request)

        @post(item, sync_to_thread=True, opt=write, status_code=303)
        def update(
            self: Any, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: Form
        ) -> Response[Any]:
            return view.save(engine, actor, request, data)

        routes |= {"edit_page": edit_page, "update": update}

    name = "".join(part.title() for part in view.path.replace("-", "/").replace("_", "/").split("/"))
    return type(f"{name}Controller", (AdminPageController,), routes)


# -- mounting an admin page --------------------------------------------------------------------------------------------


async def admin_page_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The page's role, on top of the route's own (``role_guard`` ran first and found the actor).

    ``admin_router`` refuses public routes, so every route here has an actor.
    """
    required = handler.opt.get(PAGE_ROLE_OPT)
    actor: Actor | None = getattr(connection.state, "actor", None)
    if required is not None and actor is not None:
        actor.require(Role(required), f"{connection.scope.get('method', 'GET')} {connection.url.path}")


def admin_router(plugin_name: str, admin_page: AdminPage, opt: Mapping[str, Any]) -> Router:
    """A router serving ``admin_page``'s controllers inside the admin area.

    Raises:
        PluginError: a controller answers a path outside ``/admin/``.
    """
    router = Router(
        path="/",
        route_handlers=list(admin_page.controllers),
        guards=[origin_guard, role_guard, admin_page_guard],
        exception_handlers=ERROR_HANDLERS,  # type: ignore[arg-type]
        opt={**opt, PAGE_ROLE_OPT: admin_page.role},
        include_in_schema=False,
    )
    for route in router.routes:
        if not route.path.startswith("/admin/"):
            raise PluginError(
                f"plugin {plugin_name!r}: admin page {admin_page.path} serves {route.path}, outside /admin/"
            )
        for handler in getattr(route, "route_handlers", ()):
            if handler.opt.get("role") == PUBLIC:
                raise PluginError(
                    f"plugin {plugin_name!r}: admin page {admin_page.path} serves {route.path} to the public; "
                    "admin pages are for editors and admins"
                )
    return router
