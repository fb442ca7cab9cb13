"""A plugin that fills page slots: a notice on the home page and around the admin sign-in form.

It renders its own template (``templates/page_notice/signin.html``, translated like the core's)
and escapes what it builds by hand, as ``clarion_page_sections_render`` asks.
"""

from __future__ import annotations

from markupsafe import escape

from clarion import hookimpl
from clarion.web.sections import render_section


@hookimpl
def clarion_page_sections_render(page, slot, request, language):
    if (page, slot) == ("home", "intro"):
        return [f'<p class="note">Welcome, {escape(request.headers.get("x-visitor", "guest"))}.</p>']
    if page == "admin-signin":
        return [render_section(request, "page_notice/signin.html", slot=slot, language=language)]
    return None
