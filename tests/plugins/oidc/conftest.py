"""Fixtures for the OIDC plugin's tests: a fake identity provider, and the browser suite's fixtures.

The browser tests drive the same chromium as the core's; its fixtures are loaded from that suite
rather than copied, as the gamification plugin's tests do.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from clarion.engine import Engine
from clarion.testing.fakes.oidc import FakeOidcProvider
from clarion.web.app import create_app
from clarion_plugins.oidc import PLUGIN_NAME

TESTS = Path(__file__).resolve().parents[2]


def _suite_fixtures(name: str) -> ModuleType:
    """The conftest of ``tests/<name>``, imported once under its own module name."""
    module_name = f"clarion_tests_{name}_fixtures"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, TESTS / name / "conftest.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


_browser = _suite_fixtures("browser")

chromium = _browser.chromium
axe_violations = _browser.axe_violations


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Close this folder's chromium when the browser tests end, as the browser suite does for its own."""
    try:
        return (yield)
    finally:
        if nextitem is None or Path(nextitem.path) != Path(item.path):
            _browser.SHARED_CHROMIUM.close()


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
