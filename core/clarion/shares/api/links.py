"""``/r/{code}``: the tracked-link redirect every shared post carries, and its QR codes."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, quote

import anyio.to_thread
import segno
from litestar import Controller, Request, Response, get, head
from litestar.params import PathParameter
from litestar.response import Template
from litestar.types import ASGIApp, Receive, Scope, Send

from clarion.engine import Engine
from clarion.errors import NotFound
from clarion.identity import client_address
from clarion.models import Role
from clarion.shares.bots import is_prefetch
from clarion.shares.clicks import click_capture
from clarion.shares.links import QR_PARAMETER, QR_VALUE, LinkTarget, link_cache, qr_share, qr_url, resolve_link
from clarion.web.auth import PUBLIC, ActorDep, ClarionController, EngineDep

logger = logging.getLogger("clarion.shares.api.links")

# Never cached (every click must reach us) and never indexed (the link is not the content).
LINK_HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}
# A QR code never changes for its code, but it is only for its owner: the browser may keep it.
QR_HEADERS = {"Cache-Control": "private, max-age=86400", "X-Robots-Tag": "noindex, nofollow"}
Code = Annotated[str, PathParameter(min_length=1, max_length=64)]


def _resolve(engine: Engine, code: str, now: datetime) -> LinkTarget | None:
    try:
        with engine.transaction() as session:
            target = resolve_link(session, engine.settings, code, now)
    except NotFound:
        return None
    link_cache(engine).put(code, target)
    return target


async def _target(engine: Engine, code: str, now: datetime) -> LinkTarget | None:
    cached = link_cache(engine).get(code, now)
    if cached is not None:
        return cached
    return await anyio.to_thread.run_sync(_resolve, engine, code, now)


# The request headers capture reads, taken in one pass over the raw headers (the redirect is hot).
_CAPTURED_HEADERS = frozenset({b"user-agent", b"referer", b"sec-purpose", b"purpose", b"x-moz"})


def _raw_headers(scope: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        lowered = name.lower()
        if lowered in _CAPTURED_HEADERS and lowered.decode() not in found:
            found[lowered.decode()] = value.decode("latin-1")
    return found


def _via_qr(query: bytes) -> bool:
    """``?s=qr``: the first ``s`` parameter says whether the click came from the link's QR code."""
    if not query:
        return False
    for name, value in parse_qsl(query.decode("latin-1")):
        if name == QR_PARAMETER:
            return value == QR_VALUE
    return False


async def _capture(engine: Engine, scope: Any, target: LinkTarget, now: datetime) -> None:
    """Journal the click before the answer leaves; a failure is logged and the redirect still goes."""
    if target.share_id is None:
        return
    try:
        capture = click_capture(engine)
        if capture.needs_key(now):  # once a day per process
            await anyio.to_thread.run_sync(capture.load_key, now)
        headers = _raw_headers(scope)
        query = scope["query_string"]
        client = scope.get("client")
        address = client[0] if client else None
        if engine.settings.trusted_proxies:  # a forwarded address counts only through a trusted proxy
            forwarded = [
                value.decode("latin-1") for name, value in scope["headers"] if name.lower() == b"x-forwarded-for"
            ]
            address = client_address(address, forwarded, engine.settings.trusted_proxies)
        capture.capture(
            target.share_id,
            now=now,
            method=scope["method"],
            address=address,
            user_agent=headers.get("user-agent"),
            referrer=headers.get("referer"),
            prefetch=is_prefetch(headers),
            via_qr=_via_qr(query),
        )
    except Exception as exc:  # the visitor still gets where they were going
        logger.error("click on share %s not journalled: %s: %s", target.share_id, type(exc).__name__, exc)


_RAW_LINK_HEADERS = [(name.lower().encode(), value.encode()) for name, value in LINK_HEADERS.items()]
_NO_BODY = {"type": "http.response.body", "body": b"", "more_body": False}


class Redirect:
    """The 302 as a bare ASGI answer, its headers encoded once: building a ``Response`` costs more than the click.

    The application's ``before_send`` hooks (security headers) still apply: they wrap ``send``.
    """

    __slots__ = ("location",)

    def __init__(self, location: str) -> None:
        # Header values are bytes: a stored URL with non-ASCII characters is percent-encoded.
        self.location = location.encode("ascii") if location.isascii() else _percent_encoded(location)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [*_RAW_LINK_HEADERS, (b"location", self.location), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 302, "headers": headers})
        await send(_NO_BODY)  # type: ignore[arg-type]


def _percent_encoded(location: str) -> bytes:
    return quote(location, safe=":/?#[]@!$&'()*+,;=%~").encode("ascii")


class RedirectFastPath:
    """In front of Litestar's router: a GET of a link whose destination this process knows is answered here.

    That is every click but the first of a popular link within ``link_cache_seconds``: the
    click is journalled exactly as :class:`RedirectController` does, and the same 302 leaves
    without routing, signature parsing, guards or a ``Response`` object (decision 0020, "Redirect
    fast path"). Everything else, including a link not in the cache, unknown codes and HEAD,
    goes on to the router. Litestar's ``before_send`` hooks wrap ``send`` before this runs, so
    the security headers are on these answers too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET":
            path: str = scope["path"]
            if path.startswith("/r/") and path.find("/", 3) == -1:
                engine: Engine = scope["app"].state.engine
                now = engine.clock.now()
                target = link_cache(engine).get(path[3:], now)  # only known, valid codes are cached
                if target is not None:
                    await _capture(engine, scope, target, now)
                    await Redirect(target.url)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class RedirectController(Controller):
    """``/r/{code}``: public, read-only, and the hottest path of Clarion.

    Not a :class:`ClarionController`: its two guards have nothing to check on a public GET or
    HEAD (the origin check passes safe methods, the role guard passes ``PUBLIC``), yet Litestar
    copies the handler for every guard on every request, which cost more than journalling the
    click (decision 0030). The routes still declare their role for the role matrix.
    """

    include_in_schema = False

    @get("/r/{code:str}", opt={"role": PUBLIC})
    async def follow(self, request: Request[Any, Any, Any], code: Code) -> ASGIApp:
        engine: Engine = request.app.state.engine
        now = engine.clock.now()
        target = await _target(engine, code, now)
        if target is None:
            return Template(  # type: ignore[return-value]
                template_name="link_not_found.html",
                context={"home": engine.settings.base_url.rstrip("/") + "/"},
                status_code=404,
                headers=LINK_HEADERS,
            )
        await _capture(engine, request.scope, target, now)
        return Redirect(target.url)

    @head("/r/{code:str}", opt={"role": PUBLIC})
    async def peek(self, request: Request[Any, Any, Any], code: Code) -> Response[None]:
        # Link checkers and previews ask with HEAD: answered the same way, stored as a bot.
        engine: Engine = request.app.state.engine
        now = engine.clock.now()
        target = await _target(engine, code, now)
        if target is None:
            return Response(None, status_code=404, headers=LINK_HEADERS)
        await _capture(engine, request.scope, target, now)
        return Response(None, status_code=302, headers={**LINK_HEADERS, "Location": target.url})


class LinkController(ClarionController):
    """A tracked link's QR codes, for its owner, editors and admins."""

    include_in_schema = False

    def _qr(self, engine: Engine, actor: ActorDep, code: str) -> segno.QRCode:
        with engine.transaction() as session:
            qr_share(session, actor, code)
        return segno.make(qr_url(engine.settings.base_url, code), error="m")

    @get("/r/{code:str}/qr.svg", sync_to_thread=True, opt={"role": Role.AMBASSADOR.value})
    def qr_svg(self, engine: EngineDep, actor: ActorDep, code: Code) -> Response[bytes]:
        """The link's QR code as SVG, for its owner, editors and admins; scans are counted via_qr."""
        buffer = io.BytesIO()
        self._qr(engine, actor, code).save(buffer, kind="svg", scale=8, border=4, xmldecl=False)
        return Response(buffer.getvalue(), media_type="image/svg+xml", headers=QR_HEADERS)

    @get("/r/{code:str}/qr.png", sync_to_thread=True, opt={"role": Role.AMBASSADOR.value})
    def qr_png(self, engine: EngineDep, actor: ActorDep, code: Code) -> Response[bytes]:
        """The link's QR code as PNG (for print), same access as the SVG."""
        buffer = io.BytesIO()
        self._qr(engine, actor, code).save(buffer, kind="png", scale=10, border=4)
        return Response(buffer.getvalue(), media_type="image/png", headers=QR_HEADERS)
