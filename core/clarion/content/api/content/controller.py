"""``/api/v1/content``: the content library and its lifecycle."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody, QueryParameter

from clarion.content import content as content_service
from clarion.content.api.content.schemas import (
    ContentCreate,
    ContentOut,
    ContentPage,
    ContentTransition,
    ContentUpdate,
)
from clarion.content.content_lifecycle import ContentAction
from clarion.models import ContentOrigin, ContentStatus, Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, IdQuery, PageDep, page_meta, page_request, problems

AMBASSADOR = {"role": Role.AMBASSADOR.value}


def _payload(data: ContentCreate | ContentUpdate, *, only_set: bool) -> dict[str, Any]:
    values = data.model_dump(exclude_unset=only_set)
    if "share_texts" in values and values["share_texts"] is not None:
        values["share_texts"] = [dict(item) for item in values["share_texts"]]
    return values


class ContentController(ClarionController):
    path = "/api/v1/content"
    tags = ["content"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @get(
        "/",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="List content",
        description="Editors see the whole library; ambassadors see what they may share now and what they wrote.",
        responses=problems(422),
    )
    def list_content(
        self,
        engine: EngineDep,
        actor: ActorDep,
        page: PageDep,
        status: FromQuery[ContentStatus | None] = None,
        origin: FromQuery[ContentOrigin | None] = None,
        campaign_id: IdQuery = None,
        topic: FromQuery[str | None] = None,
        mine: Annotated[bool, QueryParameter(description="Only content I wrote.")] = False,
    ) -> ContentPage:
        with engine.transaction() as session:
            result = content_service.list_content(
                session, actor, page, status=status, origin=origin, campaign_id=campaign_id, topic=topic, mine=mine
            )
            return ContentPage(items=[ContentOut.of(item) for item in result.items], **page_meta(result))

    @post(
        "/",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Create content (as a draft)",
        description=(
            "Editors create any origin; ambassadors suggest curated or produced content as its author. "
            "With `submit_for_review` the draft goes to the review queue in the same change."
        ),
        responses=problems(422),
    )
    def create_content(self, engine: EngineDep, actor: ActorDep, data: JSONBody[ContentCreate]) -> ContentOut:
        values = _payload(data, only_set=False)
        submit = values.pop("submit_for_review", False)
        with engine.transaction() as session:
            details = content_service.create_content(engine, session, actor, values)
            if submit:
                assert details.content.id is not None
                details = content_service.transition_content(session, actor, details.content.id, ContentAction.SUBMIT)
            return ContentOut.of(details)

    @get("/{content_id:int}", sync_to_thread=True, opt=AMBASSADOR, summary="Read content", responses=problems(404))
    def get_content(self, engine: EngineDep, actor: ActorDep, content_id: IdPath) -> ContentOut:
        with engine.transaction() as session:
            return ContentOut.of(content_service.get_content(session, actor, content_id))

    @patch(
        "/{content_id:int}",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Change content",
        description="Editors edit anything not archived; authors edit their own drafts.",
        responses=problems(404, 409, 422),
    )
    def update_content(
        self, engine: EngineDep, actor: ActorDep, content_id: IdPath, data: JSONBody[ContentUpdate]
    ) -> ContentOut:
        with engine.transaction() as session:
            details = content_service.update_content(engine, session, actor, content_id, _payload(data, only_set=True))
            return ContentOut.of(details)

    @delete(
        "/{content_id:int}",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Delete a draft",
        description="Only drafts are deleted; archive anything that went further.",
        responses=problems(404, 409),
    )
    def delete_content(self, engine: EngineDep, actor: ActorDep, content_id: IdPath) -> None:
        with engine.transaction() as session:
            content_service.delete_content(session, actor, content_id)

    @post(
        "/{content_id:int}/transitions",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Move content through its lifecycle",
        description=(
            "Actions: submit, withdraw (author or editor); approve, reject, request_changes, archive, "
            "reopen (editors). Rejecting and requesting changes need a note."
        ),
        responses=problems(404, 409, 422),
    )
    def transition(
        self, engine: EngineDep, actor: ActorDep, content_id: IdPath, data: JSONBody[ContentTransition]
    ) -> ContentOut:
        with engine.transaction() as session:
            details = content_service.transition_content(session, actor, content_id, data.action, data.note)
            return ContentOut.of(details)
