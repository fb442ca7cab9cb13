"""Errors as application/problem+json: the domain-error table, unexpected errors, and bad input."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient

from clarion import errors
from clarion.bootstrap import build_engine
from clarion.config import load_settings
from clarion.errors import ClarionError, ConnectorError
from clarion.testing import TEST_SECRET
from clarion.web.app import create_app
from clarion.web.problems import ERROR_STATUS, status_for


class SecretBoom(RuntimeError):
    pass


class MissingWidget(errors.NotFound):
    """A plugin's own error, deriving from a listed one."""


RAISABLE: dict[str, Exception] = {
    **{
        cls.__name__: (
            cls("the network is down", network="x") if issubclass(cls, ConnectorError) else cls("it broke", field="f")
        )
        for cls in ERROR_STATUS
    },
    "PluginLoadError": errors.PluginLoadError("cannot import", field=None),
    "PluginConflict": errors.PluginConflict("two plugins", field=None),
    "MissingWidget": MissingWidget("no such widget", field="widget"),
    "SecretBoom": SecretBoom("password=hunter2 at /srv/clarion/secret.py"),
}


@get("/_test/raise/{name:str}", include_in_schema=False, sync_to_thread=False)
def raise_named(name: FromPath[str]) -> None:
    raise RAISABLE[name]


@pytest.fixture(scope="module")
def raising_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient[Any]]:
    """The real application plus one route that raises whatever the test names."""
    folder = tmp_path_factory.mktemp("errors")
    engine = build_engine(
        load_settings(
            {}, cwd=folder, database_url=f"sqlite:///{folder}/x.db", secret_key=TEST_SECRET, plugin_autoload=False
        )
    )
    app: Litestar = create_app(engine=engine)
    app.register(raise_named)
    with TestClient(app) as client:
        yield client
    engine.close()


@pytest.mark.parametrize(
    ("cls", "status"), list(ERROR_STATUS.items()), ids=lambda value: getattr(value, "__name__", "")
)
def test_every_entry_of_the_error_table_gives_its_status(raising_client, cls, status, problem):
    response = raising_client.get(f"/_test/raise/{cls.__name__}")
    error = RAISABLE[cls.__name__]
    body = problem(response, status)
    assert body["detail"] == error.detail
    assert body.get("field") == error.field
    if status == 401:
        assert response.headers["www-authenticate"] == 'Bearer realm="clarion"'
    else:
        assert "www-authenticate" not in response.headers


@pytest.mark.parametrize(
    ("name", "status"), [("PluginLoadError", 500), ("PluginConflict", 500), ("MissingWidget", 404)]
)
def test_subclasses_take_the_status_of_their_nearest_listed_base(raising_client, name, status, problem):
    problem(raising_client.get(f"/_test/raise/{name}"), status)


def test_every_error_class_clarion_defines_resolves_to_a_listed_status():
    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, ClarionError)
        assert any(base in ERROR_STATUS for base in cls.__mro__), name
    direct = {cls for cls in vars(errors).values() if isinstance(cls, type) and ClarionError in cls.__bases__}
    assert direct <= set(ERROR_STATUS)
    assert status_for(errors.ValidationFailed("x")) == 422
    assert status_for(errors.PluginConflict("x")) == 500


def test_an_unexpected_error_is_a_500_problem_without_internals(raising_client, caplog, problem):
    with caplog.at_level(logging.ERROR, logger="clarion.web"):
        response = raising_client.get("/_test/raise/SecretBoom")
    body = problem(response, 500)
    assert body["detail"] == "Clarion hit an unexpected error; it has been logged."
    for leak in ("hunter2", "secret.py", "SecretBoom", "Traceback", "raise_named"):
        assert leak not in response.text
    assert "SecretBoom" in caplog.text  # but the operator can find out what happened


def test_unknown_routes_and_methods_are_problems(api, cast, problem):
    problem(api.get("/api/v1/nothing-here", cast.amir), 404)
    response = api.request("PUT", "/api/v1/content", cast.amir, json={})
    problem(response, 405)
    assert "POST" in response.headers["allow"]


# -- malformed requests -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'{"action": "pause",}', "application/json"),
        (b"\xff\xfe", "application/json"),
        (b"", "application/json"),
    ],
    ids=["broken", "trailing-comma", "not-utf8", "empty"],
)
def test_bodies_that_are_not_json_objects_are_400(api, cast, content, content_type, problem):
    response = api.post("/api/v1/me/consent", cast.amir, content=content, headers={"content-type": content_type})
    body = problem(response, 400)
    assert api.get("/api/v1/me", cast.amir).json()["profile"]["consent"] == "opted_in"
    assert body["detail"]


def test_a_missing_body_is_400_saying_a_body_is_needed(api, cast, problem):
    response = api.post("/api/v1/me/consent", cast.amir)
    body = problem(response, 400)
    # "data" is the handler's parameter name, not something the client sent or can act on.
    assert body.get("field") != "data", body
    assert "body" in body["detail"].lower(), body


# -- values the database cannot hold are client errors, never 500s --------------------------------


HUGE = 2**63  # beyond SQLite's and PostgreSQL's integers
ID_BEYOND_INT4 = 2**31  # beyond PostgreSQL's INTEGER ids


@pytest.mark.parametrize("number", [ID_BEYOND_INT4, HUGE])
@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"),
    [
        ("GET", "/api/v1/content/{n}", None, {400, 404}),
        ("PATCH", "/api/v1/content/{n}", {"title": "x"}, {400, 404}),
        ("DELETE", "/api/v1/content/{n}", None, {400, 404}),
        ("POST", "/api/v1/content/{n}/transitions", {"action": "submit"}, {400, 404}),
        ("GET", "/api/v1/campaigns/{n}", None, {400, 404}),
        ("GET", "/api/v1/shares/{n}", None, {400, 404}),
        ("POST", "/api/v1/shares/{n}/cancel", None, {400, 404}),
        ("DELETE", "/api/v1/me/accounts/{n}", None, {400, 404}),
        ("GET", "/api/v1/ambassadors/{n}", None, {400, 404}),
        ("GET", "/api/v1/content?campaign_id={n}", None, {200, 400, 422}),
        ("GET", "/api/v1/content?offset={n}", None, {200, 400, 422}),
        ("GET", "/api/v1/me/feed?campaign_id={n}", None, {200, 400, 422}),
        ("GET", "/api/v1/me/events?after_id={n}", None, {200, 400, 422}),
        ("GET", "/api/v1/shares?ambassador_id={n}", None, {200, 400, 404}),
        ("POST", "/api/v1/shares", {"content_id": "{n}", "network": "x"}, {400, 404, 422}),
        ("POST", "/api/v1/content", {"title": "t", "url": "https://e.com", "campaign_id": "{n}"}, {400, 422}),
        ("POST", "/api/v1/campaigns", {"name": "n", "slug": "s", "goal_reach": "{n}"}, {400, 422}),
        ("POST", "/api/v1/me/accounts", {"network": "x", "handle": "h", "follower_count": "{n}"}, {400, 422}),
    ],
)
def test_huge_integers_are_client_errors(api, cast, method, path, body, allowed, number, problem):
    if body is not None:
        body = {key: number if value == "{n}" else value for key, value in body.items()}
    response = api.request(method, path.format(n=number), cast.ada, json=body)
    assert response.status_code in allowed, response.text
    if response.status_code >= 400:
        problem(response, response.status_code)


def test_an_audience_value_longer_than_the_database_column_is_refused(api, cast, problem):
    body = {"title": "t", "url": "https://example.com", "audience": {"teams": ["t" * 121]}}
    response = api.post("/api/v1/content", cast.erin, body)
    assert response.status_code in (400, 422), response.text
    problem = problem(response, response.status_code)
    assert (problem.get("field") or "").startswith("audience"), problem


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/content", {"title": "a\x00b", "url": "https://example.com"}),
        ("/api/v1/campaigns", {"name": "a\x00b", "slug": "nul"}),
        ("/api/v1/me/accounts", {"network": "x", "handle": "a\x00b"}),
    ],
    ids=["content-title", "campaign-name", "account-handle"],
)
def test_nul_characters_never_cause_a_server_error(api, cast, path, body):
    response = api.post(path, cast.erin, body)
    assert response.status_code < 500, response.text
