"""``/r/{code}``: the tracked-link redirect every shared post carries."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get, head
from litestar.params import PathParameter
from litestar.response import Redirect, Template

from clarion.errors import NotFound
from clarion.models import utcnow
from clarion.services.links import resolve_link
from clarion.web.auth import PUBLIC, ClarionController, EngineDep

# Never cached (every click must reach us) and never indexed (the link is not the content).
LINK_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
Code = Annotated[str, PathParameter(min_length=1, max_length=64)]


class LinkController(ClarionController):
    include_in_schema = False

    def _target(self, engine: EngineDep, code: str) -> str | None:
        try:
            with engine.transaction() as session:
                return resolve_link(session, engine.settings, code, utcnow()).url
        except NotFound:
            return None

    @get("/r/{code:str}", sync_to_thread=True, opt={"role": PUBLIC})
    def follow(self, engine: EngineDep, code: Code) -> Response[Any]:
        target = self._target(engine, code)
        if target is None:
            return Template(
                template_name="link_not_found.html",
                context={"home": engine.settings.base_url.rstrip("/") + "/"},
                status_code=404,
                headers=LINK_HEADERS,
            )
        return Redirect(target, status_code=302, headers=LINK_HEADERS)

    @head("/r/{code:str}", sync_to_thread=True, opt={"role": PUBLIC})
    def peek(self, engine: EngineDep, code: Code) -> Response[None]:
        # Link checkers and previews ask with HEAD: answered the same way, never counted.
        target = self._target(engine, code)
        if target is None:
            return Response(None, status_code=404, headers=LINK_HEADERS)
        return Response(None, status_code=302, headers={**LINK_HEADERS, "Location": target})
