"""What every API connector needs from HTTP: transport failures and rate-limit headers, translated once."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from clarion.connectors import ConnectorContext
from clarion.errors import Transient, UnknownOutcome

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
        Transient: nothing was sent, or a read was lost.
        UnknownOutcome: a creating request was sent but its answer lost.
    """
    try:
        return context.http.request(method, url, **kwargs)
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
    now = now or datetime.now(UTC)
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
