"""Template lookup: site overrides, then plugin templates, then Clarion's defaults.

``{% extends "default:base.html" %}`` always reaches Clarion's own template, so a site
override can extend the original instead of copying it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)


def template_loader(site_dirs: Sequence[Path] = (), plugin_dirs: Sequence[Path] = ()) -> BaseLoader:
    defaults = PackageLoader("clarion", "web/templates")
    return ChoiceLoader(
        [
            *(FileSystemLoader(str(path)) for path in site_dirs),
            *(FileSystemLoader(str(path)) for path in plugin_dirs),
            defaults,
            PrefixLoader({"default": defaults}, delimiter=":"),
        ]
    )


def template_environment(site_dirs: Sequence[Path] = (), plugin_dirs: Sequence[Path] = ()) -> Environment:
    return Environment(
        loader=template_loader(site_dirs, plugin_dirs),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
    )
