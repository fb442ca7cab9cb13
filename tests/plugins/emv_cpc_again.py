"""A second EMV model keyed ``cpc``: start-up must refuse it, naming both plugins."""

from __future__ import annotations

from clarion import hookimpl
from clarion.emv import EmvModel


class AnotherCpc(EmvModel):
    key = "cpc"
    label = "Another cost per click"

    def value(self, figures):
        return []


@hookimpl
def clarion_emv_models_register():
    return [AnotherCpc()]
