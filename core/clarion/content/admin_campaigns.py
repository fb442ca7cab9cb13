"""``/admin/campaigns``: editors list, create and change campaigns."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from clarion.actors import Actor
from clarion.content import campaigns as campaign_service
from clarion.engine import Engine
from clarion.models import Campaign
from clarion.pagination import PageRequest
from clarion.web.admin import forms, kit

MOMENT = "%Y-%m-%dT%H:%M"


def _values(campaign: Campaign) -> dict[str, Any]:
    def count(value: int | None) -> int | str:
        return value if value is not None else ""

    return {
        "name": campaign.name,
        "slug": campaign.slug,
        "description": campaign.description,
        "goal_shares": count(campaign.goal_shares),
        "goal_clicks": count(campaign.goal_clicks),
        "goal_reach": count(campaign.goal_reach),
        "goal_participation": count(campaign.goal_participation),
        "starts_at": campaign.starts_at.strftime(MOMENT) if campaign.starts_at else "",
        "ends_at": campaign.ends_at.strftime(MOMENT) if campaign.ends_at else "",
        "hashtags": ", ".join(campaign.hashtags),
    }


def _list(engine: Engine, session: Session, actor: Actor, request: PageRequest, filters: None) -> dict[str, Any]:
    return {"page": campaign_service.list_campaigns(session, request)}


def _create(engine: Engine, session: Session, actor: Actor, fields: dict[str, Any]) -> int:
    campaign_id = campaign_service.create_campaign(session, actor, fields).id
    assert campaign_id is not None
    return campaign_id


CAMPAIGNS = kit.Crud(
    path="/admin/campaigns",
    id_name="campaign_id",
    list_template="admin/campaign_list.html",
    list_context=_list,
    form_template="admin/campaign_form.html",
    form_context=lambda engine, session, actor, campaign_id, campaign: {"campaign_id": campaign_id},
    parse=lambda engine, form: forms.campaign_fields(form),
    create=_create,
    load=lambda engine, session, actor, campaign_id: campaign_service.get_campaign(session, campaign_id),
    values=_values,
    update=lambda engine, session, actor, campaign_id, fields: campaign_service.update_campaign(
        session, actor, campaign_id, fields
    ),
)

AdminCampaignController = kit.crud_controller(CAMPAIGNS)
