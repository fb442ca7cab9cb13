"""The hook implementations Clarion registers as the ``discourse`` plugin."""

from __future__ import annotations

from clarion import hookimpl

from clarion_discourse.connector import DiscourseConnector
from clarion_discourse.settings import PLUGIN_NAME, DiscourseSettings


@hookimpl
def clarion_config_register():
    return DiscourseSettings


@hookimpl
def clarion_connectors_register(engine):
    return [DiscourseConnector(engine.plugin_config(PLUGIN_NAME))]
