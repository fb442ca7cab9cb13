"""Implements ``clarion_conectors_register`` (one n): start-up must refuse it, not ignore it."""

from __future__ import annotations

from clarion import hookimpl


@hookimpl
def clarion_conectors_register():
    return []
