"""The metrics domain's figures, read from the daily rollups only, each with its provenance and formula.

What the admin home and the impact and campaign widgets show, and what the ``analytics`` plugin's
reports, breakdowns and dashboards are built on.

Provenance: *measured* is counted by Clarion itself (shares made through it, clicks through the
tracked-link redirect); *reported* comes from a network (follower counts, reactions, impressions);
*estimated* comes from a documented formula (a network's typical audience). A figure that adds
up parts of different provenance says ``mixed`` and lists its parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion import inputs
from clarion.content.eligibility import campaign_audience, content_audience
from clarion.emv import EmvValue, NetworkFigures
from clarion.engine import Engine
from clarion.errors import NotFound, ValidationFailed
from clarion.metrics.reach import ESTIMATED_FORMULA, REPORTED_FORMULA
from clarion.metrics.rollups import DAILY_SUMS
from clarion.models import (
    Ambassador,
    AnalyticsDaily,
    AnalyticsMetricDaily,
    Campaign,
    MetricSource,
)

IMPRESSIONS = "impressions"
# Metrics that are not interactions: impressions are their own figure, clicks come from the click
# table and potential reach from the shares, whatever a connector or import also sampled.
NOT_INTERACTIONS = frozenset({IMPRESSIONS, "clicks", "potential_reach", "reach", "views"})
MAX_PERIOD_DAYS = 3700  # ten years and change: any real reporting range
MIXED = "mixed"

DAILY = AnalyticsDaily.__table__  # type: ignore[attr-defined]
METRICS = AnalyticsMetricDaily.__table__  # type: ignore[attr-defined]


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, starting on Monday
    MONTH = "month"


@dataclass(frozen=True)
class Period:
    """UTC days from ``start`` to ``end``, both included."""

    start: date
    end: date

    @classmethod
    def checked(cls, start: date | None, end: date | None, *, today: date, default_days: int = 30) -> Period:
        """The period asked for; the last ``default_days`` days up to today by default.

        Raises:
            ValidationFailed: the end is before the start, a day is outside 1900-2999, or the period is too long.
        """
        end = inputs.check_day(end, "to") if end is not None else today
        start = inputs.check_day(start, "from") if start is not None else end - timedelta(days=default_days - 1)
        if end < start:
            raise ValidationFailed("the period ends before it starts: 'to' must not be before 'from'", field="to")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationFailed(f"a period can span at most {MAX_PERIOD_DAYS} days", field="from")
        return cls(start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Scope:
    """Which rollup rows a report covers; no field set means the whole programme."""

    campaign_id: int | None = None
    content_id: int | None = None
    team: str | None = None
    network: str | None = None
    ambassador_id: int | None = None
    content_ids: tuple[int, ...] | None = None  # e.g. the content a person authored

    def conditions(self, table: sa.Table, period: Period) -> list[Any]:
        found: list[Any] = [table.c.day >= period.start, table.c.day <= period.end]
        for name in ("campaign_id", "content_id", "team", "network", "ambassador_id"):
            value = getattr(self, name)
            if value is not None:
                found.append(table.c[name] == value)
        if self.content_ids is not None:
            found.append(table.c.content_id.in_(self.content_ids))
        return found


@dataclass(frozen=True)
class Figure:
    """One number of a report, with where it comes from and how it is made."""

    key: str
    label: str
    value: int | float | None
    source: str
    formula: str
    parts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Point:
    """One bucket of a time series."""

    start: date
    shares: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    potential_reach: int = 0
    engagement: int = 0
    impressions: int = 0


@dataclass(frozen=True)
class Goal:
    """A campaign target against what the period achieved.

    ``unit`` is ``count``, or ``percent`` for participation, whose target and actual are whole
    percentages of the campaign's audience.
    """

    key: str
    target: int
    actual: int
    source: str
    unit: str = "count"

    @property
    def progress(self) -> float:
        return round(self.actual / self.target, 4) if self.target else 1.0


@dataclass(frozen=True)
class Report:
    period: Period
    interval: Interval
    figures: list[Figure]
    series: list[Point]
    emv: list[EmvValue]
    goals: list[Goal] = field(default_factory=list)


@dataclass
class Totals:
    sums: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DAILY_SUMS, 0))
    metrics: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))  # (metric, source)
    sharing: int = 0

    def metric_parts(self, *, impressions: bool) -> dict[str, int]:
        parts: dict[str, int] = defaultdict(int)
        for (metric, source), value in self.metrics.items():
            if metric == IMPRESSIONS if impressions else metric not in NOT_INTERACTIONS:
                parts[source] += value
        return dict(parts)


def source_of(parts: dict[str, int]) -> str:
    present = sorted(source for source, value in parts.items() if value)
    if len(present) == 1:
        return present[0]
    return MIXED if present else next(iter(parts), MetricSource.REPORTED.value)


def _sum_columns() -> list[Any]:
    return [sa.func.coalesce(sa.func.sum(DAILY.c[name]), 0).label(name) for name in DAILY_SUMS]


def grouped_totals(
    session: Session, scope: Scope, period: Period, group: Sequence[str] = (), *, sharing: bool = True
) -> dict[tuple[Any, ...], Totals]:
    """Sums of the rollups in scope, grouped by rollup columns (one entry, key ``()``, without).

    ``sharing`` also counts the distinct ambassadors with a share in each group.
    """
    totals: dict[tuple[Any, ...], Totals] = defaultdict(Totals)
    daily_group = [DAILY.c[name] for name in group]
    for row in session.execute(
        sa.select(*daily_group, *_sum_columns()).where(*scope.conditions(DAILY, period)).group_by(*daily_group)
    ).all():
        key = tuple(row[: len(group)])
        totals[key].sums = {name: int(getattr(row, name)) for name in DAILY_SUMS}
    distinct_sharers = (
        sa.select(*daily_group, sa.func.count(sa.distinct(DAILY.c.ambassador_id)))
        .where(*scope.conditions(DAILY, period), DAILY.c.shares > 0)
        .group_by(*daily_group)
    )
    for row in session.execute(distinct_sharers).all() if sharing else ():
        totals[tuple(row[: len(group)])].sharing = int(row[-1])
    metric_group = [METRICS.c[name] for name in group]
    metric_rows = session.execute(
        sa.select(*metric_group, METRICS.c.metric, METRICS.c.source, sa.func.sum(METRICS.c.value))
        .where(*scope.conditions(METRICS, period))
        .group_by(*metric_group, METRICS.c.metric, METRICS.c.source)
    ).all()
    for row in metric_rows:
        *dimensions, metric, source, value = row
        totals[tuple(dimensions)].metrics[(metric, MetricSource(source).value)] += int(value)
    if not group and () not in totals:
        totals[()] = Totals()
    return totals


def opted_in_ambassadors(session: Session, scope: Scope, period: Period) -> int:
    """Who could share in scope during ``period``: opted in at some moment of it (in the team, or the
    content's or campaign's audience), plus whoever did share then, so participation stays <= 100 %."""
    began = datetime.combine(period.start, time(), tzinfo=UTC)
    ended = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=UTC)
    could_share = [
        col(Ambassador.opted_in_at).is_not(None),
        col(Ambassador.opted_in_at) < ended,
        sa.or_(col(Ambassador.paused_at).is_(None), col(Ambassador.paused_at) >= began),
        sa.or_(col(Ambassador.left_at).is_(None), col(Ambassador.left_at) >= began),
    ]
    if scope.team is not None:
        could_share.append(col(Ambassador.team) == scope.team)
    if scope.ambassador_id is not None:
        could_share.append(col(Ambassador.id) == scope.ambassador_id)
    if scope.content_id is not None:
        could_share.append(content_audience(session, [scope.content_id]))
    elif scope.campaign_id is not None:
        could_share.append(campaign_audience(session, scope.campaign_id))
    sharers = sa.select(DAILY.c.ambassador_id).where(*scope.conditions(DAILY, period), DAILY.c.shares > 0)
    query = select(sa.func.count()).where(sa.or_(sa.and_(*could_share), col(Ambassador.id).in_(sharers)))
    return int(session.exec(query).one())


def _figures(totals: Totals, opted_in: int | None) -> list[Figure]:
    sums = totals.sums
    shares, counted = sums["shares"], sums["clicks_counted"]
    reach_parts = {
        MetricSource.REPORTED.value: sums["reach_reported"],
        MetricSource.ESTIMATED.value: sums["reach_estimated"],
    }
    engagement = totals.metric_parts(impressions=False)
    impressions = totals.metric_parts(impressions=True)
    measured = MetricSource.MEASURED.value
    figures = [
        Figure("shares", "Shares", shares, measured, "shares published through Clarion (intent opened or API post)"),
        Figure(
            "ambassadors_sharing", "Ambassadors sharing", totals.sharing, measured, "distinct ambassadors with a share"
        ),
    ]
    if opted_in is not None:
        rate = round(totals.sharing / opted_in, 4) if opted_in else None
        figures += [
            Figure(
                "opted_in_ambassadors",
                "Opted-in ambassadors",
                opted_in,
                measured,
                "ambassadors opted in during the period (in the content's or campaign's audience), sharers included",
            ),
            Figure(
                "participation_rate",
                "Participation rate",
                rate,
                measured,
                "ambassadors sharing / opted-in ambassadors",
            ),
        ]
    figures += [
        Figure(
            "clicks_total", "Clicks (all requests)", sums["clicks_total"], measured, "every request to a tracked link"
        ),
        Figure(
            "clicks_unique",
            "Clicks",
            counted,
            measured,
            "tracked-link requests by people: not bots, not internal, not the sharer, not a repeat within the window",
        ),
        Figure("clicks_bot", "Bot requests", sums["clicks_bot"], measured, "requests flagged as bots or link previews"),
        Figure(
            "clicks_internal", "Internal clicks", sums["clicks_internal"], measured, "from configured office networks"
        ),
        Figure("clicks_self", "Own clicks", sums["clicks_self"], measured, "the sharer's own clicks"),
        Figure(
            "clicks_duplicate", "Repeat clicks", sums["clicks_duplicate"], measured, "same visitor within the window"
        ),
        Figure("clicks_qr", "QR scans", sums["clicks_qr"], measured, "clicks that arrived through the QR code"),
        Figure(
            "click_through_per_share",
            "Clicks per share",
            round(counted / shares, 4) if shares else None,
            measured,
            "counted clicks / shares",
        ),
        Figure(
            "potential_reach",
            "Potential reach",
            sum(reach_parts.values()),
            source_of(reach_parts),
            f"{REPORTED_FORMULA}; {ESTIMATED_FORMULA}",
            reach_parts,
        ),
        Figure(
            "engagement",
            "Engagement",
            sum(engagement.values()),
            source_of(engagement) if engagement else MetricSource.REPORTED.value,
            "increase of every interaction metric (reactions, comments, reposts…) over the period",
            engagement,
        ),
        Figure(
            "impressions",
            "Impressions",
            sum(impressions.values()),
            source_of(impressions) if impressions else MetricSource.REPORTED.value,
            "increase of the impressions the networks report over the period",
            impressions,
        ),
    ]
    return figures


def _distinct_sharers(session: Session, scope: Scope, period: Period) -> int:
    query = sa.select(sa.func.count(sa.distinct(DAILY.c.ambassador_id))).where(
        *scope.conditions(DAILY, period), DAILY.c.shares > 0
    )
    return int(session.execute(query).scalar_one())


def _add(into: Totals, other: Totals) -> None:
    for name, value in other.sums.items():
        into.sums[name] += value
    for key, value in other.metrics.items():
        into.metrics[key] += value


def emv_values(engine: Engine, per_network: dict[tuple[Any, ...], Totals]) -> list[EmvValue]:
    figures = []
    for (network,), totals in sorted(per_network.items()):
        impressions = [value for (metric, _source), value in totals.metrics.items() if metric == IMPRESSIONS]
        interactions: dict[str, int] = defaultdict(int)
        for (metric, _source), value in totals.metrics.items():
            if metric not in NOT_INTERACTIONS:
                interactions[metric] += value
        figures.append(
            NetworkFigures(
                network=network,
                shares=totals.sums["shares"],
                clicks=totals.sums["clicks_counted"],
                impressions=sum(impressions) if impressions else None,
                potential_reach=totals.sums["reach_reported"] + totals.sums["reach_estimated"],
                interactions=dict(interactions),
            )
        )
    values: list[EmvValue] = []
    for model in engine.emv_models().values():
        values.extend(model.value(figures))
    return values


def bucket_start(day: date, interval: Interval) -> date:
    if interval is Interval.WEEK:
        return day - timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    return day


def _series(by_day: dict[tuple[Any, ...], Totals], period: Period, interval: Interval) -> list[Point]:
    buckets: dict[date, dict[str, int]] = {}
    day = period.start
    while day <= period.end:
        buckets.setdefault(bucket_start(day, interval), defaultdict(int))
        day += timedelta(days=1)
    for (raw_day,), totals in by_day.items():
        current = raw_day if isinstance(raw_day, date) else date.fromisoformat(str(raw_day))
        bucket = buckets[bucket_start(current, interval)]
        bucket["shares"] += totals.sums["shares"]
        bucket["clicks"] += totals.sums["clicks_total"]
        bucket["unique_clicks"] += totals.sums["clicks_counted"]
        bucket["potential_reach"] += totals.sums["reach_reported"] + totals.sums["reach_estimated"]
        bucket["engagement"] += sum(totals.metric_parts(impressions=False).values())
        bucket["impressions"] += sum(totals.metric_parts(impressions=True).values())
    return [Point(start, **values) for start, values in sorted(buckets.items())]


def report(
    engine: Engine,
    session: Session,
    scope: Scope,
    period: Period,
    interval: Interval = Interval.DAY,
    *,
    with_participation: bool = True,
) -> Report:
    """Every figure of ``scope`` over ``period``, a time series and the EMV of every model."""
    # One pass over the rollups by (day, network) feeds the totals, the series and the EMV inputs.
    cells = grouped_totals(session, scope, period, ("day", "network"), sharing=False)
    totals = Totals()
    by_day: dict[tuple[Any, ...], Totals] = defaultdict(Totals)
    by_network: dict[tuple[Any, ...], Totals] = defaultdict(Totals)
    for (day, network), cell in cells.items():
        _add(totals, cell)
        _add(by_day[(day,)], cell)
        _add(by_network[(network,)], cell)
    totals.sharing = _distinct_sharers(session, scope, period) if cells else 0
    opted_in = opted_in_ambassadors(session, scope, period) if with_participation else None
    goals: list[Goal] = []
    if scope.campaign_id is not None and scope == Scope(campaign_id=scope.campaign_id):
        goals = campaign_goals(session, scope.campaign_id, totals, period)
    return Report(
        period=period,
        interval=interval,
        figures=_figures(totals, opted_in),
        series=_series(by_day, period, interval),
        emv=emv_values(engine, by_network),
        goals=goals,
    )


def campaign_participation(session: Session, campaign_id: int, period: Period) -> tuple[int, int]:
    """``(sharing, audience)``: the campaign's audience and how many of them shared it in ``period``.

    The audience is the ambassadors opted in now (not paused, not gone) whom at least one of the
    campaign's published content items is targeted to (:func:`campaign_audience`); ``sharing``
    counts those of them with a share of the campaign's content in the period. People who left or
    paused are in neither number, so the rate stays within 0-100 %.
    """
    in_audience = sa.and_(
        col(Ambassador.opted_in_at).is_not(None),
        col(Ambassador.paused_at).is_(None),
        col(Ambassador.left_at).is_(None),
        campaign_audience(session, campaign_id),
    )
    audience = int(session.execute(sa.select(sa.func.count()).select_from(Ambassador).where(in_audience)).scalar_one())
    if not audience:
        return 0, 0
    members = sa.select(col(Ambassador.id)).where(in_audience)
    sharing = session.execute(
        sa.select(sa.func.count(sa.distinct(DAILY.c.ambassador_id))).where(
            *Scope(campaign_id=campaign_id).conditions(DAILY, period),
            DAILY.c.shares > 0,
            DAILY.c.ambassador_id.in_(members),
        )
    ).scalar_one()
    return int(sharing), audience


def campaign_goals(session: Session, campaign_id: int, totals: Totals, period: Period) -> list[Goal]:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found")
    sums = totals.sums
    reach_parts = {
        MetricSource.REPORTED.value: sums["reach_reported"],
        MetricSource.ESTIMATED.value: sums["reach_estimated"],
    }
    found = []
    if campaign.goal_shares is not None:
        found.append(Goal("shares", campaign.goal_shares, sums["shares"], MetricSource.MEASURED.value))
    if campaign.goal_clicks is not None:
        found.append(Goal("clicks", campaign.goal_clicks, sums["clicks_counted"], MetricSource.MEASURED.value))
    if campaign.goal_reach is not None:
        found.append(Goal("potential_reach", campaign.goal_reach, sum(reach_parts.values()), source_of(reach_parts)))
    if campaign.goal_participation is not None:
        sharing, audience = campaign_participation(session, campaign_id, period)
        # Whole percentages, rounded down: a goal reads as met only once it is.
        percent = sharing * 100 // audience if audience else 0
        found.append(
            Goal("participation", campaign.goal_participation, percent, MetricSource.MEASURED.value, "percent")
        )
    return found
