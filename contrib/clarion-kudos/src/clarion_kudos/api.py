"""``/api/v1/kudos``: give kudos for a share, read the kudos I received and gave, and what I may thank."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from clarion.models.types import utcnow
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import Id, IdQuery, PageDep, PageMeta, page_meta, page_request, problems
from litestar import get, post
from litestar.di import Provide
from litestar.params import JSONBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from clarion_kudos import service
from clarion_kudos.models import MESSAGE_MAX_LENGTH
from clarion_kudos.settings import PLUGIN_NAME, KudosSettings

AMBASSADOR = {"role": "ambassador"}


class KudosIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share_id: Id = Field(description="The colleague's share you thank them for.")
    message: str | None = Field(default=None, max_length=MESSAGE_MAX_LENGTH, description="A few words of thanks.")


class PersonOut(BaseModel):
    id: int
    name: str


class KudosOut(BaseModel):
    id: int
    share_id: int
    network: str
    content_title: str
    giver: PersonOut
    receiver: PersonOut
    message: str | None = Field(description="Empty when none was written, or an admin hid it.")
    message_hidden: bool
    created_at: datetime


class KudosPage(PageMeta):
    items: list[KudosOut]


class ThankableOut(BaseModel):
    share_id: int
    network: str
    content_title: str
    author: PersonOut
    published_at: datetime
    thanked: bool = Field(description="You already thanked them for this share.")


def _out(view: service.KudosView) -> KudosOut:
    return KudosOut(
        id=view.id,
        share_id=view.share_id,
        network=view.network,
        content_title=view.content_title,
        giver=PersonOut(id=view.giver.id, name=view.giver.name),
        receiver=PersonOut(id=view.receiver.id, name=view.receiver.name),
        message=view.message,
        message_hidden=view.message_hidden,
        created_at=view.created_at,
    )


class KudosController(ClarionController):
    path = "/api/v1/kudos"
    tags = ["kudos"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @post(
        "/",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=201,
        summary="Thank a colleague for a share",
        description="One kudos per person and share; never for one's own share. The author earns points.",
        responses=problems(404, 409, 422),
    )
    def give(self, engine: EngineDep, actor: ActorDep, data: JSONBody[KudosIn]) -> KudosOut:
        with engine.transaction() as session:
            kudos = service.give(session, actor, data.share_id, data.message)
            return _out(service.view(session, kudos))

    @get(
        "/received",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Kudos I received",
        description="Newest first. Admins may pass ambassador_id to read someone else's.",
    )
    def received(self, engine: EngineDep, actor: ActorDep, page: PageDep, ambassador_id: IdQuery = None) -> KudosPage:
        with engine.transaction() as session:
            found = service.received(session, actor, page, ambassador_id=ambassador_id)
            return KudosPage(items=[_out(view) for view in found.items], **page_meta(found))

    @get(
        "/given",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Kudos I gave",
        description="Newest first. Admins may pass ambassador_id to read someone else's.",
    )
    def given(self, engine: EngineDep, actor: ActorDep, page: PageDep, ambassador_id: IdQuery = None) -> KudosPage:
        with engine.transaction() as session:
            found = service.given(session, actor, page, ambassador_id=ambassador_id)
            return KudosPage(items=[_out(view) for view in found.items], **page_meta(found))

    @get(
        "/shares",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Colleagues' recent shares I may thank",
        description="Published in the last `window_days` days ([plugins.kudos]), newest first.",
    )
    def shares(
        self, engine: EngineDep, actor: ActorDep, limit: Annotated[int, QueryParameter(ge=1, le=100)] = 20
    ) -> list[ThankableOut]:
        settings: KudosSettings = engine.plugin_config(PLUGIN_NAME)
        since = utcnow() - timedelta(days=settings.window_days)
        with engine.transaction() as session:
            return [
                ThankableOut(
                    share_id=item.share_id,
                    network=item.network,
                    content_title=item.content_title,
                    author=PersonOut(id=item.author.id, name=item.author.name),
                    published_at=item.published_at,
                    thanked=item.thanked,
                )
                for item in service.thankable(session, actor, since=since, limit=limit)
            ]
