"""What a widget is: a name, a template, a context function, a cache policy and settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

CachePolicy = Literal["private", "public", "none"]


@dataclass(frozen=True)
class Widget:
    """A UI fragment the intranet can embed.

    Attributes:
        name: Unique name used in ``<clarion-widget name="…">`` and ``/widgets/{name}``.
        title: Human title for pickers and the admin UI.
        template: Jinja template name, resolved site → plugin → default.
        context: ``context(engine, viewer, settings) -> dict`` building the template context.
        cache: ``"private"`` (per viewer), ``"public"`` (same for all) or ``"none"``.
        max_age: Seconds a cached fragment stays fresh.
        settings: Setting name → default value the embedding page may override.
    """

    name: str
    title: str
    template: str
    context: Callable[..., Mapping[str, Any]]
    cache: CachePolicy = "private"
    max_age: int = 60
    settings: Mapping[str, Any] = field(default_factory=dict)
