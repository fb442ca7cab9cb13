"""The campaign widget: one campaign's goals and how far the programme has come."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import select

from clarion import hookimpl
from clarion.errors import BadRequest, NotFound
from clarion.metrics.figures import MAX_PERIOD_DAYS, Figure, Interval, Period, Scope, report
from clarion.models import Campaign
from clarion.widgets import Widget

PLUGIN_NAME = "widget-campaign"
FIGURES = ("shares", "clicks_unique", "potential_reach")
# A campaign ends at an exclusive moment; the widget shows the last day it includes.
LAST_MOMENT = timedelta(microseconds=1)


def find_campaign(session, settings: dict[str, Any]) -> Campaign:
    """The campaign the embedding page names by ``campaign`` (its slug) or ``campaign_id``.

    Raises:
        BadRequest: neither or both are given.
        NotFound: no such campaign.
    """
    slug, campaign_id = settings["campaign"], settings["campaign_id"]
    if (slug is None) == (campaign_id is None):
        raise BadRequest("the campaign widget needs exactly one of the settings campaign (a slug) or campaign_id")
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} not found", field="campaign_id")
        return campaign
    campaign = session.exec(select(Campaign).where(Campaign.slug == slug.lower())).first()
    if campaign is None:
        raise NotFound(f"no campaign with the slug {slug!r}", field="campaign")
    return campaign


def campaign_period(campaign: Campaign, today) -> Period | None:
    """The campaign's days so far (from its start, or its creation, to its end or today); None before it starts."""
    start = (campaign.starts_at or campaign.created_at).date()
    end = min(today, (campaign.ends_at - timedelta(microseconds=1)).date()) if campaign.ends_at else today
    if end < start:
        return None
    start = max(start, end - timedelta(days=MAX_PERIOD_DAYS - 1))
    return Period(start, end)


def campaign_context(engine, viewer, settings) -> dict[str, Any]:
    today = engine.clock.now().date()
    with engine.transaction() as session:
        campaign = find_campaign(session, settings)
        assert campaign.id is not None
        period = campaign_period(campaign, today)
        goals: list[dict[str, Any]] = []
        figures: list[Figure] = []
        mine = 0
        if period is not None:
            result = report(
                engine, session, Scope(campaign_id=campaign.id), period, Interval.MONTH, with_participation=False
            )
            goals = [
                {
                    "key": goal.key,
                    "target": goal.target,
                    "actual": goal.actual,
                    "source": goal.source,
                    "unit": goal.unit,
                    "percent": min(round(goal.progress * 100), 100),
                    "reached": goal.actual >= goal.target,
                }
                for goal in result.goals
            ]
            by_key = {figure.key: figure for figure in result.figures}
            figures = [by_key[key] for key in FIGURES]
            # The viewer's own part: never anyone else's figures.
            own = report(
                engine,
                session,
                Scope(campaign_id=campaign.id, ambassador_id=viewer.ambassador_id),
                period,
                Interval.MONTH,
                with_participation=False,
            )
            mine = next(int(figure.value or 0) for figure in own.figures if figure.key == "shares")
        return {
            "campaign": campaign,
            "starts_on": campaign.starts_at.date() if campaign.starts_at else None,
            "ends_on": (campaign.ends_at - LAST_MOMENT).date() if campaign.ends_at else None,  # the last day included
            "upcoming": period is None,
            "ended": campaign.ends_at is not None and campaign.ends_at <= engine.clock.now(),
            "goals": goals,
            "figures": figures,
            "my_shares": mine,
        }


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name="campaign",
            title="Campaign progress",
            template="widgets/campaign.html",
            context=campaign_context,
            cache="private",
            max_age=60,
            settings={"campaign": None, "campaign_id": None},
        )
    ]
