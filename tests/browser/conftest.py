"""Browser tests: Debian's chromium driven by Playwright, Clarion and an intranet on two loopback ports.

Chromium comes from the system (``/usr/bin/chromium`` or ``CLARION_CHROMIUM``), never from
Playwright's download. When it is missing the tests fail and say how to install it; set
``CLARION_SKIP_BROWSER_TESTS=1`` to skip them on a machine without a browser.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import uvicorn

from clarion.engine import Engine
from clarion.testing import TEST_SECRET, Person, make_person
from clarion.web.app import create_app

REPO = Path(__file__).resolve().parents[2]
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SKIP_VARIABLE = "CLARION_SKIP_BROWSER_TESTS"


def chromium_path() -> str:
    """The system chromium, or a failure that says how to get one (or how to opt out)."""
    candidates = [os.environ.get("CLARION_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"no chromium and {SKIP_VARIABLE}=1")
    pytest.fail(
        "browser tests need Debian's chromium: `apt-get install -y chromium` (or point CLARION_CHROMIUM at a "
        f"chromium binary); set {SKIP_VARIABLE}=1 to skip them on this machine",
        pytrace=False,
    )


def load_intranet() -> ModuleType:
    """examples/intranet/serve.py itself (the tests drive the example, not a copy of it)."""
    name = "clarion_example_intranet"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "examples" / "intranet" / "serve.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThreadedUvicorn:
    """An ASGI app served by uvicorn on a thread, on a free loopback port."""

    def __init__(self, app: Any, port: int) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedUvicorn:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("Clarion did not start for the browser test")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class StaticPage(ThreadingHTTPServer):
    """A one-page site on its own origin (a stranger's page, a forger's frame)."""

    def __init__(self, html: str) -> None:
        page = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


@dataclass
class Site:
    """Clarion and the example intranet, running; and shortcuts to set up the programme."""

    engine: Engine
    clarion: str
    intranet: str

    def person(self, external_id: str, **fields: Any) -> Person:
        return make_person(self.engine, external_id, **fields)

    def content(self, title: str, **fields: Any) -> int:
        from clarion.actors import Actor
        from clarion.content import content as content_service
        from clarion.content.content import ContentAction

        editor = self.person(f"editor-{secrets.token_hex(3)}", role="editor")
        actor = Actor(editor.id, editor.external_id, editor.role)
        with self.engine.transaction() as session:
            created = content_service.create_content(
                self.engine, session, actor, {"title": title, "url": "https://example.com/news", **fields}
            )
            content_id = created.content.id
            assert content_id is not None
            for action in ("submit", "approve"):
                content_service.transition_content(session, actor, content_id, ContentAction(action))
        return content_id


class SharedChromium:
    """One chromium per worker for a run of browser tests; each test gets contexts of its own.

    Starting Playwright's driver and chromium costs a second or more; a browser context is
    isolated (cookies, storage, cache) and takes milliseconds. The browser closes when the
    worker's next test is not a browser test (:func:`pytest_runtest_teardown`): Playwright's sync
    API leaves its event loop marked running on the thread, which ``asyncio.run`` in an
    ordinary test would trip over.
    """

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None

    def get(self) -> Any:
        if self.browser is None or not self.browser.is_connected():
            self.close()
            executable = chromium_path()
            from playwright.sync_api import sync_playwright

            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        return self.browser

    def close(self) -> None:
        if self.browser is not None and self.browser.is_connected():
            self.browser.close()
        if self.playwright is not None:
            self.playwright.stop()
        self.playwright = self.browser = None


SHARED_CHROMIUM = SharedChromium()


class BrowserForOneTest:
    """The shared chromium as one test sees it: what the test opens is closed when it ends."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self._contexts: list[Any] = []

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        self._contexts.append(context)
        return context

    def new_page(self, **options: Any) -> Any:
        return self.new_context(**options).new_page()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)

    def close(self) -> None:
        for context in self._contexts:
            context.close()  # closing twice is allowed (a test may have closed it)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    try:
        return (yield)  # the test's fixtures first (its contexts close on the running browser)
    finally:
        if nextitem is None or Path(nextitem.path).parent != Path(item.path).parent:
            SHARED_CHROMIUM.close()


@pytest.fixture
def chromium() -> Iterator[Any]:
    browser = BrowserForOneTest(SHARED_CHROMIUM.get())
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def site_plugins() -> dict[str, Any]:
    """Extra plugins of the browser tests' Clarion (name → module); a test module overrides it."""
    return {}


@pytest.fixture
def intranet_widgets() -> tuple[Any, ...] | None:
    """The (name, iframe title, settings) of the widgets the intranet page shows; ``None``: the built-ins."""
    return None


@pytest.fixture
def site(
    clarion_engine_factory: Callable[..., Engine],
    site_plugins: dict[str, Any],
    intranet_widgets: tuple[Any, ...] | None,
) -> Iterator[Site]:
    clarion_port, intranet_port = free_port(), free_port()
    clarion = f"http://127.0.0.1:{clarion_port}"
    intranet = f"http://127.0.0.1:{intranet_port}"
    engine = clarion_engine_factory(site_plugins or None, base_url=clarion, embed_origins=(intranet,))
    shown = {"widgets": intranet_widgets} if intranet_widgets is not None else {}
    intranet_server = load_intranet().make_server(clarion, TEST_SECRET, port=intranet_port, **shown)
    threading.Thread(target=intranet_server.serve_forever, daemon=True).start()
    try:
        with ThreadedUvicorn(create_app(engine=engine), clarion_port):
            yield Site(engine, clarion, intranet)
    finally:
        intranet_server.shutdown()
        intranet_server.server_close()


@pytest.fixture
def stranger_page() -> Iterator[Callable[[str], StaticPage]]:
    pages: list[StaticPage] = []

    def serve(html: str) -> StaticPage:
        page = StaticPage(html)
        pages.append(page)
        return page

    yield serve
    for page in pages:
        page.close()


def serious_violations(target: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on a page or frame (axe injected from the vendored file)."""
    target.add_script_tag(path=str(AXE))
    result = target.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [violation for violation in result if violation["impact"] in ("serious", "critical")]


@pytest.fixture
def axe_violations() -> Callable[[Any], list[dict[str, Any]]]:
    """``axe_violations(page_or_frame)``: its serious and critical accessibility violations."""
    return serious_violations
