"""Shared test set-up: Clarion's own fixtures come from ``clarion.testing`` (a pytest plugin)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Entry points installed in the environment must never leak into a test run.
os.environ.setdefault("CLARION_DISABLE_PLUGIN_AUTOLOAD", "1")

settings.register_profile(
    "clarion", deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
settings.load_profile("clarion")
