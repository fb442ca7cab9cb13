"""Hello Social keeps the contract every Clarion connector keeps (``clarion.testing.contract``)."""

from __future__ import annotations

import pytest
from clarion.testing.contract import ConnectorContract

from clarion_hello import plugin


class TestHelloKeepsTheContract(ConnectorContract):
    @pytest.fixture
    def connector(self, clarion_engine_factory):
        return clarion_engine_factory(plugins={"hello": plugin}).connector("hello")
