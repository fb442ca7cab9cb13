"""The redirect baseline: a bare Litestar route answering ``/r/{code}`` with the same 302, doing no work."""

from __future__ import annotations

from litestar import Litestar, Response, get

LOCATION = "https://example.com/jobs?utm_source=x&utm_medium=employee_advocacy&utm_content=k7mq2vx9Ab"
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow", "Location": LOCATION}


@get("/r/{code:str}", sync_to_thread=False)
def follow(code: str) -> Response[bytes]:
    return Response(b"", status_code=302, headers=HEADERS)


def create_app() -> Litestar:
    return Litestar(route_handlers=[follow])
