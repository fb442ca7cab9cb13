"""EMV = cost per click * counted clicks, per network (the Haiilo, MarketBeam, ClearView family)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clarion import hookimpl
from clarion_plugins.emv.rates import RateTableModel, check_rates

PLUGIN_NAME = "emv-cpc"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rates: dict[str, dict[str, int]] = Field(
        # ClearView Social values a LinkedIn click at $5; Agorapulse uses $1 per link click.
        default_factory=lambda: {"USD": {"linkedin": 500, "default": 100}},
        description='Cents per counted click: currency → network → rate; "default" covers other networks.',
    )

    _rates = field_validator("rates")(classmethod(lambda cls, value: check_rates(value)))


class CostPerClick(RateTableModel):
    key = "cpc"
    label = "Cost per click"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def rate_table(self):
        return self.settings.rates

    def amount(self, rate, figures):
        return rate * figures.clicks

    def formula(self, currency):
        return f"EMV = Σ per network (cost per click in {currency} cents * counted clicks)"


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_emv_models_register(engine):
    return [CostPerClick(engine.plugin_config(PLUGIN_NAME))]
