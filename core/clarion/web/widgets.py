"""Rendering a widget for a viewer: its settings checked, its context built, its language chosen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clarion import inputs
from clarion.actors import Actor
from clarion.engine import Engine
from clarion.errors import BadRequest, NotFound
from clarion.i18n import language_of
from clarion.models import Ambassador
from clarion.widgets import Widget

MAX_SETTING_LENGTH = 200


@dataclass(frozen=True)
class WidgetView:
    """What a template receives: the widget, its checked settings and its context."""

    widget: Widget
    settings: dict[str, Any]
    language: str
    context: dict[str, Any]


def get_widget(engine: Engine, name: str) -> Widget:
    """The widget called ``name``.

    Raises:
        NotFound: no plugin provides it.
    """
    try:
        return engine.widgets()[name]
    except KeyError:
        known = ", ".join(sorted(engine.widgets())) or "none"
        raise NotFound(f"no widget called {name!r}; known widgets: {known}", field="name") from None


def _coerce(name: str, raw: str, default: Any) -> Any:
    if len(raw) > MAX_SETTING_LENGTH:
        raise BadRequest(f"widget setting {name!r} is longer than {MAX_SETTING_LENGTH} characters", field=name)
    if not raw.strip():
        return default  # a filter menu left on "any" sends an empty value
    if isinstance(default, bool):
        if raw.lower() in {"true", "1", "yes"}:
            return True
        if raw.lower() in {"false", "0", "no"}:
            return False
        raise BadRequest(f"widget setting {name!r} must be true or false, not {raw!r}", field=name)
    if isinstance(default, int) or (default is None and name.endswith("_id")):
        if not inputs.DIGITS.fullmatch(raw.strip()):  # ASCII digits only, as every number a person types
            raise BadRequest(f"widget setting {name!r} must be a whole number, not {raw!r}", field=name)
        value = int(raw)
        if not 0 < value < 2**31:
            raise BadRequest(f"widget setting {name!r} must be between 1 and {2**31 - 1}", field=name)
        return value
    return raw.strip() or default


def parse_settings(widget: Widget, raw: Mapping[str, str]) -> dict[str, Any]:
    """The widget's declared settings, overridden by the embedding page's values.

    Raises:
        BadRequest: a setting the widget does not declare, or a value of the wrong type.
    """
    unknown = sorted(set(raw) - set(widget.settings))
    if unknown:
        accepted = ", ".join(sorted(widget.settings)) or "none"
        raise BadRequest(
            f"widget {widget.name!r} has no setting {unknown[0]!r} (it accepts: {accepted})", field=unknown[0]
        )
    settings = dict(widget.settings)
    for name, value in raw.items():
        settings[name] = _coerce(name, value, widget.settings[name])
    return settings


def build_view(engine: Engine, actor: Actor, name: str, raw_settings: Mapping[str, str]) -> WidgetView:
    """Everything needed to render widget ``name`` for ``actor``.

    Raises:
        NotFound: unknown widget.
        BadRequest: bad settings.
    """
    widget = get_widget(engine, name)
    settings = parse_settings(widget, raw_settings)
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, actor.ambassador_id)
        locale = ambassador.locale if ambassador is not None else None
    context = dict(widget.context(engine, actor, settings))
    return WidgetView(widget=widget, settings=settings, language=language_of(locale), context=context)


def cache_control(widget: Widget) -> str:
    """The ``Cache-Control`` of a rendered widget, from its cache policy."""
    if widget.cache == "none":
        return "no-store"
    return f"{widget.cache}, max-age={widget.max_age}"
