"""Daily rollups: raw shares, clicks and metric samples folded incrementally, or rebuilt from scratch.

Three raw sources each have a watermark (the last id folded in): ``share_event`` (the
``share.published`` events), ``click`` and ``metric_sample``. An update locks the watermark rows
(so two workers run one after the other, never twice over the same rows), folds the next batch
of each source, moves the watermarks and commits, until nothing is left. Rows younger than
``analytics_settle_seconds`` wait for the next update: ids are handed out before commit, so a
young row may still have an uncommitted neighbour with a smaller id.

A rebuild empties the rollups and recomputes them with set-based SQL over the raw tables; the
property tests hold it equal to any sequence of incremental updates.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from clarion.engine import Engine
from clarion.events import EventKind
from clarion.models import (
    Ambassador,
    AnalyticsDaily,
    AnalyticsMetricDaily,
    AnalyticsWatermark,
    Click,
    Content,
    Event,
    MetricSample,
    MetricSource,
    Share,
    utcnow,
)

SHARE_EVENTS = "share_event"
CLICKS = "click"
METRIC_SAMPLES = "metric_sample"
SOURCES = (SHARE_EVENTS, CLICKS, METRIC_SAMPLES)

DAILY_SUMS = (
    "shares",
    "reach_reported",
    "reach_estimated",
    "clicks_total",
    "clicks_counted",
    "clicks_bot",
    "clicks_internal",
    "clicks_self",
    "clicks_duplicate",
    "clicks_qr",
)

DailyKey = tuple[date, int, int, str]  # day, ambassador, content, network
MetricKey = tuple[date, int, int, str, str, MetricSource]  # … metric, source


@dataclass
class UpdateReport:
    """Raw rows folded in, per source, and how many batches it took."""

    folded: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SOURCES, 0))
    batches: int = 0

    @property
    def total(self) -> int:
        return sum(self.folded.values())


@dataclass
class _Facts:
    """One batch's contribution, before it is added to the tables."""

    daily: dict[DailyKey, dict[str, int]] = field(
        default_factory=lambda: defaultdict(lambda: dict.fromkeys(DAILY_SUMS, 0))
    )
    metrics: dict[MetricKey, int] = field(default_factory=lambda: defaultdict(int))
    labels: dict[tuple[int, int], tuple[int | None, str | None]] = field(default_factory=dict)  # campaign, team


def utc_day(moment: datetime) -> date:
    return moment.date()  # stored datetimes are UTC


def day_expression(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.func.date(column)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


# -- locking and watermarks -----------------------------------------------------------------------


def _lock_watermarks(session: Session) -> dict[str, int]:
    """Create missing watermark rows, lock them all for this transaction, and read them.

    PostgreSQL locks the rows (``FOR UPDATE``); on SQLite the no-op UPDATE takes the database's
    write lock. Either way a second updater waits here and then sees the first one's watermarks.
    """
    insert = _insert(session)
    session.execute(
        insert(AnalyticsWatermark)
        .values([{"source": source, "last_id": 0, "updated_at": utcnow()} for source in SOURCES])
        .on_conflict_do_nothing(index_elements=["source"])
    )
    table = AnalyticsWatermark.__table__  # type: ignore[attr-defined]
    session.execute(sa.update(table).values(last_id=table.c.last_id))
    rows = session.execute(sa.select(table.c.source, table.c.last_id).with_for_update()).all()
    return {source: int(last_id) for source, last_id in rows}


def _move_watermark(session: Session, source: str, last_id: int) -> None:
    table = AnalyticsWatermark.__table__  # type: ignore[attr-defined]
    session.execute(sa.update(table).where(table.c.source == source).values(last_id=last_id, updated_at=utcnow()))


def _settled(rows: list[Any], cutoff: datetime | None) -> list[Any]:
    """The rows before the first one recorded after ``cutoff`` (rows come in id order)."""
    if cutoff is None:
        return rows
    for index, row in enumerate(rows):
        if row.recorded_at > cutoff:
            return rows[:index]
    return rows


# -- folding one batch per source ---------------------------------------------------------------------


def _share_dims() -> list[Any]:
    return [
        col(Share.id).label("share_id"),
        col(Share.ambassador_id),
        col(Share.content_id),
        col(Share.network),
        col(Content.campaign_id),
        col(Ambassador.team),
    ]


def _join_dims(query: Any, share_id: Any) -> Any:
    return (
        query.join(Share, col(Share.id) == share_id)
        .join(Content, col(Content.id) == col(Share.content_id))
        .join(Ambassador, col(Ambassador.id) == col(Share.ambassador_id))
    )


def _fold_share_events(
    session: Session, facts: _Facts, after: int, limit: int, cutoff: datetime | None
) -> tuple[int, int]:
    query = _join_dims(
        sa.select(
            col(Event.id),
            col(Event.occurred_at),
            col(Event.recorded_at),
            col(Share.potential_reach),
            col(Share.potential_reach_source),
            *_share_dims(),
        ),
        col(Event.share_id),
    )
    query = query.where(col(Event.kind) == EventKind.SHARE_PUBLISHED.value, col(Event.id) > after)
    rows = _settled(list(session.execute(query.order_by(col(Event.id)).limit(limit)).all()), cutoff)
    for row in rows:
        key = (utc_day(row.occurred_at), row.ambassador_id, row.content_id, row.network)
        facts.labels[(row.ambassador_id, row.content_id)] = (row.campaign_id, row.team)
        sums = facts.daily[key]
        sums["shares"] += 1
        if row.potential_reach is not None:
            column = "reach_reported" if row.potential_reach_source == MetricSource.REPORTED else "reach_estimated"
            sums[column] += int(row.potential_reach)
    return len(rows), rows[-1].id if rows else after


def _fold_clicks(session: Session, facts: _Facts, after: int, limit: int, cutoff: datetime | None) -> tuple[int, int]:
    query = _join_dims(
        sa.select(
            col(Click.id),
            col(Click.occurred_at),
            col(Click.recorded_at),
            col(Click.counted),
            col(Click.bot_reason),
            col(Click.is_internal),
            col(Click.is_self),
            col(Click.is_duplicate),
            col(Click.via_qr),
            *_share_dims(),
        ),
        col(Click.share_id),
    ).where(col(Click.id) > after)
    rows = _settled(list(session.execute(query.order_by(col(Click.id)).limit(limit)).all()), cutoff)
    for row in rows:
        key = (utc_day(row.occurred_at), row.ambassador_id, row.content_id, row.network)
        facts.labels[(row.ambassador_id, row.content_id)] = (row.campaign_id, row.team)
        sums = facts.daily[key]
        sums["clicks_total"] += 1
        sums["clicks_counted"] += int(bool(row.counted))
        sums["clicks_bot"] += int(row.bot_reason is not None)
        sums["clicks_internal"] += int(bool(row.is_internal))
        sums["clicks_self"] += int(bool(row.is_self))
        sums["clicks_duplicate"] += int(bool(row.is_duplicate))
        sums["clicks_qr"] += int(bool(row.via_qr))
    return len(rows), rows[-1].id if rows else after


def _fold_metric_samples(
    session: Session, facts: _Facts, after: int, limit: int, cutoff: datetime | None
) -> tuple[int, int]:
    """Each sample adds its increase over the reading before it (in observation time).

    A sample may arrive late, observed before readings already folded: it then also takes its
    value back from the next reading's increase, so the sums always telescope to the rebuild's.
    """
    query = _join_dims(
        sa.select(
            col(MetricSample.id),
            col(MetricSample.metric),
            col(MetricSample.source),
            col(MetricSample.value),
            col(MetricSample.observed_at),
            col(MetricSample.recorded_at),
            *_share_dims(),
        ),
        col(MetricSample.share_id),
    ).where(col(MetricSample.id) > after)
    rows = _settled(list(session.execute(query.order_by(col(MetricSample.id)).limit(limit)).all()), cutoff)
    if not rows:
        return 0, after
    last_id = rows[-1].id
    dims = {row.share_id: row for row in rows}
    # Every earlier reading of the series the batch touches, to find each sample's neighbours.
    known: dict[tuple[int, str, str], list[tuple[datetime, int, int]]] = defaultdict(list)
    earlier = session.execute(
        sa.select(
            col(MetricSample.share_id),
            col(MetricSample.metric),
            col(MetricSample.source),
            col(MetricSample.observed_at),
            col(MetricSample.id),
            col(MetricSample.value),
        ).where(col(MetricSample.share_id).in_(list(dims)), col(MetricSample.id) <= after)
    ).all()
    for share_id, metric, source, observed_at, sample_id, value in earlier:
        known[(share_id, metric, MetricSource(source).value)].append((observed_at, sample_id, int(value)))
    for series in known.values():
        series.sort()
    for row in rows:
        source = MetricSource(row.source)
        series = known[(row.share_id, row.metric, source.value)]
        position = bisect.bisect_left(series, (row.observed_at,))
        previous = series[position - 1][2] if position > 0 else 0
        facts.labels[(row.ambassador_id, row.content_id)] = (row.campaign_id, row.team)
        base = (row.ambassador_id, row.content_id, row.network, row.metric, source)
        facts.metrics[(utc_day(row.observed_at), *base)] += int(row.value) - previous
        if position < len(series):  # a later reading was folded already: its increase shrinks
            facts.metrics[(utc_day(series[position][0]), *base)] -= int(row.value) - previous
        series.insert(position, (row.observed_at, row.id, int(row.value)))
    return len(rows), last_id


FOLDERS = {SHARE_EVENTS: _fold_share_events, CLICKS: _fold_clicks, METRIC_SAMPLES: _fold_metric_samples}


def _apply(session: Session, facts: _Facts, *, empty: bool = False) -> None:
    """Add a batch's sums to the rollup rows, creating the rows that do not exist yet.

    ``empty`` (a rebuild) inserts plainly: there is nothing to add to.
    """
    insert = _insert(session)
    if facts.daily:
        table = AnalyticsDaily.__table__  # type: ignore[attr-defined]
        statement = insert(table)
        statement = (
            statement
            if empty
            else statement.on_conflict_do_update(
                index_elements=["day", "ambassador_id", "content_id", "network"],
                set_={
                    **{name: table.c[name] + statement.excluded[name] for name in DAILY_SUMS},
                    "campaign_id": statement.excluded.campaign_id,
                    "team": statement.excluded.team,
                },
            )
        )
        session.execute(
            statement,
            [
                {
                    "day": day,
                    "ambassador_id": ambassador_id,
                    "content_id": content_id,
                    "network": network,
                    "campaign_id": facts.labels[(ambassador_id, content_id)][0],
                    "team": facts.labels[(ambassador_id, content_id)][1],
                    **sums,
                }
                for (day, ambassador_id, content_id, network), sums in sorted(facts.daily.items())
            ],
        )
    if facts.metrics:
        table = AnalyticsMetricDaily.__table__  # type: ignore[attr-defined]
        statement = insert(table)
        statement = (
            statement
            if empty
            else statement.on_conflict_do_update(
                index_elements=["day", "ambassador_id", "content_id", "network", "metric", "source"],
                set_={
                    "value": table.c.value + statement.excluded.value,
                    "campaign_id": statement.excluded.campaign_id,
                    "team": statement.excluded.team,
                },
            )
        )
        session.execute(
            statement,
            [
                {
                    "day": day,
                    "ambassador_id": ambassador_id,
                    "content_id": content_id,
                    "network": network,
                    "metric": metric,
                    "source": source,
                    "campaign_id": facts.labels[(ambassador_id, content_id)][0],
                    "team": facts.labels[(ambassador_id, content_id)][1],
                    "value": value,
                }
                for (day, ambassador_id, content_id, network, metric, source), value in sorted(
                    facts.metrics.items(), key=lambda item: (*item[0][:5], item[0][5].value)
                )
            ],
        )


def update_batch(engine: Engine, *, batch_size: int | None = None, settle_seconds: float | None = None) -> UpdateReport:
    """Fold at most one batch per source, in one transaction. Safe to run from several workers."""
    limit = batch_size or engine.settings.analytics_batch_size
    settle = engine.settings.analytics_settle_seconds if settle_seconds is None else settle_seconds
    cutoff = engine.clock.now() - timedelta(seconds=settle) if settle > 0 else None
    report = UpdateReport(batches=1)
    with engine.transaction() as session:
        watermarks = _lock_watermarks(session)
        facts = _Facts()
        for source in SOURCES:
            folded, last_id = FOLDERS[source](session, facts, watermarks[source], limit, cutoff)
            report.folded[source] = folded
            if folded:
                _move_watermark(session, source, last_id)
        _apply(session, facts)
    return report


def update(engine: Engine, *, batch_size: int | None = None, settle_seconds: float | None = None) -> UpdateReport:
    """Fold every settled raw row not yet in the rollups, one batch per transaction."""
    limit = batch_size or engine.settings.analytics_batch_size
    report = UpdateReport()
    while True:
        batch = update_batch(engine, batch_size=limit, settle_seconds=settle_seconds)
        report.batches += 1
        for source, folded in batch.folded.items():
            report.folded[source] += folded
        if max(batch.folded.values()) < limit:
            return report


# -- rebuilding ----------------------------------------------------------------------------------


def _max_id(session: Session, column: Any, *conditions: Any) -> int:
    return int(session.execute(sa.select(sa.func.coalesce(sa.func.max(column), 0)).where(*conditions)).scalar_one())


def _group_dims(session: Session, moment: Any) -> list[Any]:
    return [
        day_expression(session, moment).label("day"),
        col(Share.ambassador_id),
        col(Share.content_id),
        col(Share.network),
        col(Content.campaign_id),
        col(Ambassador.team),
    ]


def _grouped(session: Session, moment: Any, sums: Iterable[Any], share_id: Any, *conditions: Any) -> list[Any]:
    dims = _group_dims(session, moment)
    query = _join_dims(sa.select(*dims, *sums), share_id).where(*conditions).group_by(*dims)
    return list(session.execute(query).all())


def rebuild(engine: Engine) -> UpdateReport:
    """Empty the rollups and recompute them from every raw row, in one transaction."""
    report = UpdateReport(batches=1)
    with engine.transaction() as session:
        _lock_watermarks(session)
        published = col(Event.kind) == EventKind.SHARE_PUBLISHED.value
        last = {
            SHARE_EVENTS: _max_id(session, col(Event.id), published),
            CLICKS: _max_id(session, col(Click.id)),
            METRIC_SAMPLES: _max_id(session, col(MetricSample.id)),
        }
        session.execute(sa.delete(AnalyticsDaily))
        session.execute(sa.delete(AnalyticsMetricDaily))
        facts = _Facts()

        def as_int(expression: Any) -> Any:
            return sa.func.coalesce(sa.func.sum(sa.case((expression, 1), else_=0)), 0)

        reach = col(Share.potential_reach)
        shares = _grouped(
            session,
            col(Event.occurred_at),
            [
                sa.func.count().label("shares"),
                sa.func.sum(
                    sa.case((col(Share.potential_reach_source) == MetricSource.REPORTED.value, reach), else_=0)
                ).label("reach_reported"),
                sa.func.sum(
                    sa.case((col(Share.potential_reach_source) == MetricSource.ESTIMATED.value, reach), else_=0)
                ).label("reach_estimated"),
            ],
            col(Event.share_id),
            published,
            col(Event.id) <= last[SHARE_EVENTS],
        )
        clicks = _grouped(
            session,
            col(Click.occurred_at),
            [
                sa.func.count().label("clicks_total"),
                as_int(col(Click.counted)).label("clicks_counted"),
                as_int(col(Click.bot_reason).is_not(None)).label("clicks_bot"),
                as_int(col(Click.is_internal)).label("clicks_internal"),
                as_int(col(Click.is_self)).label("clicks_self"),
                as_int(col(Click.is_duplicate)).label("clicks_duplicate"),
                as_int(col(Click.via_qr)).label("clicks_qr"),
            ],
            col(Click.share_id),
            col(Click.id) <= last[CLICKS],
        )
        for rows, names in ((shares, DAILY_SUMS[:3]), (clicks, DAILY_SUMS[3:])):
            for row in rows:
                key = (_as_date(row.day), row.ambassador_id, row.content_id, row.network)
                facts.labels[(row.ambassador_id, row.content_id)] = (row.campaign_id, row.team)
                for name in names:
                    facts.daily[key][name] += int(getattr(row, name) or 0)
        report.folded[SHARE_EVENTS] = sum(int(row.shares) for row in shares)
        report.folded[CLICKS] = sum(int(row.clicks_total) for row in clicks)
        increases = (
            sa.select(
                col(MetricSample.share_id).label("share_id"),
                col(MetricSample.metric).label("metric"),
                col(MetricSample.source).label("source"),
                col(MetricSample.observed_at).label("observed_at"),
                (
                    col(MetricSample.value)
                    - sa.func.coalesce(
                        sa.func.lag(col(MetricSample.value)).over(
                            partition_by=(
                                col(MetricSample.share_id),
                                col(MetricSample.metric),
                                col(MetricSample.source),
                            ),
                            order_by=col(MetricSample.observed_at),
                        ),
                        0,
                    )
                ).label("increase"),
            )
            .where(col(MetricSample.id) <= last[METRIC_SAMPLES])
            .subquery()
        )
        dims = [*_group_dims(session, increases.c.observed_at), increases.c.metric, increases.c.source]
        metric_rows = session.execute(
            _join_dims(
                sa.select(*dims, sa.func.sum(increases.c.increase).label("value"), sa.func.count().label("samples")),
                increases.c.share_id,
            ).group_by(*dims)
        ).all()
        for row in metric_rows:
            metric_key: MetricKey = (
                _as_date(row.day),
                row.ambassador_id,
                row.content_id,
                row.network,
                row.metric,
                MetricSource(row.source),
            )
            facts.labels[(row.ambassador_id, row.content_id)] = (row.campaign_id, row.team)
            facts.metrics[metric_key] += int(row.value)
            report.folded[METRIC_SAMPLES] += int(row.samples)
        _apply(session, facts, empty=True)
        for source, last_id in last.items():
            _move_watermark(session, source, last_id)
    return report
