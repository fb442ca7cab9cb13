"""Throttling of guesses: too many failed sign-ins or refused tokens from one address answer ``429``.

Failures are counted in the rate-limit store (decision 0018) under the pseudo-network
``clarion``, one row per door and client address (a keyed hash: no address is stored). A row
counts down from the allowance over a fixed window; at zero the address is blocked until the
window ends, and every attempt through that door answers ``429`` with ``Retry-After``.
Successful attempts are not counted, so a busy office behind one address is never blocked by
its own sign-ins. Time comes from the engine's clock.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta
from enum import StrEnum

from litestar.exceptions import TooManyRequestsException
from sqlmodel import col, delete, select

from clarion.engine import Engine
from clarion.models import RateLimit
from clarion.shares.rate_limits import locked_row

NETWORK = "clarion"  # Clarion's own doors, beside the networks' budgets in the same store


class Door(StrEnum):
    SIGNIN = "signin"  # /admin/signin and POST /api/v1/sessions: single-use identity tokens
    TOKEN = "token"  # bearer tokens on any route: API tokens, signed tokens, session tokens


def _scope(engine: Engine, door: Door, address: str | None) -> str:
    digest = hmac.new(engine.settings.secret_key.encode(), f"throttle:{address}".encode(), hashlib.sha256)
    return f"{door.value}:{digest.hexdigest()[:40]}"


def _allowance(engine: Engine, door: Door) -> int:
    settings = engine.settings
    return settings.signin_failures_allowed if door is Door.SIGNIN else settings.token_failures_allowed


def check(engine: Engine, door: Door, address: str | None) -> None:
    """Refuse an attempt from a blocked address.

    Raises:
        TooManyRequestsException: ``429`` with ``Retry-After`` in seconds.
    """
    now = engine.clock.now()
    with engine.transaction() as session:
        blocked_until = session.exec(
            select(RateLimit.blocked_until).where(
                col(RateLimit.network) == NETWORK, col(RateLimit.scope) == _scope(engine, door, address)
            )
        ).first()
    if blocked_until is not None and blocked_until > now:
        seconds = max(1, math.ceil((blocked_until - now).total_seconds()))
        raise TooManyRequestsException(
            detail=f"too many failed attempts from your address; try again in {seconds} seconds",
            headers={"Retry-After": str(seconds)},
        )


def failed(engine: Engine, door: Door, address: str | None) -> None:
    """Count one failed attempt; the last one the allowance permits blocks the address until the window ends."""
    now = engine.clock.now()
    with engine.transaction() as session:
        # Windows long over are forgotten, so the store holds only addresses seen lately.
        session.exec(
            delete(RateLimit).where(
                col(RateLimit.network) == NETWORK, col(RateLimit.reset_at) < now - timedelta(days=1)
            )
        )
        row = locked_row(session, NETWORK, _scope(engine, door, address))
        if row.reset_at is None or row.reset_at <= now or row.remaining is None:
            row.window_limit = _allowance(engine, door)
            row.remaining = row.window_limit
            row.reset_at = now + timedelta(seconds=engine.settings.failure_window_seconds)
        row.remaining -= 1
        if row.remaining <= 0:
            row.blocked_until = row.reset_at
        row.updated_at = now
        session.add(row)
