"""Polling networks for share metrics: recent posts often, older ones rarely, none past the maximum age.

One run takes the shares that are due (``MetricSync.next_sync_at``), groups them by network
account, and asks each account's connector for at most ``metrics_account_budget`` posts, in
chunks of the connector's ``metrics_batch_size``. Readings are stored only when a value changed
(:func:`clarion.metrics.metrics.record_if_changed`), so polling twice adds nothing.

- A rate limit stops that account for this run: its remaining shares wait until the network's
  ``retry_after`` (or ``metrics_rate_limit_wait_seconds``); figures already read are kept. Budgets
  the network reports go to the rate-limit store shared with publishing, and a budget spent there
  (by a publish, another run or this one) defers the account's shares before any call.
- A refused sign-in marks the account "reconnect needed"; its shares are skipped until the
  ambassador connects again.
- A network that cannot report these figures (no scope, no API) is asked again at the next
  scheduled time, with the reason kept on the sync record.

Shares are claimed (``next_sync_at`` pushed ahead by :data:`CLAIM_LEASE`) before the network is
called, so two workers running a sync at once never poll the same post twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion.ambassadors.credentials import call_with_credential, connector_context
from clarion.config import PollStep
from clarion.connectors import (
    Capability,
    Connector,
    ConnectorContext,
    Credential,
    MetricsSnapshot,
    RateLimitInfo,
    RateLimitScope,
)
from clarion.engine import Engine
from clarion.errors import (
    ConnectorError,
    MissingPermission,
    NotFound,
    NotSupported,
    RateLimited,
    ReconnectNeeded,
)
from clarion.metrics.metrics import record_if_changed
from clarion.models import (
    AccountStatus,
    Ambassador,
    MetricOrigin,
    MetricSource,
    MetricSync,
    NetworkAccount,
    Share,
    ShareStatus,
)
from clarion.shares import rate_limits

logger = logging.getLogger("clarion.metrics")

# How long a claimed share stays out of other runs while its network is asked.
CLAIM_LEASE = timedelta(minutes=10)


def poll_interval(steps: Sequence[PollStep], age: timedelta) -> timedelta | None:
    """How long until a post of ``age`` is polled again; ``None`` once it is past the last step."""
    for step in steps:
        if age < step.until:
            return step.every
    return None


@dataclass(frozen=True)
class Due:
    """A share whose figures are to be read."""

    share_id: int
    ambassador_id: int
    network: str
    external_id: str
    published_at: datetime


@dataclass
class AccountPlan:
    """The shares of one ambassador on one network that one run asks about."""

    ambassador_id: int
    network: str
    account_id: int | None
    shares: list[Due]
    over_budget: int = 0
    skipped_reason: str | None = None


@dataclass
class SyncReport:
    """What one run did (or, for a dry run, would do)."""

    dry_run: bool
    plans: list[AccountPlan] = field(default_factory=list)
    polled: int = 0
    samples: int = 0
    deferred: int = 0
    failed: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def due(self) -> int:
        return sum(len(plan.shares) + plan.over_budget for plan in self.plans)


def _external_id(connector: Connector, share: Share) -> str | None:
    if share.external_post_id:
        return share.external_post_id
    if share.verified_at is not None and share.external_post_url:
        return connector.post_id_from_url(share.external_post_url)
    return None


def due_shares(engine: Engine, session: Session, now: datetime, *, share_id: int | None = None) -> list[Due]:
    """Published shares on networks with metrics, younger than the last step, due at ``now``, of
    ambassadors still in the programme.

    With ``share_id``, that share alone, due or not (but still only if it can be polled).
    """
    steps = engine.settings.poll_schedule()
    networks = [key for key, connector in engine.connectors().items() if connector.supports(Capability.METRICS)]
    if not networks:
        return []
    query = (
        select(Share, MetricSync.next_sync_at)
        .join(MetricSync, col(MetricSync.share_id) == col(Share.id), isouter=True)
        .join(Ambassador, col(Ambassador.id) == col(Share.ambassador_id))
        .where(
            # Someone who left the programme is no longer watched, not even their old posts.
            col(Ambassador.left_at).is_(None),
            Share.status == ShareStatus.PUBLISHED,
            col(Share.network).in_(networks),
            col(Share.published_at) > now - steps[-1].until,
            sa.or_(col(Share.external_post_id).is_not(None), col(Share.verified_at).is_not(None)),
        )
    )
    if share_id is not None:
        query = query.where(Share.id == share_id)
    else:
        query = query.where(sa.or_(col(MetricSync.next_sync_at).is_(None), col(MetricSync.next_sync_at) <= now))
    # Never polled first, then the longest overdue.
    query = query.order_by(col(MetricSync.next_sync_at).is_not(None), col(MetricSync.next_sync_at), col(Share.id))
    found = []
    for share, _next in session.exec(query).all():
        external_id = _external_id(engine.connector(share.network), share)
        if external_id is None or share.published_at is None:
            continue
        assert share.id is not None
        found.append(Due(share.id, share.ambassador_id, share.network, external_id, share.published_at))
    return found


def plan(engine: Engine, now: datetime | None = None, *, share_id: int | None = None) -> list[AccountPlan]:
    """The shares a run at ``now`` would poll, per account, within each account's budget."""
    now = now or engine.clock.now()
    budget = engine.settings.metrics_account_budget
    with engine.transaction() as session:
        due = due_shares(engine, session, now, share_id=share_id)
        if share_id is not None and not due:
            _explain_not_pollable(engine, session, share_id, now)
        groups: dict[tuple[int, str], list[Due]] = defaultdict(list)
        for item in due:
            groups[(item.ambassador_id, item.network)].append(item)
        plans = []
        for (ambassador_id, network), items in groups.items():
            account = session.exec(
                select(NetworkAccount)
                .where(NetworkAccount.ambassador_id == ambassador_id, NetworkAccount.network == network)
                .order_by(col(NetworkAccount.id))
            ).first()
            account_plan = AccountPlan(
                ambassador_id,
                network,
                account.id if account is not None and account.credentials_encrypted is not None else None,
                items[:budget],
                over_budget=max(0, len(items) - budget),
            )
            if account is not None and account.status is AccountStatus.RECONNECT_NEEDED:
                account_plan.skipped_reason = f"the {engine.connector(network).label} account needs reconnecting"
            plans.append(account_plan)
    return plans


def _explain_not_pollable(engine: Engine, session: Session, share_id: int, now: datetime) -> None:
    share = session.get(Share, share_id)
    if share is None:
        raise NotFound(f"share {share_id} not found")
    ambassador = session.get(Ambassador, share.ambassador_id)
    if ambassador is not None and ambassador.left_at is not None:
        raise NotSupported(f"share {share_id} belongs to someone who left the programme", network=share.network)
    if share.status is not ShareStatus.PUBLISHED:
        raise NotSupported(f"share {share_id} is {share.status.value}, not published", network=share.network)
    connector = engine.connector(share.network)
    if not connector.supports(Capability.METRICS):
        raise NotSupported(f"{connector.label} reports no metrics to Clarion", network=share.network)
    if _external_id(connector, share) is None:
        raise NotSupported(
            f"share {share_id} names no post {connector.label} can be asked about "
            "(not published through the API, nor verified with a link Clarion can read)",
            network=share.network,
        )
    max_age = engine.settings.poll_schedule()[-1].until
    raise NotSupported(
        f"share {share_id} is older than {max_age.days} days; its metrics are no longer polled",
        network=share.network,
    )


def _claim(engine: Engine, shares: Sequence[Due], now: datetime, *, forced: bool) -> list[Due]:
    """Push the shares' next sync ahead by the lease; only those this run moved are its to poll."""
    lease = now + CLAIM_LEASE
    claimed = []
    with engine.transaction() as session:
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        for item in shares:
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT … ON CONFLICT DO NOTHING.
            inserted = session.execute(
                insert(MetricSync)
                .values(share_id=item.share_id, next_sync_at=lease)
                .on_conflict_do_nothing(index_elements=["share_id"])
                .returning(col(MetricSync.share_id))
            ).scalar_one_or_none()
            if inserted is not None:
                claimed.append(item)
                continue
            update = sa.update(MetricSync).where(col(MetricSync.share_id) == item.share_id)
            if not forced:
                update = update.where(col(MetricSync.next_sync_at) <= now)
            updated = cast("sa.CursorResult[Any]", session.execute(update.values(next_sync_at=lease)))
            if updated.rowcount == 1:
                claimed.append(item)
    return claimed


def _settle(
    engine: Engine,
    shares: Sequence[Due],
    now: datetime,
    *,
    next_at: datetime | None = None,
    synced: bool = False,
    error: str | None = None,
) -> None:
    """Record the outcome for ``shares``: when next due (``None``: by the schedule from ``now``), and why."""
    steps = engine.settings.poll_schedule()
    with engine.transaction() as session:
        for item in shares:
            row = session.get(MetricSync, item.share_id)
            if row is None:
                continue  # the share was deleted meanwhile
            due_at = next_at
            if due_at is None:
                interval = poll_interval(steps, now - item.published_at)
                # Past the last step: never due again; the age filter keeps it out anyway.
                due_at = now + interval if interval is not None else item.published_at + steps[-1].until
            row.next_sync_at = due_at
            if synced:
                row.last_synced_at = now
            row.last_error = error[:2000] if error else None
            session.add(row)


def _store(engine: Engine, shares: Sequence[Due], snapshots: Sequence[MetricsSnapshot], now: datetime) -> int:
    """Record the figures of ``snapshots`` for ``shares``; the number of new samples."""
    by_post: dict[str, list[Due]] = defaultdict(list)
    for item in shares:
        by_post[item.external_id].append(item)
    stored = 0
    with engine.transaction() as session:
        for snapshot in snapshots:
            for item in by_post.get(snapshot.external_id, []):
                for metric, value in snapshot.values().items():
                    if value < 0:
                        continue  # a network's nonsense is not a reading
                    stored += record_if_changed(
                        session,
                        item.share_id,
                        metric,
                        value,
                        source=MetricSource.REPORTED,
                        observed_at=snapshot.observed_at,
                        origin=MetricOrigin.API,
                    )
    found = {snapshot.external_id for snapshot in snapshots}
    _settle(engine, [item for item in shares if item.external_id in found], now, synced=True)
    missing = [item for item in shares if item.external_id not in found]
    if missing:
        _settle(engine, missing, now, synced=True, error="the network did not return this post (deleted?)")
    return stored


def _fetch(engine: Engine, account_plan: AccountPlan, chunk: Sequence[Due]) -> list[MetricsSnapshot]:
    """The chunk's figures; whatever the network says of its budgets meanwhile is stored, even on failure."""
    ids = list(dict.fromkeys(item.external_id for item in chunk))
    reported: list[RateLimitInfo] = []

    def read(connector: Connector, context: ConnectorContext, credential: Credential | None) -> list[MetricsSnapshot]:
        return connector.fetch_metrics(context, credential, ids)

    try:
        if account_plan.account_id is None:
            connector = engine.connector(account_plan.network)
            with connector_context(engine, connector, rate_limit_reporter=reported.append) as context:
                return read(connector, context, None)
        return call_with_credential(engine, account_plan.account_id, read, rate_limit_reporter=reported.append)
    except RateLimited as exc:
        if exc.retry_after is not None and not any(info.exhausted for info in reported):
            # A connector that only raised: its Retry-After still tells every worker to wait.
            reset_at = engine.clock.now() + timedelta(seconds=max(0.0, exc.retry_after))
            reported.append(RateLimitInfo(RateLimitScope.ACCOUNT, 0, reset_at))
        raise
    finally:
        if reported:
            with engine.transaction() as session:
                rate_limits.record(session, account_plan.network, account_plan.account_id or 0, reported)


def _held_for(engine: Engine, account_plan: AccountPlan) -> timedelta | None:
    """How long the account's (or the app's) spent budget still holds, as publishing and earlier runs stored it.

    Budgets are facts of the wall clock (a network's reset time), so this reads the clock, not the run's ``now``.
    """
    clock = engine.clock.now()
    with engine.transaction() as session:
        until = rate_limits.blocked_until(session, account_plan.network, account_plan.account_id or 0, clock)
    return None if until is None else until - clock


def _defer(
    engine: Engine,
    connector: Connector,
    account_plan: AccountPlan,
    shares: Sequence[Due],
    now: datetime,
    retry_at: datetime,
    report: SyncReport,
) -> None:
    reason = f"rate limited by {connector.label}; next try at {retry_at.isoformat(timespec='seconds')}"
    _settle(engine, shares, now, next_at=retry_at, error=reason)
    report.deferred += len(shares)
    report.messages.append(f"{connector.label} account of ambassador {account_plan.ambassador_id}: {reason}")


def _sync_account(
    engine: Engine, account_plan: AccountPlan, now: datetime, report: SyncReport, *, forced: bool
) -> None:
    connector = engine.connector(account_plan.network)
    claimed = _claim(engine, account_plan.shares, now, forced=forced)
    size = max(1, connector.metrics_batch_size)
    for start in range(0, len(claimed), size):
        chunk = claimed[start : start + size]
        rest = claimed[start:]
        held = _held_for(engine, account_plan)
        if held is not None:
            # A spent budget (seen by publishing, another run or this one): no call before it resets.
            _defer(engine, connector, account_plan, rest, now, now + max(held, timedelta(seconds=1)), report)
            return
        try:
            snapshots = _fetch(engine, account_plan, chunk)
        except RateLimited as exc:
            wait = exc.retry_after if exc.retry_after is not None else engine.settings.metrics_rate_limit_wait_seconds
            _defer(engine, connector, account_plan, rest, now, now + timedelta(seconds=max(wait, 1.0)), report)
            return
        except ReconnectNeeded as exc:
            # The account is marked; its shares wait, due, until the ambassador connects again.
            _settle(engine, rest, now, next_at=now, error=exc.detail)
            report.failed += len(rest)
            report.messages.append(f"ambassador {account_plan.ambassador_id}: {exc.detail}")
            return
        except (NotSupported, MissingPermission) as exc:
            _settle(engine, rest, now, error=exc.detail)
            report.failed += len(rest)
            report.messages.append(f"{connector.label}: {exc.detail}")
            return
        except ConnectorError as exc:
            # Transient and the like: the next run asks again (runs are minutes apart, never a loop).
            _settle(engine, rest, now, next_at=now, error=exc.detail)
            report.failed += len(rest)
            report.messages.append(f"{connector.label}: {exc.detail}")
            return
        except Exception as exc:
            logger.exception("reading %s metrics failed unexpectedly", account_plan.network)
            _settle(engine, rest, now, error=f"reading metrics failed ({type(exc).__name__})")
            report.failed += len(rest)
            report.messages.append(f"{connector.label}: reading metrics failed ({type(exc).__name__})")
            return
        report.samples += _store(engine, chunk, snapshots, now)
        report.polled += len(chunk)


def sync(
    engine: Engine, *, now: datetime | None = None, share_id: int | None = None, dry_run: bool = False
) -> SyncReport:
    """Poll the networks for the figures of every due share (or of ``share_id`` now, due or not).

    Args:
        engine: The engine.
        now: The moment deciding what is due (the current time by default).
        share_id: Poll only this share, ignoring its schedule.
        dry_run: Say what would be polled; call no network and write nothing.

    Raises:
        NotFound: ``share_id`` does not exist.
        NotSupported: ``share_id`` cannot be polled (not published, no post id, too old, …).
    """
    now = now or engine.clock.now()
    report = SyncReport(dry_run=dry_run, plans=plan(engine, now, share_id=share_id))
    if dry_run:
        return report
    for account_plan in report.plans:
        if account_plan.skipped_reason is not None:
            report.messages.append(f"ambassador {account_plan.ambassador_id}: {account_plan.skipped_reason}")
            continue
        _sync_account(engine, account_plan, now, report, forced=share_id is not None)
    return report
