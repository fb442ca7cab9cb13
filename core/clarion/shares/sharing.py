"""Creating shares: consent, eligibility, the connector's text rules and the guardrails, then a tracked link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.connectors import Capability, SharePost
from clarion.content.content import get_content_row
from clarion.content.eligibility import shareable_query
from clarion.db import after_commit
from clarion.engine import Engine
from clarion.errors import Conflict, NotFound, ValidationFailed
from clarion.event_log import record_share_event
from clarion.events import EventKind
from clarion.guardrails import Severity, ShareDraft, Violation
from clarion.jobs import job_queue
from clarion.metrics.reach import snapshot_potential_reach
from clarion.models import (
    Ambassador,
    Campaign,
    Content,
    ContentStatus,
    NetworkAccount,
    Share,
    ShareMethod,
    ShareStatus,
    ShareText,
    utcnow,
)
from clarion.pagination import Page, PageRequest, paginate
from clarion.shares.link_codes import new_link_code

MAX_SCHEDULE_AHEAD = timedelta(days=31)

# Which status may follow which; everything else is a conflict.
SHARE_TRANSITIONS: dict[ShareStatus, frozenset[ShareStatus]] = {
    ShareStatus.PLANNED: frozenset(
        {ShareStatus.PUBLISHING, ShareStatus.PUBLISHED, ShareStatus.CANCELLED, ShareStatus.SCHEDULED}
    ),
    ShareStatus.SCHEDULED: frozenset({ShareStatus.PUBLISHING, ShareStatus.CANCELLED}),
    ShareStatus.PUBLISHING: frozenset({ShareStatus.PUBLISHED, ShareStatus.FAILED, ShareStatus.SCHEDULED}),
    ShareStatus.FAILED: frozenset({ShareStatus.SCHEDULED, ShareStatus.CANCELLED}),
    ShareStatus.PUBLISHED: frozenset(),
    ShareStatus.CANCELLED: frozenset(),
}


def move_share(share: Share, target: ShareStatus) -> None:
    """Set the share's status, refusing moves the lifecycle does not allow."""
    if target not in SHARE_TRANSITIONS[share.status]:
        raise Conflict(f"a share that is {share.status.value} cannot become {target.value}")
    share.status = target
    share.updated_at = utcnow()


@dataclass(frozen=True)
class ShareCreated:
    share: Share
    tracked_url: str
    share_intent_url: str | None
    warnings: tuple[Violation, ...] = ()


def lock_ambassador(session: Session, ambassador_id: int) -> None:
    """Serialise share creation per ambassador for the rest of the transaction.

    A no-op UPDATE takes the row lock on PostgreSQL and the write lock on SQLite, so
    guardrails that count earlier shares cannot be raced by a second request.
    """
    session.execute(sa.update(Ambassador).where(col(Ambassador.id) == ambassador_id).values(id=col(Ambassador.id)))


def tracked_url(engine: Engine, code: str) -> str:
    return f"{engine.settings.base_url.rstrip('/')}/r/{code}"


def _default_text(session: Session, content: Content, network: str) -> str:
    suggestion = session.exec(
        select(ShareText.text)
        .where(ShareText.content_id == content.id, ShareText.network == network)
        .order_by(ShareText.position)  # type: ignore[arg-type]
    ).first()
    return suggestion if suggestion is not None else content.title


def why_not_shareable(content: Content, now: datetime) -> str | None:
    """Why ``content`` cannot be shared at ``now``, or ``None`` when it can."""
    if content.status is not ContentStatus.APPROVED:
        return f"this content is {content.status.value.replace('_', ' ')}, not approved for sharing"
    if content.publish_at is not None and content.publish_at > now:
        return f"this content opens for sharing at {content.publish_at.isoformat()}"
    if content.expires_at is not None and content.expires_at <= now:
        return f"this content expired at {content.expires_at.isoformat()}"
    return None


def create_share(
    engine: Engine,
    session: Session,
    actor: Actor,
    *,
    content_id: int,
    network: str,
    text: str | None = None,
    method: ShareMethod = ShareMethod.INTENT,
    scheduled_at: datetime | None = None,
) -> ShareCreated:
    """Create a share for the actor, after every check passes; nothing is written otherwise.

    Raises:
        Conflict: the ambassador has not opted in, or the content is not open for sharing.
        NotFound: the content does not exist or is not for this ambassador.
        ValidationFailed: unknown network, text over the network's rules, a guardrail's
            objection, an unsupported method or a bad schedule.
    """
    now = engine.clock.now()
    lock_ambassador(session, actor.ambassador_id)
    ambassador = session.get(Ambassador, actor.ambassador_id)
    if ambassador is None:
        raise NotFound("ambassador not found")
    if not ambassador.is_active:
        raise Conflict(f"you are {ambassador.consent.value.replace('_', ' ')}: opt in (or resume) before sharing")
    connector = engine.connector(network)
    content = get_content_row(session, actor, content_id)
    reason = why_not_shareable(content, now)
    if reason is not None:
        raise Conflict(reason)
    if session.exec(shareable_query(ambassador, now).where(Content.id == content_id)).first() is None:
        raise NotFound(f"content {content_id} not found")  # not targeted to this ambassador
    account = session.exec(
        select(NetworkAccount)
        .where(NetworkAccount.ambassador_id == ambassador.id, NetworkAccount.network == network)
        .order_by(NetworkAccount.id)  # type: ignore[arg-type]
    ).first()
    if method is ShareMethod.API:
        if not connector.supports(Capability.API_PUBLISH):
            raise ValidationFailed(
                f"{connector.label} cannot publish through its API; share with the intent link", field="method"
            )
        if account is None or account.credentials_encrypted is None:
            raise ValidationFailed(f"connect your {connector.label} account to publish through the API", field="method")
        if scheduled_at is not None:
            _check_schedule(content, scheduled_at, now)
    elif scheduled_at is not None:
        raise ValidationFailed("only API shares can be scheduled; an intent share opens now", field="scheduled_at")
    final_text = (text if text is not None else _default_text(session, content, network)).strip()
    campaign = session.get(Campaign, content.campaign_id) if content.campaign_id else None
    code = new_link_code()
    link = tracked_url(engine, code)
    post = SharePost(
        text=final_text,
        link=link,
        title=content.title,
        hashtags=tuple(campaign.hashtags) if campaign else (),
        account_handle=account.handle if account else None,
        account_instance=account.instance if account else None,
        language=content.language,
    )
    check = connector.check_text(post)
    if not check.ok:
        raise ValidationFailed(check.problems, field="text")
    assert ambassador.id is not None
    assert content.id is not None
    draft = ShareDraft(ambassador.id, content.id, network, final_text, method.value, scheduled_at)
    findings = engine.share_violations(draft, session)
    blocking = [finding for finding in findings if finding.severity is Severity.BLOCK]
    if blocking:
        raise ValidationFailed([finding.message for finding in blocking], field="text")
    warnings = tuple(finding for finding in findings if finding.severity is Severity.WARN)
    share = Share(
        content_id=content.id,
        ambassador_id=ambassador.id,
        network=network,
        text=final_text,
        method=method,
        status=ShareStatus.SCHEDULED if scheduled_at else ShareStatus.PLANNED,
        scheduled_at=scheduled_at,
        link_code=code,
    )
    session.add(share)
    session.flush()
    record_share_event(
        session, EventKind.SHARE_CREATED, share, occurred_at=now, payload={"network": network, "method": method.value}
    )
    if method is ShareMethod.API:
        # Only once committed: a worker picking the task up earlier would not find the share.
        share_id = share.id
        assert share_id is not None
        after_commit(session, lambda: job_queue(engine).publish(share_id, at=scheduled_at))
    intent = connector.share_intent_url(post) if method is ShareMethod.INTENT else None
    return ShareCreated(share, link, intent, warnings)


def get_share(session: Session, actor: Actor, share_id: int) -> Share:
    """A share of the actor's own (admins may read any).

    Raises:
        NotFound: for other people's shares, so ids cannot be probed.
    """
    share = session.get(Share, share_id)
    if share is None or not (share.ambassador_id == actor.ambassador_id or actor.is_admin):
        raise NotFound(f"share {share_id} not found")
    return share


def list_shares(
    session: Session,
    actor: Actor,
    page: PageRequest,
    *,
    status: ShareStatus | None = None,
    network: str | None = None,
    ambassador_id: int | None = None,
) -> Page[Share]:
    """The actor's shares, newest first; admins may list anyone's with ``ambassador_id``."""
    owner = actor.ambassador_id
    if ambassador_id is not None and ambassador_id != actor.ambassador_id:
        actor.require(actor.role.ADMIN, "listing other people's shares")
        owner = ambassador_id
    query = select(Share).where(Share.ambassador_id == owner)
    if status is not None:
        query = query.where(Share.status == status)
    if network is not None:
        query = query.where(Share.network == network)
    return paginate(session, query.order_by(Share.created_at.desc(), Share.id.desc()), page)  # type: ignore[attr-defined,union-attr]


def cancel_share(session: Session, actor: Actor, share_id: int) -> Share:
    """Cancel a planned or scheduled share of one's own."""
    share = get_share(session, actor, share_id)
    if share.ambassador_id != actor.ambassador_id:
        raise NotFound(f"share {share_id} not found")
    move_share(share, ShareStatus.CANCELLED)
    session.add(share)
    session.flush()
    record_share_event(session, EventKind.SHARE_CANCELLED, share)
    return share


def _own_api_share(session: Session, actor: Actor, share_id: int) -> Share:
    share = get_share(session, actor, share_id)
    if share.ambassador_id != actor.ambassador_id:
        raise NotFound(f"share {share_id} not found")
    if share.method is not ShareMethod.API:
        raise Conflict("only shares Clarion publishes for you can be retried or rescheduled")
    return share


def _check_schedule(content: Content | None, scheduled_at: datetime, now: datetime) -> None:
    if scheduled_at <= now:
        raise ValidationFailed("scheduled_at must be in the future", field="scheduled_at")
    if scheduled_at > now + MAX_SCHEDULE_AHEAD:
        raise ValidationFailed("a share can be scheduled at most 31 days ahead", field="scheduled_at")
    if content is not None and content.expires_at is not None and scheduled_at >= content.expires_at:
        raise ValidationFailed(
            f"this content expires at {content.expires_at.isoformat()}; schedule the share before then",
            field="scheduled_at",
        )


def retry_share(engine: Engine, session: Session, actor: Actor, share_id: int) -> Share:
    """Publish a failed API share of one's own again, now; the same idempotency key keeps it single."""
    share = _own_api_share(session, actor, share_id)
    move_share(share, ShareStatus.SCHEDULED)
    share.scheduled_at = None
    session.add(share)
    session.flush()
    after_commit(session, lambda: job_queue(engine).publish(share_id, at=None))
    return share


def reschedule_share(engine: Engine, session: Session, actor: Actor, share_id: int, scheduled_at: datetime) -> Share:
    """Move a scheduled API share of one's own to another moment, checked by the guardrails again.

    Raises:
        Conflict: the share is not scheduled (any more).
        ValidationFailed: a bad moment, or a guardrail's objection (quiet hours, daily limits).
    """
    now = engine.clock.now()
    lock_ambassador(session, actor.ambassador_id)
    share = _own_api_share(session, actor, share_id)
    if share.status is not ShareStatus.SCHEDULED:
        raise Conflict(f"a share that is {share.status.value} cannot be rescheduled")
    _check_schedule(session.get(Content, share.content_id), scheduled_at, now)
    # The guardrails count shares already planned: this one must not count against its own new day.
    share.status = ShareStatus.CANCELLED
    session.flush()
    draft = ShareDraft(
        share.ambassador_id, share.content_id, share.network, share.text, share.method.value, scheduled_at
    )
    blocking = [f for f in engine.share_violations(draft, session) if f.severity is Severity.BLOCK]
    share.status = ShareStatus.SCHEDULED
    if blocking:
        raise ValidationFailed([finding.message for finding in blocking], field="scheduled_at")
    share.scheduled_at = scheduled_at
    share.updated_at = utcnow()
    session.add(share)
    session.flush()
    # The job queued for the old moment finds the share not yet due and does nothing.
    after_commit(session, lambda: job_queue(engine).publish(share_id, at=scheduled_at))
    return share


def _own_intent_share(session: Session, actor: Actor, share_id: int) -> Share:
    share = get_share(session, actor, share_id)
    if share.ambassador_id != actor.ambassador_id:
        raise NotFound(f"share {share_id} not found")
    if share.method is not ShareMethod.INTENT:
        raise Conflict("Clarion publishes API shares itself; only intent shares are opened and verified by hand")
    return share


def _publish_intent(engine: Engine, session: Session, share: Share, now: datetime, *, verified: bool) -> None:
    move_share(share, ShareStatus.PUBLISHED)
    share.published_at = now
    snapshot_potential_reach(engine, session, share)
    session.add(share)
    session.flush()
    record_share_event(
        session,
        EventKind.SHARE_PUBLISHED,
        share,
        occurred_at=now,
        payload={"network": share.network, "method": share.method.value, "verified": verified},
    )


def open_share(engine: Engine, session: Session, actor: Actor, share_id: int) -> Share:
    """Record that the ambassador opened the network's composer: published, not yet verified.

    Opening it again changes nothing.
    """
    share = _own_intent_share(session, actor, share_id)
    if share.status is ShareStatus.PUBLISHED:
        return share
    now = engine.clock.now()
    share.opened_at = now
    _publish_intent(engine, session, share, now, verified=False)
    return share


def check_post_url(engine: Engine, network: str, post_url: str) -> str:
    """``post_url`` if it is an https URL on the network's own hosts (any host when it names none).

    Raises:
        ValidationFailed: for any other URL.
    """
    connector = engine.connector(network)
    try:
        parts = urlsplit(post_url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        raise ValidationFailed("post_url is not a URL", field="post_url") from None
    if parts.scheme != "https" or not host:
        raise ValidationFailed("post_url must be an https:// link to your post", field="post_url")
    allowed = connector.post_url_hosts
    if allowed and not any(host == name or host.endswith(f".{name}") for name in allowed):
        raise ValidationFailed(
            f"post_url must be a link to your post on {connector.label} ({', '.join(sorted(allowed))})",
            field="post_url",
        )
    return post_url.strip()


def verify_share(engine: Engine, session: Session, actor: Actor, share_id: int, post_url: str) -> Share:
    """Confirm an intent share with the link to the post the ambassador made.

    A share not yet opened is published on the way. Verifying again with the same link changes
    nothing.

    Raises:
        NotFound: not the actor's share.
        Conflict: an API share, a cancelled one, or one already verified with another link.
        ValidationFailed: the link is not an https link on the network's hosts.
    """
    share = _own_intent_share(session, actor, share_id)
    url = check_post_url(engine, share.network, post_url)
    if share.verified_at is not None:
        if share.external_post_url == url:
            return share
        raise Conflict("this share is already verified with another link")
    now = engine.clock.now()
    if share.status is not ShareStatus.PUBLISHED:
        _publish_intent(engine, session, share, now, verified=True)
    share.verified_at = now
    share.external_post_url = url
    share.updated_at = now
    session.add(share)
    session.flush()
    record_share_event(session, EventKind.SHARE_VERIFIED, share, occurred_at=now, payload={"network": share.network})
    return share
