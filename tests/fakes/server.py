"""A small threaded HTTP server base for fake networks: routes, recorded calls and injected faults.

Connectors reach fakes through their settings (instance or service URL), never by patching.
Every fake can be told to misbehave on its next calls to a path: answer an error status with the
network's own headers, hang, or drop the connection after doing the work (unknown outcome).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

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
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    path: str
    kind: str  # "status", "hang" or "drop"
    response: FakeResponse | None = None
    times: int = 1


Route = Callable[[FakeRequest, re.Match[str]], FakeResponse]


class FakeServer:
    """A threaded HTTP server dispatching to ``route``-decorated methods of a subclass."""

    routes: list[tuple[str, re.Pattern[str], str]]

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.calls: list[tuple[str, str]] = []
        self._faults: list[Fault] = []
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    @classmethod
    @contextmanager
    def running(cls, **kwargs: Any) -> Iterator[Any]:
        server = cls(**kwargs).start()
        try:
            yield server
        finally:
            server.stop()

    # -- misbehaving on purpose ---------------------------------------------------------------

    def fail_next(
        self, path: str, status: int, body: Any = None, *, headers: dict[str, str] | None = None, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls to ``path`` with ``status`` instead of serving them."""
        with self.lock:
            self._faults.append(Fault(path, "status", FakeResponse(status, body, headers or {}), times))

    def hang_next(self, path: str) -> None:
        """Do the work of the next call to ``path``, then send nothing until the client gives up."""
        with self.lock:
            self._faults.append(Fault(path, "hang"))

    def drop_next(self, path: str) -> None:
        """Do the work of the next call to ``path``, then close the connection without an answer."""
        with self.lock:
            self._faults.append(Fault(path, "drop"))

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for _method, called in self.calls if called == path)

    def _take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.path == path:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    # -- dispatch -----------------------------------------------------------------------------

    def _route(self, request: FakeRequest) -> FakeResponse:
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
                )
                with fake.lock:
                    fake.calls.append((request.method, request.path))
                fault = fake._take_fault(request.path)
                if fault is not None and fault.kind == "status":
                    assert fault.response is not None
                    self._answer(fault.response)
                    return
                response = fake._route(request)
                if fault is not None:
                    if fault.kind == "hang":
                        fake._release.wait(10)
                    self.close_connection = True
                    return
                self._answer(response)

            def _answer(self, response: FakeResponse) -> None:
                payload = b"" if response.body is None else json.dumps(response.body).encode()
                self.send_response(response.status)
                headers = {"Content-Type": "application/json", **response.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

        return Handler


def route(method: str, pattern: str) -> Callable[[Route], Route]:
    """Mark a :class:`FakeServer` method as the handler of ``method pattern`` (a regex on the path)."""

    def mark(function: Route) -> Route:
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


class ThreadedFake:
    """Serving, address and shutdown for fakes that bring their own request handler."""

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.release = threading.Event()  # set on stop: handlers told to hang wake up
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
