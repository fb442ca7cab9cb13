"""Earned media value: the models plugins contribute, what they are given and what they answer.

EMV has no standard (CPC * clicks, CPM * impressions, a value per interaction…), so Clarion
ships several models as plugins and every report names the model, its rates and currency.
Money is in integer minor units (cents).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class NetworkFigures:
    """What happened on one network in the reported period: the inputs of every EMV model.

    Attributes:
        network: The network key (``"linkedin"``).
        shares: Shares published.
        clicks: Counted clicks on tracked links (measured: human, external, first in window).
        impressions: Impressions the network reported, or ``None`` when it reported none.
        potential_reach: Sum of the sharers' audiences (reported follower counts or estimates).
        interactions: Increase of each interaction metric (``reactions``, ``comments``,
            ``reposts``…) in the period, as reported by the network.
    """

    network: str
    shares: int = 0
    clicks: int = 0
    impressions: int | None = None
    potential_reach: int = 0
    interactions: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EmvValue:
    """One model's valuation in one currency, with everything needed to reproduce it.

    Attributes:
        model: The model's key.
        label: The model's name for people.
        currency: ISO 4217 code.
        amount_minor: The value in minor units (cents).
        formula: The formula, in words.
        rates: The rates used, per network (minor units; per 1000 for CPM models).
    """

    model: str
    label: str
    currency: str
    amount_minor: int
    formula: str
    rates: Mapping[str, object]


class EmvModel(ABC):
    """An EMV model. Subclass it and return an instance from ``clarion_emv_models_register``.

    Class attributes:
        key: Unique across plugins (``"cpc"``).
        label: The name shown in reports.
    """

    key: ClassVar[str]
    label: ClassVar[str]

    @abstractmethod
    def value(self, figures: Sequence[NetworkFigures]) -> Sequence[EmvValue]:
        """Value the period's figures: one :class:`EmvValue` per configured currency."""


def per_mille(rate_minor: int, count: int) -> int:
    """``rate * count / 1000`` in whole minor units, half rounded up, in integers only."""
    return (rate_minor * count + 500) // 1000
