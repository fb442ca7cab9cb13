"""Fixtures for the OIDC plugin's tests: Clarion signing people in through a fake identity provider."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from clarion.engine import Engine
from clarion.testing.fakes.oidc import FakeOidcProvider
from clarion.web.app import create_app
from clarion_plugins.oidc import PLUGIN_NAME

# The browser suite's fixtures (chromium, axe_violations …) come from ``tests/plugins/conftest.py``.
_browser = sys.modules["clarion_tests_browser_fixtures"]


@dataclass
class OidcSite:
    """Clarion signing people in through a fake OpenID Connect provider (both on loopback)."""

    engine: Engine
    clarion: str
    idp: Any


@pytest.fixture
def oidc_site(clarion_engine_factory: Callable[..., Engine]) -> Iterator[OidcSite]:
    port = _browser.free_port()
    clarion = f"http://127.0.0.1:{port}"
    with FakeOidcProvider.running(client_id="clarion-intranet", client_secret="s3cret") as idp:
        section = {"issuer": idp.url, "client_id": "clarion-intranet", "client_secret": "s3cret"}
        engine = clarion_engine_factory(base_url=clarion, plugin_settings={PLUGIN_NAME: section})
        with _browser.ThreadedUvicorn(create_app(engine=engine), port):
            yield OidcSite(engine, clarion, idp)
