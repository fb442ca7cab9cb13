"""Fixtures for the gamification plugin's tests: the browser suite's, shared (the API fixtures reach every layer).

The plugin's tests sit with the plugin's test folder but drive the same HTTP client and the same
browser as the core's; their fixtures are loaded from those suites rather than copied.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

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

# Every fixture of the browser suite, by name (a fixture added there, such as the browser suite's
# ``site_plugins``, is available here without another line).
for _suite in (_browser,):
    for _name, _value in vars(_suite).items():
        if hasattr(_value, "_fixture_function") or type(_value).__name__ == "FixtureFunctionDefinition":
            globals()[_name] = _value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Close this folder's chromium when a file's browser tests end, as the browser suite does for its own."""
    try:
        return (yield)
    finally:
        if nextitem is None or Path(nextitem.path) != Path(item.path):
            _browser.SHARED_CHROMIUM.close()
