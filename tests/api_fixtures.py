"""Fixtures for the HTTP API tests: a cast of people, content made through the API, problem checks.

Loaded for every layer by ``tests/conftest.py`` (``pytest_plugins``), so an API test may live in
``tests/integration/api/``, next to a plugin, or anywhere else under ``tests/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from http import HTTPStatus
from typing import Any

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient

from clarion import hookimpl
from clarion.bootstrap import build_engine
from clarion.cli import main
from clarion.config import Settings, load_settings
from clarion.connectors import Capability, Connector, SharePost, TextCheck, length_check
from clarion.engine import Engine
from clarion.models import Role
from clarion.testing import TEST_SECRET, Person, make_person
from clarion.web.app import create_app

PROBLEM_MEDIA_TYPE = "application/problem+json"
ANY = object()  # "do not check this" for optional assertions


class PeerFromHeader:
    """ASGI wrapper that sets the direct peer's address from an ``x-test-peer`` header.

    Litestar's ``TestClient`` always reports the peer as ``("testclient", 50000)``, which is no
    IP address; identity tests need requests that come from (or not from) a proxy's address.
    The header is removed before the application sees the request.
    """

    HEADER = b"x-test-peer"

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            peer = dict(scope["headers"]).get(self.HEADER)
            if peer is not None:
                headers = [(name, value) for name, value in scope["headers"] if name != self.HEADER]
                scope = {**scope, "headers": headers, "client": (peer.decode(), 50000)}
        await self.app(scope, receive, send)


def assert_problem(response: Any, status: int, *, field: Any = ANY, detail: str | None = None) -> dict[str, Any]:
    """Check ``response`` is an RFC 9457 problem with ``status`` (and ``field``, and words of ``detail``)."""
    assert response.status_code == status, f"{response.status_code} != {status}: {response.text}"
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE), response.headers["content-type"]
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["title"] == HTTPStatus(status).phrase
    assert body["status"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"].strip()
    assert "Traceback" not in response.text
    if field is not ANY:
        assert body.get("field") == field, body
    if detail is not None:
        assert detail.lower() in body["detail"].lower(), body["detail"]
    return body


@dataclass
class Api:
    """A test client bound to one engine, with shortcuts for what most API tests set up."""

    client: TestClient[Any]
    engine: Engine
    app: Litestar

    def person(self, external_id: str, role: Role | str = Role.AMBASSADOR, **fields: Any) -> Person:
        return make_person(self.engine, external_id, role, **fields)

    problem = staticmethod(assert_problem)

    def request(self, method: str, url: str, who: Person | None = None, **kwargs: Any) -> Any:
        # The application is shared by the whole run (building one costs ~0.1 s); every
        # request reads its engine from app.state, so pointing that at this test's engine
        # gives each test its own database and settings.
        self.app.state.engine = self.engine
        headers = dict(who.headers) if who is not None else {}
        headers.update(kwargs.pop("headers", None) or {})
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, who: Person | None = None, **kwargs: Any) -> Any:
        return self.request("GET", url, who, **kwargs)

    def post(self, url: str, who: Person | None = None, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", url, who, json=json, **kwargs)

    def patch(self, url: str, who: Person | None = None, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", url, who, json=json, **kwargs)

    def delete(self, url: str, who: Person | None = None, **kwargs: Any) -> Any:
        return self.request("DELETE", url, who, **kwargs)

    def create_content(self, who: Person, **fields: Any) -> dict[str, Any]:
        body = {"title": "Hello", "url": "https://example.com/a", **fields}
        response = self.post("/api/v1/content", who, body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def move(self, who: Person, content_id: int, action: str, note: str | None = None) -> Any:
        body: dict[str, Any] = {"action": action}
        if note is not None:
            body["note"] = note
        return self.post(f"/api/v1/content/{content_id}/transitions", who, body)

    def moved(self, who: Person, content_id: int, *actions: str) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for action in actions:
            response = self.move(who, content_id, action, note="because" if action in NOTED else None)
            assert response.status_code == 200, response.text
            body = response.json()
        return body

    def approved_content(self, editor: Person, **fields: Any) -> dict[str, Any]:
        content = self.create_content(editor, **fields)
        return self.moved(editor, content["id"], "submit", "approve")

    def create_campaign(self, editor: Person, **fields: Any) -> dict[str, Any]:
        body = {"name": "Spring", "slug": "spring", **fields}
        response = self.post("/api/v1/campaigns", editor, body)
        assert response.status_code == 201, response.text
        return dict(response.json())

    def share(self, who: Person, content_id: int, network: str = "linkedin", **fields: Any) -> dict[str, Any]:
        response = self.post("/api/v1/shares", who, {"content_id": content_id, "network": network, **fields})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def add_account(self, who: Person, network: str = "linkedin", handle: str = "me", **fields: Any) -> dict[str, Any]:
        response = self.post("/api/v1/me/accounts", who, {"network": network, "handle": handle, **fields})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def feed_ids(self, who: Person, query: str = "") -> list[int]:
        response = self.get(f"/api/v1/me/feed{query}", who)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]


NOTED = {"reject", "request_changes"}


class Cast:
    """The usual people, all opted in, each created the first time a test names them.

    ``amir`` and ``bea`` are ambassadors, ``erin`` an editor and ``ada`` an admin.
    """

    def __init__(self, api: Api) -> None:
        self.api = api

    @cached_property
    def amir(self) -> Person:
        return self.api.person("amir")

    @cached_property
    def bea(self) -> Person:
        return self.api.person("bea")

    @cached_property
    def erin(self) -> Person:
        return self.api.person("erin", Role.EDITOR)

    @cached_property
    def ada(self) -> Person:
        return self.api.person("ada", Role.ADMIN)

    def everyone(self) -> list[Person]:
        return [self.amir, self.bea, self.erin, self.ada]


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Litestar, TestClient[Any]]]:
    """One application and client for the run; :meth:`Api.request` swaps each test's engine in.

    The client goes through :class:`PeerFromHeader`, so a request may say which address it
    comes from with an ``x-test-peer`` header (without it, the peer is ``testclient``).
    """
    folder = tmp_path_factory.mktemp("clarion-shared-app")
    settings = load_settings(
        {}, cwd=folder, database_url=f"sqlite:///{folder}/unused.db", secret_key=TEST_SECRET, plugin_autoload=False
    )
    engine = build_engine(settings)
    app = create_app(engine=engine)
    with TestClient(PeerFromHeader(app)) as client:
        yield app, client
    engine.close()


@pytest.fixture
def api(shared_app: tuple[Litestar, TestClient[Any]], clarion_engine: Engine) -> Api:
    app, client = shared_app
    client.cookies.clear()  # a session cookie another test signed in with is no caller of this one
    return Api(client, clarion_engine, app)


@pytest.fixture
def cast(api: Api) -> Cast:
    return Cast(api)


def cli(database_url: str, *args: str, **environ: str | None) -> Any:
    """``clarion ARGS`` on ``database_url`` with the test secret and entry points off; ``environ`` adds variables."""
    env = {
        "CLARION_DATABASE_URL": database_url,
        "CLARION_SECRET_KEY": TEST_SECRET,
        "CLARION_DISABLE_PLUGIN_AUTOLOAD": "1",
        "CLARION_CONFIG": None,
        **environ,
    }
    return CliRunner().invoke(main, list(args), env=env)


# A LinkedIn post's address, as an ambassador pastes it to verify an intent share.
LINKEDIN_POST_URL = "https://www.linkedin.com/feed/update/urn:li:activity:7123456789/"


@pytest.fixture
def linkedin_share(api: Api, cast: Cast) -> dict[str, Any]:
    """A published intent share of amir's, verified with a LinkedIn post link (:data:`LINKEDIN_POST_URL`)."""
    content = api.approved_content(cast.erin)
    share = api.share(cast.amir, content["id"], "linkedin")
    verified = api.post(f"/api/v1/shares/{share['id']}/verify", cast.amir, {"post_url": LINKEDIN_POST_URL})
    assert verified.status_code == 200, verified.text
    return verified.json()


@pytest.fixture
def api_factory(
    shared_app: tuple[Litestar, TestClient[Any]], clarion_settings_factory: Callable[..., Settings]
) -> Iterator[Callable[..., Api]]:
    """``factory(extra_plugins=None, plugin_config=None, **settings) -> Api`` on the test database.

    ``plugin_config`` holds ``[plugins.<name>]`` sections; ``extra_plugins`` registers plugins.
    """
    app, client = shared_app
    engines: list[Engine] = []

    def factory(
        extra_plugins: dict[str, Any] | None = None, plugin_config: dict[str, Any] | None = None, **settings: Any
    ) -> Api:
        engine = build_engine(clarion_settings_factory(plugins=plugin_config, **settings), extra_plugins=extra_plugins)
        engines.append(engine)
        return Api(client, engine, app)

    yield factory
    for engine in engines:
        engine.close()


@pytest.fixture
def problem() -> Callable[..., dict[str, Any]]:
    """:func:`assert_problem`, for tests that talk to their own application."""
    return assert_problem


class PubNet(Connector):
    """A test network that publishes through its API without a server, so shares can be posted now,
    scheduled, retried and rescheduled."""

    key = "pubnet"
    label = "PubNet"
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH})

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), 500, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return "https://pubnet.example/share"


class PubNetPlugin:
    """Registers :class:`PubNet` (or a subclass of it)."""

    def __init__(self, connector: type[PubNet] = PubNet) -> None:
        self.connector = connector

    @hookimpl
    def clarion_connectors_register(self):
        return [self.connector()]

