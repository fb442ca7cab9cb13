"""Analytics reports: a scope's figures and breakdowns, with the rule of who may read which.

The figures themselves are the metrics domain's (:mod:`clarion.metrics.figures`, read from the
daily rollups); this module adds the breakdowns per campaign, content, team, network or
ambassador, and the access rule the API and the dashboards share.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.engine import Engine
from clarion.errors import NotFound
from clarion.metrics.figures import Interval, Period, Report, Scope, grouped_totals, report, source_of
from clarion.models import Ambassador, Campaign, Content, MetricSource, Role


class Dimension(StrEnum):
    CAMPAIGN = "campaign"
    CONTENT = "content"
    TEAM = "team"
    NETWORK = "network"
    AMBASSADOR = "ambassador"


DIMENSION_COLUMNS = {
    Dimension.CAMPAIGN: "campaign_id",
    Dimension.CONTENT: "content_id",
    Dimension.TEAM: "team",
    Dimension.NETWORK: "network",
    Dimension.AMBASSADOR: "ambassador_id",
}


@dataclass(frozen=True)
class BreakdownRow:
    """One value of a dimension (a campaign, a team…) and its figures."""

    key: str | int | None
    label: str
    shares: int
    ambassadors_sharing: int
    clicks: int
    unique_clicks: int
    bot_clicks: int
    internal_clicks: int
    potential_reach: int
    potential_reach_source: str
    engagement: int
    impressions: int


def _labels(session: Session, by: Dimension, keys: list[Any]) -> dict[Any, str]:
    ids = [key for key in keys if key is not None]
    if by is Dimension.CAMPAIGN and ids:
        return dict(
            session.execute(sa.select(col(Campaign.id), col(Campaign.name)).where(col(Campaign.id).in_(ids))).all()
        )
    if by is Dimension.CONTENT and ids:
        return dict(
            session.execute(sa.select(col(Content.id), col(Content.title)).where(col(Content.id).in_(ids))).all()
        )
    if by is Dimension.AMBASSADOR and ids:
        return dict(
            session.execute(
                sa.select(col(Ambassador.id), col(Ambassador.name)).where(col(Ambassador.id).in_(ids))
            ).all()
        )
    return {key: str(key) for key in ids}


def breakdown(session: Session, scope: Scope, period: Period, by: Dimension) -> list[BreakdownRow]:
    """The scope's figures per campaign, content, team, network or ambassador; most shares first."""
    grouped = grouped_totals(session, scope, period, (DIMENSION_COLUMNS[by],))
    labels = _labels(session, by, [key[0] for key in grouped])
    rows = []
    for (key,), totals in grouped.items():
        sums = totals.sums
        reach_parts = {
            MetricSource.REPORTED.value: sums["reach_reported"],
            MetricSource.ESTIMATED.value: sums["reach_estimated"],
        }
        rows.append(
            BreakdownRow(
                key=key,
                label=labels.get(key, "(none)") if key is not None else "(none)",
                shares=sums["shares"],
                ambassadors_sharing=totals.sharing,
                clicks=sums["clicks_total"],
                unique_clicks=sums["clicks_counted"],
                bot_clicks=sums["clicks_bot"],
                internal_clicks=sums["clicks_internal"],
                potential_reach=sum(reach_parts.values()),
                potential_reach_source=source_of(reach_parts),
                engagement=sum(totals.metric_parts(impressions=False).values()),
                impressions=sum(totals.metric_parts(impressions=True).values()),
            )
        )
    return sorted(rows, key=lambda row: (-row.shares, -row.unique_clicks, str(row.key)))


def authored_content_ids(session: Session, ambassador_id: int) -> tuple[int, ...]:
    """Content the ambassador wrote or suggested (produced or curated), whose travels they may follow."""
    ids = session.exec(select(Content.id).where(Content.author_id == ambassador_id)).all()
    return tuple(int(content_id) for content_id in ids if content_id is not None)


# -- entry points for the API and the dashboards ---------------------------------------------------


def check_scope(engine: Engine, session: Session, actor: Actor, scope: Scope) -> None:
    """Editors and admins read any scope; everyone else only their own figures.

    Raises:
        PermissionDenied: an ambassador asking for anything but their own figures.
        NotFound: the campaign, content or ambassador does not exist.
        ValidationFailed: the network is unknown.
    """
    if scope != Scope(ambassador_id=actor.ambassador_id):
        actor.require(Role.EDITOR, "reading analytics beyond your own")
    if scope.campaign_id is not None and session.get(Campaign, scope.campaign_id) is None:
        raise NotFound(f"campaign {scope.campaign_id} not found")
    if scope.content_id is not None and session.get(Content, scope.content_id) is None:
        raise NotFound(f"content {scope.content_id} not found")
    if scope.ambassador_id is not None and session.get(Ambassador, scope.ambassador_id) is None:
        raise NotFound(f"ambassador {scope.ambassador_id} not found")
    if scope.network is not None:
        engine.connector(scope.network)


def scoped_report(
    engine: Engine, session: Session, actor: Actor, scope: Scope, period: Period, interval: Interval
) -> Report:
    """:func:`report` after :func:`check_scope`."""
    check_scope(engine, session, actor, scope)
    return report(engine, session, scope, period, interval)


def scoped_breakdown(
    engine: Engine, session: Session, actor: Actor, scope: Scope, period: Period, by: Dimension
) -> list[BreakdownRow]:
    """:func:`breakdown` after :func:`check_scope`."""
    check_scope(engine, session, actor, scope)
    return breakdown(session, scope, period, by)


def authored_breakdown(session: Session, actor: Actor, period: Period) -> list[BreakdownRow]:
    """How the content the actor wrote or suggested travelled: its figures per content item."""
    return breakdown(
        session, Scope(content_ids=authored_content_ids(session, actor.ambassador_id)), period, Dimension.CONTENT
    )
