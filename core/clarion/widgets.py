"""What a widget is: a name, a template, a context function, a cache policy and settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
        stylesheets: Paths of the widget's own CSS files on Clarion, under ``/static/``
            (a plugin's ``static/kudos.css`` is ``/static/plugins/<plugin-name>/kudos.css``);
            every mode links them next to ``widgets.css``.
    """

    name: str
    title: str
    template: str
    context: Callable[..., Mapping[str, Any]]
    cache: CachePolicy = "private"
    max_age: int = 60
    settings: Mapping[str, Any] = field(default_factory=dict)
    stylesheets: Sequence[str] = ()

    def __post_init__(self) -> None:
        for path in self.stylesheets:
            if not path.startswith("/static/") or ".." in path or "//" in path:
                raise ValueError(f"widget {self.name!r}: stylesheet {path!r} is not a path under /static/")
