"""The connector contract as a test class: subclass it, give it your connector, get one test per rule.

::

    import pytest
    from clarion.testing.contract import ConnectorContract

    class TestMyConnector(ConnectorContract):
        @pytest.fixture
        def connector(self, clarion_engine_factory):
            return clarion_engine_factory(plugins={"my-plugin": my_plugin}).connector("mynetwork")

pytest then runs every check of :mod:`clarion.connector_contract` against that connector, each
reported by name (``test_keeps_the_contract[intent_carries_tracked_link]``), so a broken rule
says which one. The checks are pure: no network and no database unless your fixture uses them.
"""

from __future__ import annotations

import pytest

from clarion.connector_contract import (
    CONTRACT_CHECKS,
    ContractCheck,
    ContractViolation,
    check_connector_contract,
    contract_violations,
)
from clarion.connectors import Connector


class ConnectorContract:
    """Every rule a Clarion connector keeps, one parametrised test per rule.

    Subclasses are collected by pytest when their name starts with ``Test``; they must define a
    ``connector`` fixture returning the connector instance (as its plugin registers it).
    """

    @pytest.fixture
    def connector(self) -> Connector:
        pytest.fail(f"{type(self).__name__} must define a `connector` fixture returning the connector to check")

    @pytest.mark.parametrize(
        "check", [check for _, check in CONTRACT_CHECKS], ids=[name for name, _ in CONTRACT_CHECKS]
    )
    def test_keeps_the_contract(self, connector: Connector, check: ContractCheck) -> None:
        check(connector)


__all__ = ["ConnectorContract", "ContractViolation", "check_connector_contract", "contract_violations"]
