"""EMV = Σ interactions * the value of each kind (clicks, reactions, comments, reposts…), per network."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from clarion import hookimpl
from clarion_plugins.emv.rates import RateTableModel, check_rates

PLUGIN_NAME = "emv-interactions"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, dict[str, dict[str, int]]] = Field(
        # PleaseShare's published defaults: click $5, like $2, reshare $3, comment $5.
        default_factory=lambda: {
            "USD": {"default": {"clicks": 500, "reactions": 200, "reposts": 300, "comments": 500}}
        },
        description=(
            'Cents per interaction: currency → network → interaction → value; "default" covers other networks. '
            '"clicks" are counted clicks; other names are metrics the networks report.'
        ),
    )

    _values = field_validator("values")(classmethod(lambda cls, value: check_rates(value)))


class InteractionValues(RateTableModel):
    key = "interactions"
    label = "Value per interaction"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def rate_table(self):
        return self.settings.values

    def amount(self, rate, figures):
        counts = {**figures.interactions, "clicks": figures.clicks}
        return sum(value * counts.get(kind, 0) for kind, value in rate.items())

    def formula(self, currency):
        return f"EMV = Σ per network and interaction kind (value in {currency} cents * count)"


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_emv_models_register(engine):
    return [InteractionValues(engine.plugin_config(PLUGIN_NAME))]
