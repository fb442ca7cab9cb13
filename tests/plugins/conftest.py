"""The browser suite's fixtures, for the plugins' own browser tests (gamification, OIDC …).

A plugin's tests sit with the plugin's test folder but drive the same chromium as the core's; the
fixtures of ``tests/browser/conftest.py`` are loaded once, under their own module name, rather than
copied. The API fixtures reach every layer already (``tests/api_fixtures.py``).
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BROWSER_FIXTURES = "clarion_tests_browser_fixtures"


def _browser_suite():
    if BROWSER_FIXTURES in sys.modules:
        return sys.modules[BROWSER_FIXTURES]
    spec = importlib.util.spec_from_file_location(
        BROWSER_FIXTURES, Path(__file__).parents[1] / "browser" / "conftest.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[BROWSER_FIXTURES] = module
    spec.loader.exec_module(module)
    return module


browser = _browser_suite()

# Every fixture of the browser suite, by name (one added there is available here without another line).
for _name, _value in vars(browser).items():
    if hasattr(_value, "_fixture_function") or type(_value).__name__ == "FixtureFunctionDefinition":
        globals()[_name] = _value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Close this copy's chromium when a file's tests end, as the browser suite does for its own."""
    try:
        return (yield)
    finally:
        if nextitem is None or Path(nextitem.path) != Path(item.path):
            browser.SHARED_CHROMIUM.close()
