"""Engines with the Hello Social plugin, built with Clarion's own fixtures (``clarion.testing``).

``clarion_engine`` is overridden so that ``clarion_client`` and ``clarion_people`` run on an
engine with this plugin; a test changes its settings by parametrizing ``hello_toml``.
"""

from __future__ import annotations

import pytest

from clarion_hello import plugin
from clarion_hello.settings import PLUGIN_NAME


@pytest.fixture
def hello_toml() -> str:
    """The clarion.toml of the test; empty means the plugin's defaults."""
    return ""


@pytest.fixture
def clarion_engine(clarion_engine_factory, hello_toml, tmp_path):
    if hello_toml:
        # clarion_settings_factory reads ./clarion.toml of tmp_path, as Clarion reads the working directory's.
        (tmp_path / "clarion.toml").write_text(hello_toml)
    return clarion_engine_factory(plugins={PLUGIN_NAME: plugin})
