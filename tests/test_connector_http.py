"""Rate-limit headers of every network read the same way; transport failures become connector errors."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from clarion.connector_http import retry_after, send
from clarion.connectors import ConnectorContext
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
