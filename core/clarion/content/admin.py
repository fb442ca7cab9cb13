"""``/admin/content`` and ``/admin/review``: the content library, its form, lifecycle actions and the review queue."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, select

from clarion.actors import Actor
from clarion.content import content as content_service
from clarion.content.content_lifecycle import ContentAction
from clarion.engine import Engine
from clarion.errors import ClarionError
from clarion.models import Ambassador, Campaign, ContentOrigin, ContentStatus, EditPolicy
from clarion.pagination import PageRequest
from clarion.web.admin import forms, kit
from clarion.web.auth import ActorDep, EngineDep
from clarion.web.common import IdPath
from clarion.web.problems import status_for

# Lifecycle actions offered on a content page, in the order shown.
REVIEW_ACTIONS = (ContentAction.APPROVE, ContentAction.REQUEST_CHANGES, ContentAction.REJECT)
MOMENT = "%Y-%m-%dT%H:%M"


class ContentFilters(BaseModel):
    """The content list's query: ``?status=&origin=&campaign=&topic=``."""

    model_config = ConfigDict(extra="ignore")

    status: ContentStatus | None = None
    origin: ContentOrigin | None = None
    campaign: Annotated[int | None, Field(ge=1, le=2**31 - 1)] = None
    topic: Annotated[str | None, Field(max_length=200)] = None


def campaigns_by_id(session: Session) -> dict[int, Campaign]:
    return {campaign.id: campaign for campaign in session.exec(select(Campaign).order_by(Campaign.name)).all()}  # type: ignore[misc]


def _list(
    engine: Engine, session: Session, actor: Actor, request: PageRequest, filters: ContentFilters
) -> dict[str, Any]:
    page = content_service.list_content(
        session,
        actor,
        request,
        status=filters.status,
        origin=filters.origin,
        campaign_id=filters.campaign,
        topic=filters.topic or None,
    )
    shown = {
        "status": filters.status,
        "origin": filters.origin,
        "campaign": filters.campaign,
        "topic": filters.topic or "",
    }
    return {
        "page": page,
        "campaigns": campaigns_by_id(session),
        "filters": shown,
        "statuses": list(ContentStatus),
        "origins": list(ContentOrigin),
    }


def _values(details: content_service.ContentDetails) -> dict[str, Any]:
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
        "publish_at": content.publish_at.strftime(MOMENT) if content.publish_at else "",
        "expires_at": content.expires_at.strftime(MOMENT) if content.expires_at else "",
        "featured": "on" if content.featured else "",
        "edit_policy": content.edit_policy.value,
        "origin": content.origin.value,
        "topics": ", ".join(details.topics),
        **{key: ", ".join(values) for key, values in details.audience.items()},
        **{f"text_{network}": f"\n{forms.TEXT_SEPARATOR}\n".join(items) for network, items in texts.items()},
    }


def _form_context(
    engine: Engine, session: Session, actor: Actor, content_id: int | None, details: Any
) -> dict[str, Any]:
    if details is None and content_id is not None:
        details = content_service.get_content(session, actor, content_id)
    return {
        "details": details,
        "networks": [(network, connector.label) for network, connector in engine.connectors().items()],
        "campaigns": campaigns_by_id(session),
        "edit_policies": list(EditPolicy),
        "origins": list(ContentOrigin),
        "review_actions": [action.value for action in REVIEW_ACTIONS],
    }


def _create(engine: Engine, session: Session, actor: Actor, fields: dict[str, Any]) -> int:
    content_id = content_service.create_content(engine, session, actor, fields).content.id
    assert content_id is not None
    return content_id


def _update(engine: Engine, session: Session, actor: Actor, content_id: int, fields: dict[str, Any]) -> None:
    changes = {name: value for name, value in fields.items() if name != "origin"}  # origin is chosen once, at creation
    content_service.update_content(engine, session, actor, content_id, changes)


CONTENT = kit.Crud(
    path="/admin/content",
    id_name="content_id",
    list_template="admin/content_list.html",
    list_context=_list,
    filters=ContentFilters,
    form_template="admin/content_form.html",
    form_context=_form_context,
    defaults={"edit_policy": EditPolicy.SUGGESTED.value, "origin": ContentOrigin.OFFICIAL.value, "language": "en"},
    parse=lambda engine, form: forms.content_fields(form, engine.connectors()),
    create=_create,
    load=lambda engine, session, actor, content_id: content_service.get_content(session, actor, content_id),
    values=_values,
    update=_update,
)


def review_page(
    engine: Engine,
    request: Request[Any, Any, Any],
    viewer: kit.Viewer,
    session: Session,
    error: ClarionError | None = None,
    failed_id: int | None = None,
) -> Response[str]:
    """The queue of submitted content; with ``error``, the action on ``failed_id`` failed."""
    page = content_service.list_content(
        session, viewer.actor, PageRequest(engine.settings.max_page_size), status=ContentStatus.SUBMITTED
    )
    author_ids = [item.content.author_id for item in page.items if item.content.author_id]
    authors = {
        person.id: person
        for person in session.exec(select(Ambassador).where(Ambassador.id.in_(author_ids))).all()  # type: ignore[union-attr]
    }
    return kit.page(
        request,
        viewer,
        "admin/review.html",
        200 if error is None else status_for(error),
        page=page,
        authors=authors,
        error=error,
        failed_id=failed_id,
    )


class AdminContentController(kit.crud_controller(CONTENT)):  # type: ignore[misc]
    """The content library's list and form, plus the lifecycle actions (submit, approve, ...)."""

    @post("/{content_id:int}/transition", sync_to_thread=True, opt=kit.EDITOR_FORM, status_code=303)
    def content_transition(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], content_id: IdPath, data: kit.Form
    ) -> Response[Any]:
        form = kit.checked_form(engine, actor, data)
        back = "/admin/review" if form.get("back") == "review" else f"/admin/content/{content_id}"
        try:
            action = forms.choice(form, "action", ContentAction)
            note = forms.optional_text(form, "note", max_length=2000)
            with engine.transaction() as session:
                content_service.transition_content(session, actor, content_id, action, note)
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = kit.viewer_of(engine, session, actor)
                if back == "/admin/review":
                    return review_page(engine, request, viewer, session, error=exc, failed_id=content_id)
                details = content_service.get_content(session, actor, content_id)
                return CONTENT.form_page(
                    engine,
                    request,
                    viewer,
                    session,
                    item_id=content_id,
                    item=details,
                    values=_values(details),
                    error=exc,
                )
        return kit.redirect(back, done=str(form.get("action", "")))


class AdminReviewController(kit.AdminPageController):
    path = "/admin/review"

    @get("/", sync_to_thread=True, opt=kit.EDITOR)
    def review(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            return review_page(engine, request, viewer, session)
