"""Template lookup: site overrides, then plugin templates, then Clarion's defaults.

``{% extends "default:base.html" %}`` always reaches Clarion's own template (a built-in
plugin's, for widgets), so a site override can extend the original instead of copying it.

Every template may use ``{% trans %}`` and ``_()``: the i18n extension translates into the
language named by the ``language`` variable of the render context (English when absent), with
Clarion's catalog and those of the plugins' ``locale/`` folders; the ``number`` and ``day``
filters write numbers and dates the way that language does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context

from clarion.i18n import translations


def template_loader(site_dirs: Sequence[Path] = (), plugin_dirs: Sequence[Path] = ()) -> BaseLoader:
    # "default:" means Clarion's own templates, plugins' included: everything but the site's overrides.
    originals = ChoiceLoader(
        [*(FileSystemLoader(str(path)) for path in plugin_dirs), PackageLoader("clarion", "web/templates")]
    )
    return ChoiceLoader(
        [
            *(FileSystemLoader(str(path)) for path in site_dirs),
            originals,
            PrefixLoader({"default": originals}, delimiter=":"),
        ]
    )


@pass_context
def _number(context: Context, value: float | None) -> str:
    """A number as the viewer's language writes it (``12,500`` in English, ``12.500`` in Dutch)."""
    return format_decimal(value or 0, locale=context.get("language") or "en")


@pass_context
def _day(context: Context, value: date) -> str:
    """A date as the viewer's language writes it (``Nov 22, 2026``, ``22 nov 2026``)."""
    return format_date(value, format="medium", locale=context.get("language") or "en")


def template_environment(
    site_dirs: Sequence[Path] = (), plugin_dirs: Sequence[Path] = (), locale_dirs: Sequence[Path] = ()
) -> Environment:
    """The Jinja environment of the web pages and widgets.

    Args:
        site_dirs: The site's template overrides, searched first.
        plugin_dirs: Plugins' ``templates/`` folders.
        locale_dirs: Plugins' ``locale/`` folders, read after Clarion's own catalog.
    """
    extra = tuple(locale_dirs)

    @pass_context
    def _gettext(context: Context, message: str) -> str:
        return translations(context.get("language") or "en", extra).gettext(message)

    @pass_context
    def _ngettext(context: Context, singular: str, plural: str, count: int) -> str:
        return translations(context.get("language") or "en", extra).ngettext(singular, plural, count)

    environment = Environment(
        loader=template_loader(site_dirs, plugin_dirs),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
        extensions=["jinja2.ext.i18n"],
    )
    installer: Any = environment
    installer.install_gettext_callables(_gettext, _ngettext, newstyle=True)
    environment.filters["number"] = _number
    environment.filters["day"] = _day
    return environment
