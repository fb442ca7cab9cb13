"""Rate-limit headers of every network read the same way; transport failures become connector errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from clarion.connector_http import (
    exhausted_until_utc_midnight,
    rate_limits,
    report_rate_limits,
    retry_after,
    send,
)
from clarion.connectors import ConnectorContext, RateLimitInfo, RateLimitScope
from clarion.errors import Transient

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"Retry-After": "Sun, 22 Nov 2026 12:01:00 GMT"}, 60.0),
        ({"RateLimit-Reset": "45"}, 45.0),  # IETF draft: seconds to wait
        ({"RateLimit-Reset": str(int(NOW.timestamp()) + 90)}, 90.0),  # Bluesky: epoch
        ({"x-rate-limit-reset": str(int(NOW.timestamp()) + 120)}, 120.0),  # X: epoch
        ({"X-RateLimit-Reset": "2026-11-22T12:05:00Z"}, 300.0),  # Mastodon: ISO 8601
        ({"X-RateLimit-Reset": "2026-11-22T11:00:00Z"}, 0.0),  # already passed: retry now
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
def test_retry_after_understands_every_networks_header(headers, seconds):
    assert retry_after(httpx.Response(429, headers=headers), now=NOW) == seconds


def test_an_unreachable_server_is_transient():
    with httpx.Client(timeout=1) as http:
        context = ConnectorContext(http=http)
        with pytest.raises(Transient, match="Example could not be reached"):
            send(context, "GET", "http://127.0.0.1:9/", network="example", label="Example")


ACCOUNT, APP = RateLimitScope.ACCOUNT, RateLimitScope.APP
EPOCH = int(NOW.timestamp())


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (  # X: the user's 15-minute window, reset as an epoch
            201,
            {"x-rate-limit-limit": "100", "x-rate-limit-remaining": "7", "x-rate-limit-reset": str(EPOCH + 600)},
            [RateLimitInfo(ACCOUNT, 7, NOW + timedelta(seconds=600), 100)],
        ),
        (  # X: the app's 24-hour budget is everyone's
            201,
            {"x-app-limit-24hour-remaining": "0", "x-app-limit-24hour-reset": str(EPOCH + 3600)},
            [RateLimitInfo(APP, 0, NOW + timedelta(hours=1))],
        ),
        (  # Mastodon: ISO 8601 reset
            200,
            {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-22T12:05:00Z"},
            [RateLimitInfo(ACCOUNT, 0, NOW + timedelta(minutes=5), 300)],
        ),
        (  # Bluesky: IETF draft, reset as seconds to wait
            429,
            {"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": "45"},
            [RateLimitInfo(ACCOUNT, 0, NOW + timedelta(seconds=45), 3000)],
        ),
        (  # a bare 429 with Retry-After: spent for that long
            429,
            {"Retry-After": "30"},
            [RateLimitInfo(ACCOUNT, 0, NOW + timedelta(seconds=30))],
        ),
        (  # X's 429 may repeat a remaining that is not zero: Retry-After still spends the budget
            429,
            {"x-rate-limit-remaining": "3", "Retry-After": "20"},
            [RateLimitInfo(ACCOUNT, 3, None), RateLimitInfo(ACCOUNT, 0, NOW + timedelta(seconds=20))],
        ),
        (429, {}, []),  # LinkedIn: nothing to read
        (200, {}, []),
        (200, {"X-RateLimit-Remaining": "many", "X-RateLimit-Reset": "later"}, []),  # garbage is ignored
    ],
)
def test_rate_limits_read_every_networks_budget_headers(status, headers, expected):
    assert rate_limits(httpx.Response(status, headers=headers), now=NOW) == expected


def test_an_exhausted_budget_needs_a_reset_time():
    assert RateLimitInfo(ACCOUNT, 0, NOW).exhausted
    assert not RateLimitInfo(ACCOUNT, 0, None).exhausted
    assert not RateLimitInfo(ACCOUNT, 1, NOW).exhausted
    assert not RateLimitInfo(ACCOUNT, None, NOW).exhausted


def test_a_daily_budget_resets_at_midnight_utc():
    spent = exhausted_until_utc_midnight(APP, now=NOW)
    assert spent == RateLimitInfo(APP, 0, datetime(2026, 11, 23, tzinfo=UTC))


def test_reports_reach_the_engine_only_when_it_listens():
    response = httpx.Response(429, headers={"Retry-After": "5"})
    with httpx.Client() as http:
        report_rate_limits(ConnectorContext(http=http), response)  # nobody listening: ignored
        reported: list[RateLimitInfo] = []
        report_rate_limits(ConnectorContext(http=http, rate_limit_reporter=reported.append), response, scope=APP)
    [spent] = reported
    assert (spent.scope, spent.remaining, spent.exhausted) == (APP, 0, True)
