"""A small threaded HTTP server base for fake networks: routes, recorded requests and injected faults.

Connectors reach fakes through their settings (instance or service URL), never by patching.
Every fake can be told to misbehave on its next calls to a path: answer an error status with the
network's own headers, hang (before or after doing the work), or drop the connection after doing
the work (unknown outcome).

A fake of your own network is a subclass with ``route``-decorated methods::

    @collect_routes
    class FakeHello(FakeServer):
        def __init__(self) -> None:
            super().__init__()
            self.posts: list[str] = []

        @route("POST", "/api/posts")
        def create_post(self, request: FakeRequest, match: re.Match[str]) -> FakeResponse:
            self.posts.append(request.json["text"])
            return FakeResponse(201, {"id": str(len(self.posts))})

    with FakeHello.running() as fake:
        ...  # point the connector's base URL at fake.url
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self, TypeVar
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    """One request as the fake received it; ``path`` without the query, header names lower-case."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    query_string: str = ""  # as sent, still percent-encoded

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def form(self) -> dict[str, str]:
        if self.headers.get("content-type", "").startswith("application/json"):
            return {key: str(value) for key, value in self.json.items()}
        return {key: values[0] for key, values in parse_qs(self.body.decode()).items()}

    @property
    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    @property
    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:] if value.lower().startswith("bearer ") else None


@dataclass
class FakeResponse:
    """What a route answers: ``body`` is sent as JSON (nothing when ``None``)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    path: str
    kind: str  # "status", "hang", "stall" (hang without doing the work) or "drop"
    response: FakeResponse | None = None
    times: int = 1
    method: str | None = None  # None: any method


Route = Callable[[FakeRequest, re.Match[str]], FakeResponse]


class FakeServer:
    """A threaded HTTP server dispatching to ``route``-decorated methods of a subclass."""

    routes: list[tuple[str, re.Pattern[str], str]]

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[FakeRequest] = []
        self._faults: list[Fault] = []
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    @classmethod
    @contextmanager
    def running(cls, **kwargs: Any) -> Iterator[Self]:
        server = cls(**kwargs).start()
        try:
            yield server
        finally:
            server.stop()

    # -- misbehaving on purpose ---------------------------------------------------------------

    def fail_next(
        self,
        path: str,
        status: int,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
        method: str | None = None,
    ) -> None:
        """Answer the next ``times`` calls to ``path`` (by ``method``, or any) with ``status`` instead of serving them."""
        with self.lock:
            self._faults.append(Fault(path, "status", FakeResponse(status, body, headers or {}), times, method))

    def hang_next(self, path: str, *, method: str | None = None, work: bool = True) -> None:
        """Send nothing to the next call to ``path`` until the client gives up.

        With ``work`` the fake first does what the call asks (the post exists: an unknown outcome
        for the client); without, the request is lost before the network acted on it.
        """
        with self.lock:
            self._faults.append(Fault(path, "hang" if work else "stall", method=method))

    def drop_next(self, path: str, *, method: str | None = None) -> None:
        """Do the work of the next call to ``path``, then close the connection without an answer."""
        with self.lock:
            self._faults.append(Fault(path, "drop", method=method))

    @property
    def calls(self) -> list[tuple[str, str]]:
        """``(method, path)`` of every request received, oldest first."""
        with self.lock:
            return [(request.method, request.path) for request in self.requests]

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests ``path`` received (by ``method``, or any)."""
        return sum(1 for called_method, called in self.calls if called == path and method in (None, called_method))

    def response_headers(self) -> dict[str, str]:
        """Headers every answer carries (a network's rate-limit headers); none by default."""
        return {}

    def _take_fault(self, path: str, method: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.path == path and fault.method in (None, method):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- dispatch -----------------------------------------------------------------------------

    def dispatch(self, request: FakeRequest) -> FakeResponse:
        """The answer to ``request``: its route's, or 404. Override to answer some requests differently."""
        for method, pattern, name in self.routes:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                handler: Route = getattr(self, name)
                return handler(request, match)
        return FakeResponse(404, {"error": "Not found"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out as separate writes

            def log_message(self, format: str, *args: Any) -> None:
                return  # keep test output clean

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                request = FakeRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    query_string=parts.query,
                )
                with fake.lock:
                    fake.requests.append(request)
                fault = fake._take_fault(request.path, request.method)
                if fault is not None and fault.kind == "status":
                    assert fault.response is not None
                    self._answer(fault.response)
                    return
                if fault is not None and fault.kind == "stall":
                    fake._release.wait(10)
                    self.close_connection = True
                    return
                response = fake.dispatch(request)
                if fault is not None:
                    if fault.kind == "hang":
                        fake._release.wait(10)
                    self.close_connection = True
                    return
                self._answer(response)

            def _answer(self, response: FakeResponse) -> None:
                payload = b"" if response.body is None else json.dumps(response.body).encode()
                self.send_response(response.status)
                headers = {"Content-Type": "application/json", **fake.response_headers(), **response.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

        return Handler


RouteMethod = TypeVar("RouteMethod", bound=Callable[..., FakeResponse])


def route(method: str, pattern: str) -> Callable[[RouteMethod], RouteMethod]:
    """Mark a :class:`FakeServer` method as the handler of ``method pattern`` (a regex on the path).

    The method is called as ``handler(request, match)`` with the :class:`FakeRequest` and the
    pattern's match on the path (named groups are the path's parameters).
    """

    def mark(function: RouteMethod) -> RouteMethod:
        function.route = (method, re.compile(pattern))  # type: ignore[attr-defined]
        return function

    return mark


def collect_routes(cls: type[FakeServer]) -> type[FakeServer]:
    """Class decorator: gather the ``route``-marked methods into ``cls.routes``."""
    cls.routes = [
        (*function.route, name)
        for name, function in vars(cls).items()
        if callable(function) and hasattr(function, "route")
    ]
    return cls
