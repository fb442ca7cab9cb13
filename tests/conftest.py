"""Shared test set-up: Clarion's own fixtures come from ``clarion.testing`` (a pytest plugin).

The suite is layered (see docs/decisions/0038-fast-layered-tests.md):

- ``unit/``: no database and no server; a test there that asks for a database fails.
- ``integration/``: the database and services, on SQLite and PostgreSQL; HTTP API tests in ``integration/api/``.
- ``plugins/``: test plugins; ``browser/``: chromium; ``docs/``: the docs, guides and examples; ``benchmarks/``.

The API fixtures (``api``, ``cast``, ``api_factory``, ``problem``) are in ``api_fixtures.py`` and
reach every layer through ``pytest_plugins``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Entry points installed in the environment must never leak into a test run.
os.environ.setdefault("CLARION_DISABLE_PLUGIN_AUTOLOAD", "1")

settings.register_profile(
    "clarion", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
settings.load_profile("clarion")

pytest_plugins = ["api_fixtures"]

TESTS = Path(__file__).resolve().parent
UNIT = TESTS / "unit"
BROWSER = TESTS / "browser"
DATABASE_FIXTURE = "clarion_backend"  # every database fixture of clarion.testing depends on it


def _first(item: pytest.Item) -> int:
    """Longest first, so the run does not end on one worker with a long test left.

    The browser tests come first (seconds each; one chromium per worker serves a run of
    them), then tests marked ``slow``, then the rest in their usual order.
    """
    if BROWSER in Path(item.path).parents:
        return 0
    if item.get_closest_marker("slow") is not None:
        return 1
    return 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_first)  # stable: within a group, collection order


def pytest_runtest_setup(item: pytest.Item) -> None:
    if UNIT in Path(item.path).parents and DATABASE_FIXTURE in getattr(item, "fixturenames", ()):
        pytest.fail(f"{item.nodeid} uses a database: it belongs in tests/integration/ (tests/unit/ has none)", pytrace=False)
