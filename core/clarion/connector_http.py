"""What every API connector needs from HTTP: transport failures and rate-limit headers, translated once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from clarion.clock import utcnow
from clarion.connectors import ConnectorContext, RateLimitInfo, RateLimitScope
from clarion.errors import DestinationRefused, Transient, UnknownOutcome

# Reset headers above this are epoch timestamps; below it, seconds to wait (IETF draft versions differ).
EPOCH_THRESHOLD = 1e9


def send(
    context: ConnectorContext,
    method: str,
    url: str,
    *,
    network: str,
    label: str,
    creates: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """One request with failures of the transport translated into connector errors.

    Args:
        context: The connector context, whose HTTP client carries Clarion's timeouts.
        method: The HTTP method.
        url: The absolute URL.
        network: The connector's key, for the errors.
        label: The network's name, for the messages.
        creates: The request creates something (a post): losing the answer after sending
            leaves the outcome unknown, so it is never simply retried.
        **kwargs: Passed to ``httpx.Client.request``.

    Raises:
        DestinationRefused: the address is not public (and not allowed) or does not answer.
        Transient: nothing was sent, or a read was lost.
        UnknownOutcome: a creating request was sent but its answer lost.
    """
    try:
        return context.http.request(method, url, **kwargs)
    except DestinationRefused as exc:
        raise DestinationRefused(network=network) from exc
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise Transient(f"{label} could not be reached: {exc}", network=network) from exc
    except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        if creates:
            raise UnknownOutcome(f"{label} did not answer; the post may or may not exist", network=network) from exc
        raise Transient(f"{label} did not answer: {exc}", network=network) from exc
    except httpx.HTTPError as exc:
        raise Transient(f"the request to {label} failed: {exc}", network=network) from exc


def _seconds_until(moment: datetime, now: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def retry_after(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """Seconds to wait before retrying, from whichever rate-limit header the network sent.

    Understands ``Retry-After`` (seconds or an HTTP date), ``RateLimit-Reset`` (IETF draft:
    seconds or an epoch, Bluesky), ``x-rate-limit-reset`` (epoch seconds, X) and
    ``X-RateLimit-Reset`` (ISO 8601, Mastodon). ``None`` when the answer names no time.
    """
    now = now or utcnow()
    headers = response.headers
    if value := headers.get("retry-after"):
        seconds = _number(value)
        if seconds is not None:
            return max(0.0, seconds)
        try:
            return _seconds_until(parsedate_to_datetime(value), now)
        except (TypeError, ValueError):
            pass
    for name in ("ratelimit-reset", "x-rate-limit-reset", "x-ratelimit-reset", "x-user-limit-24hour-reset"):
        value = headers.get(name)
        if not value:
            continue
        number = _number(value)
        if number is not None:
            return max(0.0, number - now.timestamp()) if number > EPOCH_THRESHOLD else max(0.0, number)
        try:
            return _seconds_until(datetime.fromisoformat(value.replace("Z", "+00:00")), now)
        except ValueError:
            continue
    return None


# Header families naming one budget each: (prefix, whose budget). X sends its 15-minute window as
# ``x-rate-limit-*`` plus 24-hour windows per user and per app; Mastodon ``X-RateLimit-*``;
# Bluesky the IETF draft ``RateLimit-*``.
RATE_LIMIT_HEADERS: tuple[tuple[str, RateLimitScope | None], ...] = (
    ("x-rate-limit-", None),
    ("x-ratelimit-", None),
    ("ratelimit-", None),
    ("x-user-limit-24hour-", RateLimitScope.ACCOUNT),
    ("x-app-limit-24hour-", RateLimitScope.APP),
)


def _integer(value: str | None) -> int | None:
    number = _number(value) if value else None
    return int(number) if number is not None else None


def _reset_time(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    number = _number(value)
    if number is not None:
        seconds = number - now.timestamp() if number > EPOCH_THRESHOLD else number
        return now + timedelta(seconds=max(0.0, seconds))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def rate_limits(
    response: httpx.Response, *, scope: RateLimitScope = RateLimitScope.ACCOUNT, now: datetime | None = None
) -> list[RateLimitInfo]:
    """Every budget the answer names, normalised; empty when it names none.

    Args:
        response: Any answer of the network, successful or not.
        scope: Whose budget the generic headers count (``x-rate-limit-*``, ``X-RateLimit-*``,
            ``RateLimit-*``): the account for calls made with a user's token.
        now: The current time (tests).

    A 429 naming no exhausted budget but a ``Retry-After`` counts as ``scope`` being exhausted
    for that long; a 429 naming nothing at all (LinkedIn) yields nothing: see
    :func:`exhausted_until_utc_midnight`.
    """
    now = now or utcnow()
    headers = response.headers
    found: list[RateLimitInfo] = []
    for prefix, family_scope in RATE_LIMIT_HEADERS:
        remaining = _integer(headers.get(f"{prefix}remaining"))
        reset_at = _reset_time(headers.get(f"{prefix}reset"), now)
        if remaining is None and reset_at is None:
            continue
        limit = _integer(headers.get(f"{prefix}limit"))
        found.append(RateLimitInfo(family_scope or scope, remaining, reset_at, limit))
    if response.status_code == 429 and not any(info.exhausted for info in found):
        wait = retry_after(response, now=now)
        if wait is not None:
            found.append(RateLimitInfo(scope, 0, now + timedelta(seconds=wait)))
    return found


def report_rate_limits(
    context: ConnectorContext, response: httpx.Response, *, scope: RateLimitScope = RateLimitScope.ACCOUNT
) -> None:
    """Hand every budget named in ``response`` to the engine (see :func:`rate_limits`)."""
    for info in rate_limits(response, scope=scope):
        context.report_rate_limit(info)


def exhausted_until_utc_midnight(
    scope: RateLimitScope = RateLimitScope.ACCOUNT, *, now: datetime | None = None
) -> RateLimitInfo:
    """A daily budget spent until the next midnight UTC, for networks whose 429 names no time (LinkedIn)."""
    now = now or utcnow()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return RateLimitInfo(scope, 0, midnight)
