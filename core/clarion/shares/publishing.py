"""API publishing: claim a share, call the network, record the outcome; never lose a share or post it twice.

Every attempt is recorded (PUBLISHING, attempts + 1, ``publish_started_at``) and committed
*before* the network is called, and the result committed after. A share left PUBLISHING is
therefore one whose outcome is unknown: it is reconciled (``Connector.find_post``), never
published again until the network says the post does not exist.

Before claiming, the rate-limit store is asked whether the account's (or the app's) budget on
the network is spent; if so the share waits, SCHEDULED for the reset, without an attempt.
A share reaching FAILED records one ``share.failed`` event with the reason and the error kind.
"""

from __future__ import annotations

import logging
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.ambassadors.credentials import call_with_credential, mark_reconnect_needed
from clarion.connectors import (
    Connector,
    ConnectorContext,
    Credential,
    PublishedPost,
    RateLimitInfo,
    RateLimitScope,
    SharePost,
)
from clarion.db import after_commit
from clarion.engine import Engine
from clarion.errors import (
    ConnectorError,
    NotSupported,
    RateLimited,
    ReconnectNeeded,
    UnknownOutcome,
)
from clarion.event_log import record_event, record_share_event
from clarion.events import EventKind
from clarion.jobs import job_queue
from clarion.metrics.reach import snapshot_potential_reach
from clarion.models import (
    Ambassador,
    Campaign,
    Content,
    NetworkAccount,
    Share,
    ShareMethod,
    ShareStatus,
)
from clarion.shares import rate_limits
from clarion.shares.sharing import move_share, tracked_url, why_not_shareable

logger = logging.getLogger("clarion.publishing")

MAX_RETRY_DELAY = timedelta(hours=1)
CANNOT_CONFIRM = "could not confirm whether it was posted; check your profile"
# Error kinds in ``share.failed`` payloads that are not a connector error.
NOT_PUBLISHABLE = "not_publishable"
UNCONFIRMED = "unconfirmed"
UNKNOWN_OUTCOME = "unknown_outcome"

T = TypeVar("T")


def idempotency_key(share_id: int) -> str:
    """The key sent with every attempt of one share, so networks that honour keys post it once."""
    return f"clarion-share-{share_id}"


def retry_delay(engine: Engine, attempt: int, retry_after: float | None) -> float:
    """Seconds before the next attempt: what the network asked for, else exponential with jitter."""
    if retry_after is not None:
        return max(0.0, retry_after)
    exponential = engine.settings.publish_retry_seconds * 2 ** max(0, attempt - 1)
    return min(MAX_RETRY_DELAY.total_seconds(), exponential * random.uniform(0.5, 1.5))


@dataclass(frozen=True)
class _Attempt:
    """One claimed attempt: what the network call needs, and ``attempt`` to fence late results."""

    share_id: int
    attempt: int
    account_id: int
    network: str
    post: SharePost


def _lock_share(session: Session, share_id: int) -> Share | None:
    # A no-op UPDATE: the row lock on PostgreSQL, the write lock on SQLite. Two workers holding
    # the same task (or a task and the sweeper) serialise here; the second sees the first's work.
    session.execute(sa.update(Share).where(col(Share.id) == share_id).values(id=col(Share.id)))
    return session.get(Share, share_id, populate_existing=True)


def _is_due(share: Share, now: datetime) -> bool:
    if share.method is not ShareMethod.API:
        return False
    if share.status is ShareStatus.PLANNED:
        return True
    return share.status is ShareStatus.SCHEDULED and (share.scheduled_at is None or share.scheduled_at <= now)


def _account(session: Session, share: Share) -> NetworkAccount | None:
    return session.exec(
        select(NetworkAccount)
        .where(NetworkAccount.ambassador_id == share.ambassador_id, NetworkAccount.network == share.network)
        .order_by(NetworkAccount.id)  # type: ignore[arg-type]
    ).first()


def _attempt_for(engine: Engine, session: Session, share: Share, now: datetime) -> _Attempt | str:
    """What publishing ``share`` needs, or the sentence saying why it must not be published."""
    if share.network not in engine.connectors():
        return f"not published: this Clarion no longer has a connector for {share.network}"
    connector = engine.connector(share.network)
    ambassador = session.get(Ambassador, share.ambassador_id)
    if ambassador is None or not ambassador.is_active:
        state = ambassador.consent.value.replace("_", " ") if ambassador else "gone"
        return f"not published: you are {state}"
    content = session.get(Content, share.content_id)
    assert content is not None  # the foreign key restricts deleting shared content
    reason = why_not_shareable(content, now)
    if reason is not None:
        return f"not published: {reason}"
    account = _account(session, share)
    if account is None or account.credentials_encrypted is None:
        return f"connect your {connector.label} account to publish through the API"
    campaign = session.get(Campaign, content.campaign_id) if content.campaign_id else None
    assert share.id is not None
    assert account.id is not None
    post = SharePost(
        text=share.text,
        link=tracked_url(engine, share.link_code),
        title=content.title,
        hashtags=tuple(campaign.hashtags) if campaign else (),
        account_handle=account.handle,
        account_instance=account.instance,
        language=content.language,
    )
    return _Attempt(share.id, share.attempts, account.id, share.network, post)


def error_kind(error: ConnectorError) -> str:
    """The error's kind as ``share.failed`` payloads name it: ``RateLimited`` → ``rate_limited``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def _fail(session: Session, share: Share, reason: str, kind: str) -> None:
    """Move ``share`` to FAILED with ``reason`` and record ``share.failed`` once for this attempt."""
    move_share(share, ShareStatus.FAILED)
    share.last_error = reason[:2000]
    session.add(share)
    session.flush()
    assert share.id is not None
    # One event per failure: the attempt count tells a failure after a manual retry from a
    # replay of the same one, which the idempotency key turns into a no-op.
    record_event(
        session,
        EventKind.SHARE_FAILED,
        idempotency_key=f"{EventKind.SHARE_FAILED}:{share.id}:{share.attempts}",
        ambassador_id=share.ambassador_id,
        content_id=share.content_id,
        share_id=share.id,
        payload={
            "network": share.network,
            "method": share.method.value,
            "reason": share.last_error,
            "error": kind,
            "attempts": share.attempts,
        },
    )


def _wait_for_rate_limit(engine: Engine, session: Session, share: Share, until: datetime) -> None:
    """Leave ``share`` SCHEDULED for the budget's reset, without an attempt, and queue it for then."""
    if share.status is ShareStatus.PLANNED:
        move_share(share, ShareStatus.SCHEDULED)
    label = engine.connector(share.network).label
    share.scheduled_at = until
    share.last_error = f"waiting for the {label} rate limit until {until.isoformat(timespec='seconds')}"
    share.updated_at = engine.clock.now()
    session.add(share)
    share_id = share.id
    assert share_id is not None
    after_commit(session, lambda: job_queue(engine).publish(share_id, at=until))


def _claim(engine: Engine, share_id: int) -> _Attempt | None:
    """Record the attempt and commit it before the network hears anything; ``None`` = nothing to do."""
    now = engine.clock.now()
    with engine.transaction() as session:
        share = _lock_share(session, share_id)
        if share is None or not _is_due(share, now):
            return None  # cancelled, already done, rescheduled later, or claimed by another worker
        account = _account(session, share) if share.network in engine.connectors() else None
        if account is not None and account.id is not None:
            until = rate_limits.blocked_until(session, share.network, account.id, now)
            if until is not None:
                _wait_for_rate_limit(engine, session, share, until)
                return None
        move_share(share, ShareStatus.PUBLISHING)
        share.attempts += 1
        share.publish_started_at = now
        attempt = _attempt_for(engine, session, share, now)
        if isinstance(attempt, str):
            _fail(session, share, attempt, NOT_PUBLISHABLE)
        session.add(share)
    return attempt if isinstance(attempt, _Attempt) else None


def _with_credential(
    engine: Engine,
    attempt: _Attempt,
    call: Callable[[Connector, ConnectorContext, Credential], T],
    reported: list[RateLimitInfo],
) -> T:
    """Run ``call`` with a fresh credential; on AuthExpired refresh once and try once more.

    The budgets the connector reports are appended to ``reported``.
    """
    return call_with_credential(engine, attempt.account_id, call, rate_limit_reporter=reported.append)


def _reconnect_sentence(engine: Engine, network: str, detail: str) -> str:
    if "reconnect" in detail.lower() or "connect your" in detail.lower():
        return detail
    return f"reconnect your {engine.connector(network).label} account: {detail}"


def publish_share(engine: Engine, share_id: int) -> None:
    """Publish one API share if it is due; safe to run twice, late or after a cancel (a no-op then)."""
    attempt = _claim(engine, share_id)
    if attempt is None:
        return
    reported: list[RateLimitInfo] = []
    try:
        published = _with_credential(
            engine,
            attempt,
            lambda connector, context, credential: connector.publish(
                context, credential, attempt.post, idempotency_key=idempotency_key(share_id)
            ),
            reported,
        )
    except ConnectorError as exc:
        if isinstance(exc, RateLimited) and exc.retry_after is not None and not any(i.exhausted for i in reported):
            # A connector that only raised: its Retry-After still tells every worker to wait.
            reset_at = engine.clock.now() + timedelta(seconds=max(0.0, exc.retry_after))
            reported.append(RateLimitInfo(RateLimitScope.ACCOUNT, 0, reset_at))
        _store_rate_limits(engine, attempt, reported)
        _record_failure(engine, attempt, exc)
        return
    except Exception as exc:
        # A connector bug or a failure Clarion did not translate: the post may have gone out.
        logger.exception("publishing share %s failed unexpectedly", share_id)
        unknown = UnknownOutcome(f"publishing failed unexpectedly ({type(exc).__name__})", network=attempt.network)
        _store_rate_limits(engine, attempt, reported)
        _record_failure(engine, attempt, unknown)
        return
    _store_rate_limits(engine, attempt, reported)
    _record_published(engine, share_id, published)


def _store_rate_limits(engine: Engine, attempt: _Attempt, reported: list[RateLimitInfo]) -> None:
    if reported:
        with engine.transaction() as session:
            rate_limits.record(session, attempt.network, attempt.account_id, reported)


def _record_failure(engine: Engine, attempt: _Attempt, error: ConnectorError) -> None:
    now = engine.clock.now()
    reconnect = isinstance(error, ReconnectNeeded)
    with engine.transaction() as session:
        share = _lock_share(session, attempt.share_id)
        if share is None or share.status is not ShareStatus.PUBLISHING or share.attempts != attempt.attempt:
            return  # the sweeper or a later attempt has taken over this share
        if isinstance(error, UnknownOutcome):
            share.last_error = f"{error.detail}; checking whether the post went out"
            delay = engine.settings.publish_retry_seconds
            after_commit(session, lambda: job_queue(engine).reconcile(attempt.share_id, delay=delay))
        elif error.retryable and share.attempts < engine.settings.max_publish_attempts:
            move_share(share, ShareStatus.SCHEDULED)
            retry_at = now + timedelta(seconds=retry_delay(engine, share.attempts, error.retry_after))
            share.scheduled_at = retry_at
            share.last_error = f"{error.detail}; trying again at {retry_at.isoformat(timespec='seconds')}"
            after_commit(session, lambda: job_queue(engine).publish(attempt.share_id, at=retry_at))
        elif error.retryable:
            _fail(session, share, f"gave up after {share.attempts} attempts: {error.detail}", error_kind(error))
        elif reconnect:
            _fail(session, share, _reconnect_sentence(engine, share.network, error.detail), error_kind(error))
        else:
            _fail(session, share, error.detail, error_kind(error))
        if share.last_error is not None:
            share.last_error = share.last_error[:2000]
        session.add(share)
    if reconnect:
        # fresh_credential marks the account itself; a publish refused outright has not yet.
        mark_reconnect_needed(engine, attempt.account_id, error.detail)


def _record_published(engine: Engine, share_id: int, published: PublishedPost) -> None:
    now = engine.clock.now()
    with engine.transaction() as session:
        share = _lock_share(session, share_id)
        if share is None:
            logger.error("share %s was published as %s but no longer exists", share_id, published.external_id)
            return
        if share.status is ShareStatus.PUBLISHED:
            if share.external_post_id != published.external_id:
                logger.error(
                    "share %s exists twice on %s: %s and %s",
                    share_id,
                    share.network,
                    share.external_post_id,
                    published.external_id,
                )
            return
        # The network is the truth: whatever the share says now (publishing, rescheduled by a
        # reconcile that ran too early, failed), the post exists, so the share is published.
        share.status = ShareStatus.PUBLISHED
        share.updated_at = now
        share.external_post_id = published.external_id
        share.external_post_url = published.url
        share.published_at = published.published_at or now
        share.verified_at = now
        share.last_error = None
        snapshot_potential_reach(engine, session, share)
        session.add(share)
        session.flush()
        record_share_event(
            session,
            EventKind.SHARE_PUBLISHED,
            share,
            occurred_at=share.published_at,
            payload={"network": share.network, "method": share.method.value, "verified": True},
        )


# -- reconciling -----------------------------------------------------------------------------


def _claim_reconcile(engine: Engine, share_id: int) -> _Attempt | None:
    now = engine.clock.now()
    with engine.transaction() as session:
        share = _lock_share(session, share_id)
        if share is None or share.status is not ShareStatus.PUBLISHING:
            return None
        attempt = _attempt_for(engine, session, share, now)
        if isinstance(attempt, str):
            # Cannot even ask the network (account gone, ambassador left): a person must look.
            _fail(session, share, f"{CANNOT_CONFIRM} ({attempt})", UNCONFIRMED)
            return None
        return attempt


def _finish_reconcile(engine: Engine, attempt: _Attempt, *, retry: int | None, failure: str | None) -> None:
    """Not found (``failure`` None, ``retry`` None): publish again; ``retry``: ask again later; else FAILED."""
    with engine.transaction() as session:
        share = _lock_share(session, attempt.share_id)
        if share is None or share.status is not ShareStatus.PUBLISHING or share.attempts != attempt.attempt:
            return
        if failure is not None and retry is not None:
            delay = retry_delay(engine, retry, None)
            share.last_error = f"{failure}; checking again whether the post went out"[:2000]
            after_commit(session, lambda: job_queue(engine).reconcile(attempt.share_id, delay=delay, attempt=retry + 1))
        elif failure is not None:
            _fail(session, share, failure, UNCONFIRMED)
        elif share.attempts >= engine.settings.max_publish_attempts:
            reason = f"the post did not go out after {share.attempts} attempts: {share.last_error}"
            _fail(session, share, reason, UNKNOWN_OUTCOME)
        else:
            move_share(share, ShareStatus.SCHEDULED)
            share.scheduled_at = engine.clock.now()
            share.last_error = "the post did not go out; trying again"
            after_commit(session, lambda: job_queue(engine).publish(attempt.share_id))
        session.add(share)


def reconcile_share(engine: Engine, share_id: int, *, attempt: int = 1) -> None:
    """Find out whether a share stuck in PUBLISHING reached the network, and settle it.

    Found: PUBLISHED. Not found: safe to publish again (SCHEDULED now). The network cannot
    tell (``NotSupported``): FAILED, asking the ambassador to check, never retried blindly.
    """
    claimed = _claim_reconcile(engine, share_id)
    if claimed is None:
        return
    reported: list[RateLimitInfo] = []
    try:
        try:
            found = _with_credential(
                engine,
                claimed,
                lambda connector, context, credential: connector.find_post(
                    context, credential, claimed.post, idempotency_key=idempotency_key(share_id)
                ),
                reported,
            )
        finally:
            _store_rate_limits(engine, claimed, reported)
    except NotSupported:
        _finish_reconcile(engine, claimed, retry=None, failure=CANNOT_CONFIRM)
        return
    except ConnectorError as exc:
        if exc.retryable and attempt < engine.settings.max_publish_attempts:
            _finish_reconcile(engine, claimed, retry=attempt, failure=exc.detail)
        else:
            _finish_reconcile(engine, claimed, retry=None, failure=f"{CANNOT_CONFIRM} ({exc.detail})")
        return
    except Exception as exc:
        logger.exception("reconciling share %s failed unexpectedly", share_id)
        failure = f"{CANNOT_CONFIRM} ({type(exc).__name__})"
        _finish_reconcile(engine, claimed, retry=None, failure=failure)
        return
    if found is not None:
        _record_published(engine, share_id, found)
    else:
        _finish_reconcile(engine, claimed, retry=None, failure=None)


# -- sweeping ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Swept:
    """What one sweep handed to the workers."""

    due: tuple[int, ...]
    stuck: tuple[int, ...]


def sweep(engine: Engine) -> Swept:
    """Enqueue API shares that are due, and reconcile those publishing for longer than the timeout.

    Catches every share whose task was lost: an enqueue that failed after commit, a queue
    wiped, a worker killed mid-request (its share stays PUBLISHING: reconciled, never re-posted).
    """
    now = engine.clock.now()
    stuck_before = now - timedelta(seconds=engine.settings.publish_timeout_seconds)
    with engine.transaction() as session:
        due = session.exec(
            select(Share.id).where(
                Share.method == ShareMethod.API,
                sa.or_(
                    col(Share.status) == ShareStatus.PLANNED,
                    sa.and_(col(Share.status) == ShareStatus.SCHEDULED, col(Share.scheduled_at) <= now),
                ),
            )
        ).all()
        stuck = session.exec(
            select(Share.id).where(
                Share.status == ShareStatus.PUBLISHING,
                sa.or_(col(Share.publish_started_at).is_(None), col(Share.publish_started_at) <= stuck_before),
            )
        ).all()
    for share_id in due:
        assert share_id is not None
        job_queue(engine).publish(share_id)
    for share_id in stuck:
        assert share_id is not None
        job_queue(engine).reconcile(share_id)
    return Swept(tuple(i for i in due if i is not None), tuple(i for i in stuck if i is not None))
