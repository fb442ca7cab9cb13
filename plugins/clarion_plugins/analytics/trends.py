"""Participation and earned media value per time bucket, for dashboard charts; read from the daily rollups only.

:func:`clarion.metrics.figures.report` gives the period's totals and a series of counts;
participation (distinct people sharing) and EMV do not add up across buckets, so each bucket
is computed on its own here, from the same rollup rows, in two queries whatever the bucket count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from clarion.engine import Engine
from clarion.metrics.figures import (
    DAILY,
    Goal,
    Interval,
    Period,
    Scope,
    Totals,
    bucket_start,
    campaign_goals,
    emv_values,
    grouped_totals,
)


@dataclass(frozen=True)
class EmvSeries:
    """One EMV model's value in one currency, per bucket (minor units), with how it is computed."""

    model: str
    label: str
    currency: str
    formula: str
    amounts: list[int]


@dataclass(frozen=True)
class Trends:
    """Per-bucket figures that cannot be summed from daily counts."""

    starts: list[date]
    ambassadors_sharing: list[int]
    emv: list[EmvSeries]


def _buckets(period: Period, interval: Interval) -> list[date]:
    starts: list[date] = []
    day = period.start
    while day <= period.end:
        start = bucket_start(day, interval)
        if not starts or starts[-1] != start:
            starts.append(start)
        day += timedelta(days=1)
    return starts


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def trends(engine: Engine, session: Session, scope: Scope, period: Period, interval: Interval) -> Trends:
    """Distinct ambassadors sharing and every EMV model's value, per bucket of ``interval`` in ``period``.

    A bucket's EMV is what a report over that bucket alone would say: the models value the bucket's own
    shares, clicks, reach and metric increases. The buckets need not add up to the period's EMV, since a
    model may choose its inputs per period (the CPM model values reach on a network only when the period
    has no impressions reported there).
    """
    starts = _buckets(period, interval)
    index = {start: position for position, start in enumerate(starts)}
    sharers: list[set[int]] = [set() for _ in starts]
    rows = session.execute(
        sa.select(DAILY.c.day, DAILY.c.ambassador_id)
        .where(*scope.conditions(DAILY, period), DAILY.c.shares > 0)
        .group_by(DAILY.c.day, DAILY.c.ambassador_id)
    ).all()
    for day, ambassador_id in rows:
        sharers[index[bucket_start(_as_date(day), interval)]].add(int(ambassador_id))

    cells = grouped_totals(session, scope, period, ("day", "network"), sharing=False)
    per_bucket: list[dict[tuple[Any, ...], Totals]] = [defaultdict(Totals) for _ in starts]
    for (day, network), cell in cells.items():
        into = per_bucket[index[bucket_start(_as_date(day), interval)]][(network,)]
        for name, value in cell.sums.items():
            into.sums[name] += value
        for key, value in cell.metrics.items():
            into.metrics[key] += value

    amounts: dict[tuple[str, str], list[int]] = {}
    described: dict[tuple[str, str], tuple[str, str]] = {}
    empty = emv_values(engine, {})  # every model and currency, even for a bucket without shares
    for valued in empty:
        amounts.setdefault((valued.model, valued.currency), [0] * len(starts))
        described[(valued.model, valued.currency)] = (valued.label, valued.formula)
    for position, networks in enumerate(per_bucket):
        if not networks:
            continue
        for valued in emv_values(engine, networks):
            key = (valued.model, valued.currency)
            amounts.setdefault(key, [0] * len(starts))[position] += valued.amount_minor
            described[key] = (valued.label, valued.formula)
    emv = [
        EmvSeries(model, described[(model, currency)][0], currency, described[(model, currency)][1], values)
        for (model, currency), values in amounts.items()
    ]
    return Trends(starts=starts, ambassadors_sharing=[len(people) for people in sharers], emv=emv)


def goals_per_campaign(
    session: Session, scope: Scope, period: Period, campaign_ids: Sequence[int]
) -> dict[int, list[Goal]]:
    """Each campaign's goals against the period's actuals, from one grouped read of the rollups.

    The same goals as :func:`clarion.metrics.figures.report` gives a campaign's report, without a
    report per campaign.
    """
    per_campaign = grouped_totals(session, scope, period, ("campaign_id",))
    return {
        campaign_id: campaign_goals(session, campaign_id, per_campaign.get((campaign_id,), Totals()), period)
        for campaign_id in campaign_ids
    }
