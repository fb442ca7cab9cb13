"""The hook implementations Clarion registers as the ``hello`` plugin."""

from __future__ import annotations

from clarion import hookimpl

from clarion_hello.connector import HelloConnector
from clarion_hello.guardrail import disclosure_violations
from clarion_hello.settings import PLUGIN_NAME, HelloSettings


@hookimpl
def clarion_config_register():
    return HelloSettings


@hookimpl
def clarion_connectors_register(engine):
    return [HelloConnector(engine.plugin_config(PLUGIN_NAME))]


@hookimpl
def clarion_share_violations_compute(engine, draft):
    return disclosure_violations(engine.plugin_config(PLUGIN_NAME), draft)
