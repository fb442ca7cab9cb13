"""Cumulative metric samples: recording them idempotently and reading the latest values."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion.errors import ValidationFailed
from clarion.models import MetricSample, MetricSource, utcnow


def record_sample(
    session: Session,
    share_id: int,
    metric: str,
    value: int,
    *,
    source: MetricSource,
    observed_at: datetime,
) -> bool:
    """Store one reading; the same (share, metric, source, time) again is a no-op.

    Returns:
        Whether a new sample was stored.
    """
    if value < 0:
        raise ValidationFailed("a metric value cannot be negative", field="value")
    if not metric:
        raise ValidationFailed("a metric needs a name", field="metric")
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(MetricSample)
        .values(
            share_id=share_id,
            metric=metric,
            value=value,
            source=source,
            observed_at=observed_at,
            recorded_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["share_id", "metric", "source", "observed_at"])
    )
    result: Any = session.execute(statement)
    return bool(result.rowcount)


def latest_values(session: Session, share_id: int) -> dict[tuple[str, MetricSource], int]:
    """The most recent value of each metric for a share, per source."""
    newest = (
        select(MetricSample.metric, MetricSample.source, sa.func.max(MetricSample.observed_at).label("at"))
        .where(MetricSample.share_id == share_id)
        .group_by(MetricSample.metric, MetricSample.source)
        .subquery()
    )
    rows = session.execute(
        select(MetricSample.metric, MetricSample.source, MetricSample.value)
        .join(
            newest,
            sa.and_(
                col(MetricSample.metric) == newest.c.metric,
                col(MetricSample.source) == newest.c.source,
                col(MetricSample.observed_at) == newest.c.at,
            ),
        )
        .where(MetricSample.share_id == share_id)
    ).all()
    return {(metric, MetricSource(source)): int(value) for metric, source, value in rows}
