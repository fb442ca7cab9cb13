"""Fake networks on 127.0.0.1 for tests and the demo: real HTTP, in-memory state, faults on demand.

Each fake is a :class:`FakeServer`: start one with ``with FakeMastodon.running() as fake:`` (or
``start()``/``stop()``), point the connector's base-URL setting at ``fake.url``, and read what
the network received from the fake's attributes. Every fake can refuse, hang or drop its next
call to a path (:meth:`FakeServer.fail_next`, :meth:`FakeServer.hang_next`,
:meth:`FakeServer.drop_next`) and answers rate limits with the network's own headers
(``rate_limit_next``).
"""

from __future__ import annotations

from clarion.testing.fakes.bluesky import FakeBluesky
from clarion.testing.fakes.linkedin import FakeLinkedIn
from clarion.testing.fakes.mastodon import FakeMastodon
from clarion.testing.fakes.oidc import FakeOidcProvider
from clarion.testing.fakes.server import FakeRequest, FakeResponse, FakeServer, collect_routes, route
from clarion.testing.fakes.x import FakeX

__all__ = [
    "FakeBluesky",
    "FakeLinkedIn",
    "FakeMastodon",
    "FakeOidcProvider",
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "FakeX",
    "collect_routes",
    "route",
]
