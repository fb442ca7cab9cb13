"""The rate-limit store: what networks said about call budgets, kept in the database for every worker.

Connectors report :class:`~clarion.connectors.RateLimitInfo` through their context; publishing
stores it here per (network, scope) and, before calling a network, asks :func:`blocked_until`
so that no worker on any machine calls a network whose budget is spent until it resets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from clarion.connectors import RateLimitInfo, RateLimitScope
from clarion.models import RateLimit, utcnow

APP_SCOPE = "app"


def scope_key(scope: RateLimitScope, account_id: int) -> str:
    """The stored scope: ``account:<id>`` for one account's budget, ``app`` for the shared one."""
    return APP_SCOPE if scope is RateLimitScope.APP else f"account:{account_id}"


def locked_row(session: Session, network: str, scope: str) -> RateLimit:
    """The row of (network, scope), created if missing, under its row lock until the transaction ends."""
    # Create the row if missing, then take its row lock: two workers reporting at once apply
    # their reports one after the other instead of the later one overwriting a block.
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(
        insert(RateLimit)
        .values(network=network, scope=scope, updated_at=utcnow())
        .on_conflict_do_nothing(index_elements=["network", "scope"])
    )
    where = (col(RateLimit.network) == network, col(RateLimit.scope) == scope)
    session.execute(sa.update(RateLimit).where(*where).values(id=col(RateLimit.id)))
    return session.exec(select(RateLimit).where(*where).execution_options(populate_existing=True)).one()


def record(session: Session, network: str, account_id: int, reports: Iterable[RateLimitInfo]) -> None:
    """Store what the network said; an exhausted budget blocks its scope until its reset.

    A block only ever moves later while it lies ahead, so a stale answer cannot lift it; the
    latest remaining/limit/reset are kept for people to read.
    """
    now = utcnow()
    for scope, infos in _by_scope(reports, account_id).items():
        row = locked_row(session, network, scope)
        latest = infos[-1]
        row.remaining, row.window_limit, row.reset_at = latest.remaining, latest.limit, latest.reset_at
        for info in infos:
            if info.exhausted and info.reset_at is not None and info.reset_at > now:
                if row.blocked_until is None or row.blocked_until < info.reset_at:
                    row.blocked_until = info.reset_at
                row.remaining, row.window_limit, row.reset_at = info.remaining, info.limit, info.reset_at
        row.updated_at = now
        session.add(row)


def _by_scope(reports: Iterable[RateLimitInfo], account_id: int) -> dict[str, list[RateLimitInfo]]:
    grouped: dict[str, list[RateLimitInfo]] = {}
    for info in reports:
        grouped.setdefault(scope_key(info.scope, account_id), []).append(info)
    return grouped


def blocked_until(session: Session, network: str, account_id: int, now: datetime | None = None) -> datetime | None:
    """When calls for this account may resume, if its budget or the app's is spent; else ``None``."""
    now = now or utcnow()
    scopes = (scope_key(RateLimitScope.ACCOUNT, account_id), APP_SCOPE)
    latest = session.exec(
        select(sa.func.max(RateLimit.blocked_until)).where(
            RateLimit.network == network,
            col(RateLimit.scope).in_(scopes),
            col(RateLimit.blocked_until) > now,
        )
    ).one()
    return latest if isinstance(latest, datetime) else None


def budgets(session: Session, network: str | None = None) -> list[RateLimit]:
    """The stored budgets, for people and tools to read."""
    query = select(RateLimit).order_by(col(RateLimit.network), col(RateLimit.scope))
    if network is not None:
        query = query.where(RateLimit.network == network)
    return list(session.exec(query).all())
