"""Health, networks, plugins, the home page and the headers every response carries."""

from __future__ import annotations

import re

import pytest

from clarion.schema import head_revision


def test_healthz_reports_the_schema_revision(api):
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "schema_revision": head_revision(),
        "schema_head": head_revision(),
        "detail": None,
    }


def test_healthz_is_degraded_on_an_unmigrated_database(api_factory, tmp_path):
    bare = api_factory(database_url=f"sqlite:///{tmp_path}/empty.db")
    response = bare.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["schema_revision"]) == ("degraded", "ok", None)
    assert "clarion db upgrade" in body["detail"]


def test_healthz_is_degraded_when_the_database_is_unreachable(api_factory, tmp_path):
    gone = api_factory(database_url=f"sqlite:///{tmp_path}/missing/dir/clarion.db")
    response = gone.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"]) == ("degraded", "unreachable")
    assert body["detail"]


def test_networks(api, cast):
    response = api.get("/api/v1/networks", cast.amir)
    assert response.status_code == 200
    networks = {network["key"]: network for network in response.json()}
    assert set(networks) == set(api.engine.connectors())
    assert {"email", "facebook", "linkedin", "x", "whatsapp", "teams"} <= set(networks)
    assert networks["linkedin"] == {"key": "linkedin", "label": "LinkedIn", "capabilities": ["intent"]}


def test_plugins(api, cast):
    response = api.get("/api/v1/plugins", cast.ada)
    assert response.status_code == 200
    plugins = {plugin["name"]: plugin for plugin in response.json()}
    assert {"connector-x", "identity-signed-token", "guardrail-repeat-share"} <= set(plugins)
    assert plugins["connector-x"]["source"] == "built-in"
    assert plugins["connector-x"]["module"] == "clarion_plugins.connectors.x"
    assert "clarion_connectors_register" in plugins["connector-x"]["hooks"]
    assert plugins["connector-x"]["blocked"] is False


def test_the_home_page_renders_html(api, cast):
    api.approved_content(cast.erin, title="A shareable story")
    response = api.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert "A shareable story" in response.text


def test_the_openapi_document_and_swagger_are_public(api):
    assert api.get("/schema/openapi.json").status_code == 200
    swagger = api.get("/schema/swagger")
    assert swagger.status_code == 200
    assert "text/html" in swagger.headers["content-type"]


# src="…", href="…" and url(…) pointing at another host (a CDN); links to a post's own page are <a href>.
OUTSIDE_ASSET = re.compile(r"<(?:script|link|img|iframe)\b[^>]*?(?:src|href)=[\"']?(?:https?:)?//(?!testserver)", re.I)


def test_the_api_explorer_loads_its_assets_from_clarion_itself(api):
    page = api.get("/schema/swagger").text
    assert not OUTSIDE_ASSET.search(page), OUTSIDE_ASSET.search(page)
    assets = re.findall(r'(?:src|href)="(/static/swagger-ui/[^"]+)"', page)
    assert len(assets) == 3
    for asset in assets:
        response = api.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 10_000


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/", None),
        ("/schema/swagger", None),
        ("/widgets/feed", "amir"),
        ("/admin", "ada"),
        ("/admin/content", "ada"),
        ("/admin/ambassadors", "ada"),
        ("/admin/settings", "ada"),
        ("/admin/analytics", "ada"),
        ("/admin/signin", None),
    ],
)
def test_no_page_loads_anything_from_another_host(api, cast, path, who):
    response = api.get(path, getattr(cast, who)) if who else api.get(path)
    assert response.status_code == 200, path
    # Widgets name Clarion's own assets by its base URL: they are shown on the intranet's pages.
    found = OUTSIDE_ASSET.search(response.text.replace(f'"{api.engine.settings.base_url}/', '"/'))
    assert found is None, f"{path} loads {found.group(0) if found else ''}"


SECURITY_HEADERS = {"content-security-policy": "frame-ancestors 'none'", "x-content-type-options": "nosniff"}


@pytest.mark.parametrize(
    ("method", "path", "who", "body", "status"),
    [
        ("GET", "/healthz", None, None, 200),
        ("GET", "/", None, None, 200),
        ("GET", "/api/v1/me", "amir", None, 200),
        ("GET", "/schema/openapi.json", None, None, 200),
        ("GET", "/api/v1/me", None, None, 401),
        ("GET", "/api/v1/plugins", "amir", None, 403),
        ("GET", "/api/v1/content/4242", "amir", None, 404),
        ("GET", "/api/v1/no-such-route", None, None, 404),
        ("POST", "/api/v1/me/consent", "amir", {"action": "jump"}, 400),
        ("POST", "/api/v1/me/consent", "amir", {"action": "resume"}, 409),
        ("POST", "/api/v1/me/consent", "amir", {"action": "opt_in"}, 422),
        ("PUT", "/api/v1/me", "amir", None, 405),
    ],
)
def test_every_response_carries_the_security_headers(api, cast, method, path, who, body, status):
    response = api.request(method, path, cast.amir if who else None, json=body)
    assert response.status_code == status, response.text
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, dict(response.headers))


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/content/1", "/api/v1/shares", "/healthz"])
def test_options_requests_are_answered_not_a_server_error(api, path):
    response = api.request("OPTIONS", path)
    assert response.status_code < 500, response.text
    assert response.status_code in (200, 204)
    # Litestar lists the methods of one of the path's handlers; any of them proves it answered.
    assert set(response.headers.get("allow", "").replace(" ", "").split(",")) & {"GET", "POST", "PATCH", "DELETE"}
