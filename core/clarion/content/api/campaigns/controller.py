"""``/api/v1/campaigns``: everyone reads, editors write."""

from __future__ import annotations

from litestar import delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody

from clarion.content import campaigns as campaign_service
from clarion.content.api.campaigns.schemas import CampaignCreate, CampaignOut, CampaignPage, CampaignUpdate
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, PageDep, page_meta, page_request, problems

AMBASSADOR = {"role": Role.AMBASSADOR.value}
EDITOR = {"role": Role.EDITOR.value}


class CampaignController(ClarionController):
    path = "/api/v1/campaigns"
    tags = ["campaigns"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @get("/", sync_to_thread=True, opt=AMBASSADOR, summary="List campaigns", responses=problems(422))
    def list_campaigns(
        self, engine: EngineDep, actor: ActorDep, page: PageDep, active: FromQuery[bool] = False
    ) -> CampaignPage:
        with engine.transaction() as session:
            result = campaign_service.list_campaigns(session, page, active_at=engine.clock.now() if active else None)
            return CampaignPage(items=[CampaignOut.of(item) for item in result.items], **page_meta(result))

    @post("/", sync_to_thread=True, opt=EDITOR, summary="Create a campaign", responses=problems(409, 422))
    def create_campaign(self, engine: EngineDep, actor: ActorDep, data: JSONBody[CampaignCreate]) -> CampaignOut:
        with engine.transaction() as session:
            return CampaignOut.of(campaign_service.create_campaign(session, actor, data.model_dump()))

    @get("/{campaign_id:int}", sync_to_thread=True, opt=AMBASSADOR, summary="Read a campaign", responses=problems(404))
    def get_campaign(self, engine: EngineDep, actor: ActorDep, campaign_id: IdPath) -> CampaignOut:
        with engine.transaction() as session:
            return CampaignOut.of(campaign_service.get_campaign(session, campaign_id))

    @patch(
        "/{campaign_id:int}",
        sync_to_thread=True,
        opt=EDITOR,
        summary="Change a campaign",
        responses=problems(404, 409, 422),
    )
    def update_campaign(
        self, engine: EngineDep, actor: ActorDep, campaign_id: IdPath, data: JSONBody[CampaignUpdate]
    ) -> CampaignOut:
        with engine.transaction() as session:
            changes = data.model_dump(exclude_unset=True)
            return CampaignOut.of(campaign_service.update_campaign(session, actor, campaign_id, changes))

    @delete(
        "/{campaign_id:int}",
        sync_to_thread=True,
        opt=EDITOR,
        summary="Delete a campaign without content",
        responses=problems(404, 409),
    )
    def delete_campaign(self, engine: EngineDep, actor: ActorDep, campaign_id: IdPath) -> None:
        with engine.transaction() as session:
            campaign_service.delete_campaign(session, actor, campaign_id)
