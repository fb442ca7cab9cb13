"""An EMV model valuing every share at EUR 1.50, whatever it did."""

from __future__ import annotations

from clarion import hookimpl
from clarion.emv import EmvModel, EmvValue


class PerShare(EmvModel):
    key = "per-share"
    label = "Flat value per share"

    def value(self, figures):
        shares = sum(item.shares for item in figures)
        return [EmvValue(self.key, self.label, "EUR", 150 * shares, "EMV = EUR 1.50 * shares", {"default": 150})]


@hookimpl
def clarion_emv_models_register():
    return [PerShare()]
