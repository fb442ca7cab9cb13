"""The feed widget: what I may share now, featured first, with suggested texts per network."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlmodel import select

from clarion import hookimpl
from clarion.connectors import Capability
from clarion.content import content as content_service
from clarion.models import Ambassador, Campaign, EditPolicy, NetworkAccount
from clarion.pagination import PageRequest
from clarion.widgets import Widget

PLUGIN_NAME = "widget-feed"


def feed_context(engine, viewer, settings) -> dict[str, Any]:
    connectors = engine.connectors()
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        page = content_service.shareable_content(
            session,
            viewer,
            PageRequest(min(settings["limit"], engine.settings.max_page_size)),
            topic=settings["topic"],
            campaign_id=settings["campaign_id"],
        )
        campaign_ids = {detail.content.campaign_id for detail in page.items if detail.content.campaign_id}
        campaigns = {
            campaign.id: campaign
            for campaign in session.exec(select(Campaign).where(Campaign.id.in_(campaign_ids)))  # type: ignore[union-attr]
        }
        accounts = session.exec(select(NetworkAccount).where(NetworkAccount.ambassador_id == viewer.ambassador_id))
        publishable = {
            account.network
            for account in accounts
            if account.credentials_encrypted is not None
            and account.network in connectors
            and connectors[account.network].supports(Capability.API_PUBLISH)
        }
        items = []
        for detail in page.items:
            texts: dict[str, list[str]] = defaultdict(list)
            for share_text in detail.share_texts:
                if share_text.network in connectors:
                    texts[share_text.network].append(share_text.text)
            # Without suggested texts the ambassador writes their own words for any network.
            networks = list(texts) or [
                key for key, connector in connectors.items() if connector.supports(Capability.INTENT)
            ]
            items.append(
                {
                    "content": detail.content,
                    "topics": detail.topics,
                    "campaign": campaigns.get(detail.content.campaign_id),
                    "locked": detail.content.edit_policy is EditPolicy.LOCKED,
                    "suggested": bool(texts),
                    "options": [
                        {
                            "network": network,
                            "label": connectors[network].label,
                            "text": (texts.get(network) or [""])[0],
                            "publishable": network in publishable,
                        }
                        for network in networks
                    ],
                }
            )
        return {
            "active": ambassador.is_active,
            "items": items,
            "total": page.total,
            "topic": settings["topic"],
            "campaign": session.get(Campaign, settings["campaign_id"]) if settings["campaign_id"] else None,
        }


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
            settings={"topic": None, "campaign_id": None, "limit": 10},
        )
    ]
