"""EMV = cost per thousand * impressions / 1000, per network; potential reach where no impressions are reported."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clarion import hookimpl
from clarion.emv import per_mille
from clarion_plugins.emv.rates import RateTableModel, check_rates

PLUGIN_NAME = "emv-cpm"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rates: dict[str, dict[str, int]] = Field(
        # Agorapulse's default CPM is $5.
        default_factory=lambda: {"USD": {"default": 500}},
        description='Cents per 1000 impressions: currency → network → rate; "default" covers other networks.',
    )
    reach_when_no_impressions: bool = Field(
        default=True, description="Value potential reach instead on networks that reported no impressions."
    )

    _rates = field_validator("rates")(classmethod(lambda cls, value: check_rates(value)))


class CostPerMille(RateTableModel):
    key = "cpm"
    label = "Cost per thousand impressions"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def rate_table(self):
        return self.settings.rates

    def amount(self, rate, figures):
        if figures.impressions is not None:
            return per_mille(rate, figures.impressions)
        if self.settings.reach_when_no_impressions:
            return per_mille(rate, figures.potential_reach)
        return 0

    def formula(self, currency):
        fallback = (
            ", or * potential reach / 1000 on networks that reported no impressions"
            if self.settings.reach_when_no_impressions
            else ""
        )
        return f"EMV = Σ per network (CPM in {currency} cents * reported impressions / 1000{fallback})"


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_emv_models_register(engine):
    return [CostPerMille(engine.plugin_config(PLUGIN_NAME))]
