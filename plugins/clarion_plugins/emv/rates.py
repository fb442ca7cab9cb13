"""Rate tables shared by the EMV models: currency → network → rate, with a "default" network."""

from __future__ import annotations

import re
from typing import Any

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
