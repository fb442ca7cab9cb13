"""The feed widget: one compact card per item I may share, my networks first, and a composer per share."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa
from litestar import post
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from clarion import hookimpl
from clarion.connectors import Capability
from clarion.content import content as content_service
from clarion.content.eligibility import shareable_query
from clarion.i18n import language_of
from clarion.models import Ambassador, Campaign, Content, ContentTopic, NetworkAccount, Role, Share
from clarion.pagination import PageRequest
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import problems
from clarion.widgets import Widget
from clarion_plugins.widgets.feed_composer import compose, text_variants
from clarion_plugins.widgets.network_icons import network_icon

PLUGIN_NAME = "widget-feed"
PAGE_STEP = 10


def network_order(engine, session, ambassador_id: int, texts_written: Counter[str]) -> list[str]:
    """Networks the person can share on: connected accounts, then past choices, then the editors' picks."""
    connectors = {
        key: connector
        for key, connector in engine.connectors().items()
        if connector.supports(Capability.INTENT) or connector.supports(Capability.API_PUBLISH)
    }
    connected = {
        account.network
        for account in session.exec(select(NetworkAccount).where(NetworkAccount.ambassador_id == ambassador_id))
        if account.credentials_encrypted is not None
    }
    used = Counter(
        dict(
            session.execute(
                sa.select(Share.network, sa.func.count())
                .where(Share.ambassador_id == ambassador_id)
                .group_by(Share.network)
            ).all()
        )
    )
    return sorted(
        connectors,
        key=lambda key: (key not in connected, -used[key], -texts_written[key], connectors[key].label.lower()),
    )


def _filters(engine, session, ambassador: Ambassador) -> tuple[list[str], list[Campaign]]:
    """The topics and campaigns of everything the person may share, for the filter menus."""
    open_ids = shareable_query(ambassador, engine.clock.now()).with_only_columns(col(Content.id)).order_by(None)
    topics = list(
        session.exec(
            select(ContentTopic.topic)
            .where(col(ContentTopic.content_id).in_(open_ids.scalar_subquery()))
            .distinct()
            .order_by(ContentTopic.topic)
        )
    )
    campaign_ids = (
        shareable_query(ambassador, engine.clock.now())
        .with_only_columns(col(Content.campaign_id))
        .where(col(Content.campaign_id).is_not(None))
        .order_by(None)
    )
    campaigns = list(
        session.exec(
            select(Campaign).where(col(Campaign.id).in_(campaign_ids.scalar_subquery())).order_by(Campaign.name)
        )
    )
    return topics, campaigns


def feed_context(engine, viewer, settings) -> dict[str, Any]:
    connectors = engine.connectors()
    limit = min(settings["limit"], engine.settings.max_page_size)
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        assert ambassador is not None
        page = content_service.shareable_content(
            session,
            viewer,
            PageRequest(limit),
            topic=settings["topic"],
            campaign_id=settings["campaign_id"],
            search=settings["search"],
            language=language_of(ambassador.locale),
        )
        campaign_ids = {detail.content.campaign_id for detail in page.items if detail.content.campaign_id}
        campaigns = {
            campaign.id: campaign
            for campaign in session.exec(select(Campaign).where(col(Campaign.id).in_(campaign_ids)))
        }
        texts_written: Counter[str] = Counter(
            share_text.network for detail in page.items for share_text in detail.share_texts
        )
        order = network_order(engine, session, viewer.ambassador_id, texts_written)
        publishable = {
            account.network
            for account in session.exec(
                select(NetworkAccount).where(NetworkAccount.ambassador_id == viewer.ambassador_id)
            )
            if account.credentials_encrypted is not None
            and account.network in connectors
            and connectors[account.network].supports(Capability.API_PUBLISH)
        }
        networks = [
            {
                "key": key,
                "label": connectors[key].label,
                "icon": network_icon(key, connectors[key].label),
                "publishable": key in publishable,
                "intent": connectors[key].supports(Capability.INTENT),
            }
            for key in order
        ]
        items = []
        for detail in page.items:
            texts: dict[str, list[str]] = {}
            for share_text in detail.share_texts:
                if share_text.network in connectors:
                    texts.setdefault(share_text.network, []).append(share_text.text)
            items.append(
                {
                    "content": detail.content,
                    "topics": detail.topics,
                    "campaign": campaigns.get(detail.content.campaign_id),
                    # The text a one-click share sends on each network: the first one offered.
                    "first_texts": {
                        network["key"]: text_variants(detail.content, texts, network["key"])[0] for network in networks
                    },
                }
            )
        topics, campaign_choices = _filters(engine, session, ambassador) if ambassador.is_active else ([], [])
        return {
            "active": ambassador.is_active,
            "items": items,
            "networks": networks,
            "total": page.total,
            "limit": limit,
            "more": page.total > len(page.items) and limit < engine.settings.max_page_size,
            "next_limit": min(limit + PAGE_STEP, engine.settings.max_page_size),
            "topic": settings["topic"],
            "search": settings["search"] or "",
            "campaign_id": settings["campaign_id"],
            "topic_choices": topics,
            "campaign_choices": campaign_choices,
            "campaign": session.get(Campaign, settings["campaign_id"]) if settings["campaign_id"] else None,
        }


class ComposeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content_id: int = Field(ge=1, lt=2**31, examples=[42])
    network: str = Field(min_length=1, max_length=40, examples=["linkedin"])
    text: str | None = Field(
        default=None,
        max_length=10_000,
        description="My words; leave out for the first suggestion.",
        examples=["Proud of our new office in Utrecht"],
    )


class ComposeOut(BaseModel):
    network: str = Field(examples=["linkedin"])
    label: str = Field(examples=["LinkedIn"])
    variants: list[str] = Field(
        description="The texts to pick from, the editor's for this network first.",
        examples=[["Proud of our new office in Utrecht", "Our new office"]],
    )
    text: str = Field(examples=["Proud of our new office in Utrecht"])
    post: str = Field(
        description="The post as it will look, the tracked link's code shown as dots.",
        examples=["Proud of our new office in Utrecht https://clarion.example.com/r/••••••••••"],
    )
    link: str = Field(
        description="The shape of my tracked link; its code is drawn when I share.",
        examples=["https://clarion.example.com/r/••••••••••"],
    )
    length: int = Field(description="The length as this network counts it.", examples=[76])
    limit: int | None = Field(description="This network's limit, if it has one.", examples=[3000])
    problems: list[str] = Field(examples=[[]])
    locked: bool = Field(description="The text must be shared exactly as suggested.", examples=[False])
    can_publish: bool = Field(description="I have a connected account Clarion can post with.", examples=[False])
    can_open: bool = Field(description="The network has a share link that opens its own composer.", examples=[True])


class FeedComposeController(ClarionController):
    path = "/api/v1/feed"
    tags = ["shares"]

    @post(
        "/compose",
        sync_to_thread=True,
        opt={"role": Role.AMBASSADOR.value},
        status_code=200,
        summary="Preview a post before sharing it",
        description=(
            "The texts offered for a network and the post as it will look, counted by that network's own rules. "
            "Nothing is stored."
        ),
        responses=problems(404, 422),
    )
    def compose_post(self, engine: EngineDep, actor: ActorDep, data: JSONBody[ComposeRequest]) -> ComposeOut:
        connector = engine.connector(data.network)
        with engine.transaction() as session:
            composed = compose(engine, session, actor, data.content_id, connector, data.text)
        return ComposeOut(**{**composed.__dict__, "problems": list(composed.problems)})


@hookimpl
def clarion_routes_register():
    return [FeedComposeController]


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name="feed",
            title="What I may share",
            template="widgets/feed.html",
            context=feed_context,
            cache="private",
            max_age=30,
            settings={"topic": None, "campaign_id": None, "search": None, "limit": PAGE_STEP},
            stylesheets=(f"/static/plugins/{PLUGIN_NAME}/feed.css",),
        )
    ]
