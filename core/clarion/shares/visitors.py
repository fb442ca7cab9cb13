"""Cookieless visitor hashes under a daily key that is destroyed once the duplicate window has passed.

``visitor_hash = HMAC-SHA256(day key, address + "\\n" + user agent)``, truncated to 128 bits: it
groups one day's requests by visitor, cannot be followed across days, and once the day's key is
deleted nobody can recompute it from an address. The address itself is never stored.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from clarion.errors import NotFound
from clarion.models import AmbassadorVisitor, VisitorKey, utcnow

# Ambassadors' own hashes are compared with clicks at ingestion, which may lag a little behind.
AMBASSADOR_VISITOR_DAYS = 2


def visitor_hash(secret: str, address: str, user_agent: str) -> str:
    """The visitor hash of ``address`` and ``user_agent`` under one day's ``secret``."""
    # hmac.digest: the one-shot C path, a third of hmac.new's cost on the redirect.
    return hmac.digest(bytes.fromhex(secret), f"{address}\n{user_agent}".encode(), "sha256").hex()[:32]


def _insert(session: Session) -> Any:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def day_secret(session: Session, day: date, *, today: date) -> str:
    """The key of ``day``, creating today's on first use; concurrent creators agree on one key.

    Raises:
        NotFound: the key of a past day is gone (or never existed): its hashes cannot be made again.
    """
    if day == today:
        statement = (
            _insert(session)(VisitorKey)
            .values(day=day, secret=secrets.token_hex(32), created_at=utcnow())
            .on_conflict_do_nothing(index_elements=["day"])
        )
        session.execute(statement)
    stored = session.get(VisitorKey, day)
    if stored is None:
        raise NotFound(f"the visitor key of {day.isoformat()} has been destroyed")
    return stored.secret


def purge_visitor_keys(session: Session, now: datetime, window: timedelta) -> int:
    """Destroy the keys of days that ended more than ``window`` ago, and old ambassador hashes.

    Returns:
        How many keys were destroyed.
    """
    # A day's key is needed while that day runs; the window is the grace for clocks and caches.
    newest_gone = (now - window).date() - timedelta(days=1)
    keys = session.execute(delete(VisitorKey).where(col(VisitorKey.day) <= newest_gone))
    session.execute(
        delete(AmbassadorVisitor).where(
            col(AmbassadorVisitor.day) < now.date() - timedelta(days=AMBASSADOR_VISITOR_DAYS)
        )
    )
    return int(keys.rowcount or 0)  # type: ignore[attr-defined]


def remember_ambassador_visitor(session: Session, ambassador_id: int, day: date, hashed: str) -> None:
    """Note that ``ambassador_id`` used Clarion as visitor ``hashed`` on ``day`` (for self-clicks)."""
    statement = (
        _insert(session)(AmbassadorVisitor)
        .values(ambassador_id=ambassador_id, day=day, visitor_hash=hashed)
        .on_conflict_do_nothing(index_elements=["ambassador_id", "day", "visitor_hash"])
    )
    session.execute(statement)


def ambassador_visitors(session: Session, days: set[date], hashes: set[str]) -> set[tuple[int, date, str]]:
    """Which of ``hashes`` on ``days`` belong to which ambassadors: ``{(ambassador_id, day, hash)}``."""
    if not days or not hashes:
        return set()
    rows = session.exec(
        select(
            col(AmbassadorVisitor.ambassador_id), col(AmbassadorVisitor.day), col(AmbassadorVisitor.visitor_hash)
        ).where(col(AmbassadorVisitor.day).in_(days), col(AmbassadorVisitor.visitor_hash).in_(hashes))
    ).all()
    return {(ambassador_id, day, hashed) for ambassador_id, day, hashed in rows}


class VisitorHasher:
    """Hashes visitors with today's key, kept in memory for the day (one database read per day).

    Thread-safe; only the current UTC day's key is ever held, so yesterday's leaves memory at
    midnight and the database row is purged by the ingester after the duplicate window.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._day: date | None = None
        self._secret = ""

    def cached(self, now: datetime) -> str | None:
        """Today's secret if already held, without touching the database."""
        return self._secret if self._day == now.date() else None

    def load(self, session: Session, now: datetime) -> str:
        """Today's secret, read (or created) in ``session`` when not held yet."""
        today = now.date()
        secret = self.cached(now)
        if secret is not None:
            return secret
        secret = day_secret(session, today, today=today)
        with self._lock:
            self._day, self._secret = today, secret
        return secret

    def forget(self) -> None:
        with self._lock:
            self._day, self._secret = None, ""
