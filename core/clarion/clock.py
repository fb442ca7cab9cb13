"""The clock: the one place Clarion asks what time it is, so tests move time instead of sleeping.

Every "now" in Clarion comes from a :class:`Clock`. The engine holds one (``engine.clock``) and
code that is given an engine asks it: ``engine.clock.now()``. Code with no engine in reach (a
table's default timestamp, a service that is handed only a session, a connector, a fake network)
calls :func:`utcnow`, which reads the clock of the engine transaction it runs in
(:meth:`clarion.engine.Engine.transaction` binds it) or, outside one, the process default.

In production every clock is a :class:`SystemClock`. Tests use a :class:`FrozenClock` (the
``clock`` fixture of :mod:`clarion.testing` builds one, installs it and hands it to the test's
engines), and move it::

    from datetime import UTC, datetime, timedelta

    from clarion.clock import FrozenClock, utcnow, using

    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with using(clock):
        assert utcnow() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        clock.move(timedelta(days=1))
        assert clock.today().isoformat() == "2026-03-03"
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Where "now" comes from."""

    def now(self) -> datetime:
        """The current moment, an aware datetime in UTC."""
        ...

    def today(self) -> date:
        """The current day in UTC."""
        ...


class SystemClock:
    """The computer's clock: the default, everywhere outside tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return self.now().date()

    def __repr__(self) -> str:
        return "SystemClock()"


class FrozenClock:
    """A clock that stands still until it is told to move: :meth:`set` and :meth:`move`.

    Safe to share between threads (a web test client's server thread reads it while the test
    moves it).

    Args:
        start: The first moment it shows, aware (converted to UTC); the system time when omitted.

    Raises:
        ValueError: ``start`` is a naive datetime.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _aware(start) if start is not None else datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def today(self) -> date:
        return self.now().date()

    def set(self, moment: datetime) -> datetime:
        """Show ``moment`` from now on (it may lie in the past); returns it in UTC.

        Raises:
            ValueError: ``moment`` is a naive datetime.
        """
        moment = _aware(moment)
        with self._lock:
            self._now = moment
        return moment

    def move(self, delta: timedelta) -> datetime:
        """Move the clock by ``delta`` (negative moves it back); returns the new moment."""
        with self._lock:
            self._now += delta
            return self._now

    def __repr__(self) -> str:
        return f"FrozenClock({self.now().isoformat()})"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; a clock shows aware UTC datetimes only")
    return moment.astimezone(UTC)


_default: Clock = SystemClock()
_bound: ContextVar[Clock | None] = ContextVar("clarion_clock", default=None)


def default_clock() -> Clock:
    """The process default: what engines built without a clock, and code outside a transaction, read."""
    return _default


def set_default_clock(clock: Clock) -> Clock:
    """Make ``clock`` the process default; returns the one it replaces (to put it back)."""
    global _default
    previous, _default = _default, clock
    return previous


def current_clock() -> Clock:
    """The clock bound by the innermost :func:`using` (an engine transaction), else the default."""
    bound = _bound.get()
    return bound if bound is not None else _default


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Bind ``clock`` for the block: :func:`utcnow` reads it there (in this thread or task)."""
    token = _bound.set(clock)
    try:
        yield clock
    finally:
        _bound.reset(token)


def utcnow() -> datetime:
    """Now, an aware UTC datetime, from :func:`current_clock`; for code given no engine."""
    return current_clock().now()


def utctoday() -> date:
    """Today in UTC, from :func:`current_clock`."""
    return current_clock().today()


__all__ = [
    "Clock",
    "FrozenClock",
    "SystemClock",
    "current_clock",
    "default_clock",
    "set_default_clock",
    "using",
    "utcnow",
    "utctoday",
]
