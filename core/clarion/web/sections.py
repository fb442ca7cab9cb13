"""Named slots in the core's pages that plugins fill with HTML (``clarion_page_sections_render``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from litestar import Request

    from clarion.engine import Engine

PAGE_SLOTS: dict[str, tuple[str, ...]] = {
    "home": ("intro", "try-api"),
    "admin-signin": ("before-form", "after-form"),
}
"""Every page with slots, and its slots in the order they appear on the page."""


def page_sections(
    engine: Engine, page: str, request: Request[Any, Any, Any], language: str = "en"
) -> dict[str, Markup]:
    """Slot name → the HTML plugins put there (empty, and false, when nobody did), for every slot of ``page``.

    Call it in the handler (on its worker thread, as plugins may read the database) and pass
    the result to the template as ``sections``; the template writes ``{{ sections["intro"] }}``.
    """
    return {
        slot: Markup("").join(
            Markup(section) for section in engine.page_sections(page, slot, request=request, language=language)
        )
        for slot in PAGE_SLOTS[page]
    }


def render_section(request: Request[Any, Any, Any], template_name: str, **context: Any) -> Markup:
    """Render a template (a plugin's ``templates/`` folder is on the path) into a section.

    The template is autoescaped and translated into ``context["language"]`` (English when absent),
    as the core's pages are.
    """
    template = request.app.template_engine.get_template(template_name)  # type: ignore[union-attr]
    return Markup(template.render(**context))
