"""Rate tables shared by the EMV models: currency → network → rate, with a "default" network."""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any

from clarion.emv import EmvModel, EmvValue, NetworkFigures

CURRENCY = re.compile(r"^[A-Z]{3}$")


def check_rates(rates: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Currencies are ISO 4217 codes and rates are whole, non-negative minor units."""
    if not rates:
        raise ValueError("give rates for at least one currency")
    for currency, networks in rates.items():
        if not CURRENCY.match(currency):
            raise ValueError(f"{currency!r} is not an ISO 4217 currency code such as EUR or USD")
        for network, rate in networks.items():
            values = rate.values() if isinstance(rate, dict) else [rate]
            for value in values:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise ValueError(f"{currency}.{network}: rates are whole minor units (cents), not negative")
    return rates


def rate_for(networks: dict[str, Any], network: str) -> Any:
    """The network's rate, else the "default" one, else nothing (the network is not valued)."""
    return networks.get(network, networks.get("default"))


class RateTableModel(EmvModel):
    """An EMV model valuing each network's figures from a rate table, once per configured currency.

    Subclasses give the table (``rate_table``), what one network's figures are worth at its rate
    (``amount``) and the formula a report states (``formula``); networks without a rate are not valued.
    """

    @abstractmethod
    def rate_table(self) -> dict[str, dict[str, Any]]:
        """Currency → network → rate."""

    @abstractmethod
    def amount(self, rate: Any, figures: NetworkFigures) -> int:
        """The value, in minor units, of one network's figures at ``rate``."""

    @abstractmethod
    def formula(self, currency: str) -> str:
        """How the value in ``currency`` is computed, in words a report shows."""

    def value(self, figures: Sequence[NetworkFigures]) -> list[EmvValue]:
        results = []
        for currency, networks in sorted(self.rate_table().items()):
            amount = 0
            for item in figures:
                rate = rate_for(networks, item.network)
                if rate is not None:
                    amount += self.amount(rate, item)
            results.append(EmvValue(self.key, self.label, currency, amount, self.formula(currency), dict(networks)))
        return results
