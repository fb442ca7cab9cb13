"""Cumulative metric samples: recording them idempotently, reading the latest values and a share's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.errors import NotFound, ValidationFailed
from clarion.models import MetricSample, MetricSource, MetricSync, Share, utcnow


def record_sample(
    session: Session,
    share_id: int,
    metric: str,
    value: int,
    *,
    source: MetricSource,
    observed_at: datetime,
    origin: str | None = None,
) -> bool:
    """Store one reading; the same (share, metric, source, time) again is a no-op.

    Args:
        origin: How the figure reached Clarion (:class:`clarion.models.MetricOrigin`).

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
            origin=origin,
        )
        .on_conflict_do_nothing(index_elements=["share_id", "metric", "source", "observed_at"])
        .returning(col(MetricSample.id))
    )
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
    result: Any = session.execute(statement)
    return result.scalar_one_or_none() is not None


def latest_sample(session: Session, share_id: int, metric: str, source: MetricSource) -> MetricSample | None:
    """The newest reading of one metric of a share from one source."""
    return session.exec(
        select(MetricSample)
        .where(MetricSample.share_id == share_id, MetricSample.metric == metric, MetricSample.source == source)
        .order_by(col(MetricSample.observed_at).desc())
        .limit(1)
    ).first()


def record_if_changed(
    session: Session,
    share_id: int,
    metric: str,
    value: int,
    *,
    source: MetricSource,
    observed_at: datetime,
    origin: str | None = None,
) -> bool:
    """Store a polled reading only when it differs from the newest one: polling twice adds nothing.

    Samples are cumulative, so an unchanged value carries no news; the time of the poll itself is
    kept on the share's sync record (:class:`clarion.models.MetricSync`).

    Returns:
        Whether a new sample was stored.
    """
    latest = latest_sample(session, share_id, metric, source)
    if latest is not None and latest.value == value and latest.observed_at <= observed_at:
        return False
    return record_sample(session, share_id, metric, value, source=source, observed_at=observed_at, origin=origin)


def share_history(session: Session, share_id: int) -> list[MetricSample]:
    """Every sample of a share, oldest first, then by metric and source."""
    return list(
        session.exec(
            select(MetricSample)
            .where(MetricSample.share_id == share_id)
            .order_by(
                col(MetricSample.observed_at), col(MetricSample.metric), col(MetricSample.source), col(MetricSample.id)
            )
        ).all()
    )


@dataclass(frozen=True)
class ShareMetrics:
    """A share's metric history and where its polling stands."""

    share: Share
    samples: list[MetricSample]
    sync: MetricSync | None


def read_share_metrics(session: Session, actor: Actor, share_id: int) -> ShareMetrics:
    """Every sample of a share, for its ambassador, editors and admins.

    Raises:
        NotFound: the share does not exist, or is another ambassador's (ids cannot be probed).
    """
    share = session.get(Share, share_id)
    if share is None or not (share.ambassador_id == actor.ambassador_id or actor.is_editor):
        raise NotFound(f"share {share_id} not found")
    return ShareMetrics(share, share_history(session, share_id), session.get(MetricSync, share_id))
