"""The OpenAPI document keeps the contract honest: summaries, schemas, errors, examples, roles."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.handlers import HTTPRouteHandler
from litestar.testing import TestClient

from clarion.models import Role
from clarion.web.app import create_app
from clarion.web.auth import PUBLIC

PUBLIC_OPERATIONS = {("GET", "/healthz")}

# Statuses each operation is shown (by the other API tests) to produce, beyond 400/401/403.
KNOWN_ERRORS: dict[tuple[str, str], set[int]] = {
    ("GET", "/healthz"): {503},
    ("GET", "/api/v1/content"): {422},
    ("POST", "/api/v1/me/accounts/connect/{network}"): {422},
    ("GET", "/api/v1/me/accounts/connect/{network}/callback"): {422},
    ("POST", "/api/v1/content"): {422},
    ("GET", "/api/v1/content/{content_id}"): {404},
    ("PATCH", "/api/v1/content/{content_id}"): {404, 409, 422},
    ("DELETE", "/api/v1/content/{content_id}"): {404, 409},
    ("POST", "/api/v1/content/{content_id}/transitions"): {404, 409, 422},
    ("GET", "/api/v1/campaigns"): {422},
    ("POST", "/api/v1/campaigns"): {409, 422},
    ("GET", "/api/v1/campaigns/{campaign_id}"): {404},
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): {404, 409, 422},
    ("DELETE", "/api/v1/campaigns/{campaign_id}"): {404, 409},
    ("POST", "/api/v1/shares"): {404, 409, 422},
    ("GET", "/api/v1/shares"): {422},
    ("GET", "/api/v1/shares/{share_id}"): {404},
    ("POST", "/api/v1/shares/{share_id}/cancel"): {404, 409},
    ("GET", "/api/v1/me/feed"): {422},
    ("PATCH", "/api/v1/me"): {422},
    ("POST", "/api/v1/me/consent"): {409, 422},
    ("POST", "/api/v1/me/accounts"): {409, 422},
    ("DELETE", "/api/v1/me/accounts/{account_id}"): {404},
    ("GET", "/api/v1/ambassadors"): {422},
    ("POST", "/api/v1/ambassadors"): {409, 422},
    ("GET", "/api/v1/ambassadors/{ambassador_id}"): {404},
    ("PATCH", "/api/v1/ambassadors/{ambassador_id}"): {404, 409, 422},
    ("GET", "/api/v1/ambassadors/{ambassador_id}/accounts"): {404},
    ("GET", "/api/v1/shares/{share_id}/metrics"): {404},
    ("POST", "/api/v1/metrics/import"): {413, 415, 422},
    ("GET", "/api/v1/audit"): {422},
}
# Operations reading a raw body themselves (an upload), documented by hand with its media types.
RAW_BODY_OPERATIONS = {("POST", "/api/v1/metrics/import"): {"text/csv", "multipart/form-data"}}


@pytest.fixture(scope="module")
def document(shared_app) -> dict[str, Any]:
    _, client = shared_app
    response = client.get("/schema/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def operation_ids(document: dict[str, Any]) -> list[str]:
    return [f"{method} {path}" for method, path, _ in operations(document)]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def test_every_operation_has_a_summary_and_a_tag(document):
    for method, path, operation in operations(document):
        assert operation.get("summary", "").strip(), f"{method} {path} has no summary"
        assert operation.get("tags"), f"{method} {path} has no tag"


def test_every_success_response_has_a_schema(document):
    for method, path, operation in operations(document):
        successes = {status: spec for status, spec in operation["responses"].items() if status.startswith("2")}
        assert len(successes) == 1, f"{method} {path}: {sorted(successes)}"
        [(status, spec)] = successes.items()
        if status == "204":
            assert "content" not in spec
            continue
        if "application/json" not in spec["content"]:  # a file: a zip of my data
            assert list(spec["content"]) == ["application/zip"], (method, path, spec["content"])
            continue
        schema = spec["content"]["application/json"]["schema"]
        assert schema, f"{method} {path} documents no response schema"
        assert "$ref" in schema or (schema.get("type") == "array" and "$ref" in schema["items"]), (method, path, schema)


def test_request_bodies_are_documented_exactly_where_handlers_take_one(document, shared_app):
    app, _ = shared_app
    takes_body = {
        (http_method, route.path_format)
        for route in app.routes
        for handler in route.route_handlers
        if isinstance(handler, HTTPRouteHandler) and "data" in handler.parsed_fn_signature.parameters
        for http_method in handler.http_methods
    }
    for method, path, operation in operations(document):
        if (method, path) in RAW_BODY_OPERATIONS:
            body = operation.get("requestBody")
            assert body is not None, f"{method} {path} reads a body but documents none"
            assert body.get("required") is True, f"{method} {path}"
            assert set(body["content"]) == RAW_BODY_OPERATIONS[(method, path)], f"{method} {path}"
        elif (method, path) in takes_body:
            body = operation.get("requestBody")
            assert body is not None, f"{method} {path} takes a body but documents none"
            assert body.get("required") is True, f"{method} {path}"
            schema = body["content"]["application/json"]["schema"]
            assert "$ref" in schema, f"{method} {path}: {schema}"
        else:
            assert "requestBody" not in operation, f"{method} {path} documents a body it does not read"
    assert ("POST", "/api/v1/shares") in takes_body


def test_request_schemas_say_that_unknown_fields_are_refused(document):
    # Every request model forbids extra fields (a 400); the document should say so to clients.
    names = {
        resolve_name(operation["requestBody"]["content"]["application/json"]["schema"])
        for method, path, operation in operations(document)
        if "requestBody" in operation and (method, path) not in RAW_BODY_OPERATIONS
    }
    for name in sorted(names):
        schema = document["components"]["schemas"][name]
        assert schema.get("additionalProperties") is False, f"{name} does not document additionalProperties: false"


def resolve_name(schema: dict[str, Any]) -> str:
    return str(schema["$ref"].rsplit("/", 1)[-1])


def test_every_operation_documents_its_errors_as_problems(document):
    for method, path, operation in operations(document):
        documented = {int(status) for status in operation["responses"] if not status.startswith("2")}
        expected = set(KNOWN_ERRORS.get((method, path), set()))
        if (method, path) not in PUBLIC_OPERATIONS:
            expected |= {400, 401, 403}
        if "{" in path:
            expected.add(404)
        missing = expected - documented
        assert not missing, f"{method} {path} does not document {sorted(missing)}"
        for status in documented:
            spec = operation["responses"][str(status)]
            assert spec.get("description"), (method, path, status)
            if (method, path) in PUBLIC_OPERATIONS:
                continue
            content = spec["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_the_problem_schema(document):
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"title", "status", "detail"}
    assert set(problem["properties"]) == {"type", "title", "status", "detail", "field", "errors"}


def documented_example(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """Whether a property's schema carries an example, directly or through what it refers to."""
    if "examples" in schema:
        return True
    if "$ref" in schema:
        target = resolve(document, schema)
        # Nested objects are checked property by property on their own; enums carry examples.
        return "properties" in target or "examples" in target
    if schema.get("type") == "array" and "items" in schema:
        return documented_example(document, schema["items"])
    branches = [branch for branch in schema.get("oneOf", schema.get("anyOf", [])) if branch.get("type") != "null"]
    return bool(branches) and all(documented_example(document, branch) for branch in branches)


def test_every_property_of_every_component_schema_has_examples(document):
    missing = [
        f"{name}.{prop}"
        for name, schema in document["components"]["schemas"].items()
        for prop, prop_schema in schema.get("properties", {}).items()
        if not documented_example(document, prop_schema)
    ]
    assert not missing, f"properties without examples: {missing}"


def test_examples_are_the_declared_ones_not_random_filler(document):
    # Litestar invents random examples (e.g. status 6784) unless told not to.
    problem = document["components"]["schemas"]["Problem"]
    for example in problem.get("examples", []):
        assert 400 <= example["status"] <= 599, example
    assert problem["properties"]["field"]["examples"] == ["title"]
    for branch in problem["properties"]["field"].get("oneOf", []):
        assert branch.get("examples", ["title"]) == ["title"], branch


def test_the_document_is_the_same_every_time_it_is_built(api, document):
    with TestClient(create_app(engine=api.engine)) as client:
        again = client.get("/schema/openapi.json").json()
    assert differences(document, again) == []


def differences(left: Any, right: Any, where: str = "") -> list[str]:
    """JSON pointers at which two documents differ."""
    if isinstance(left, dict) and isinstance(right, dict):
        return [
            found
            for key in sorted(set(left) | set(right))
            for found in differences(left.get(key), right.get(key), f"{where}/{key}")
        ]
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [
            found
            for index, pair in enumerate(zip(left, right, strict=True))
            for found in differences(*pair, f"{where}/{index}")
        ]
    return [] if left == right else [where]


def test_the_document_declares_bearer_authentication(document):
    assert document["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert document["security"] == [{"bearer": []}]


# -- every route declares who may call it -------------------------------------------------------------


def route_handlers(app) -> list[tuple[str, HTTPRouteHandler]]:
    return [
        (route.path, handler)
        for route in app.routes
        for handler in route.route_handlers
        if isinstance(handler, HTTPRouteHandler)
    ]


def is_framework_route(path: str, handler: HTTPRouteHandler) -> bool:
    """OpenAPI and static files are Litestar's; so is the OPTIONS handler it adds to each path."""
    return path.startswith(("/schema", "/static")) or handler.http_methods == {"OPTIONS"}


def test_every_route_handler_declares_a_role(shared_app):
    app, _ = shared_app
    for path, handler in route_handlers(app):
        if is_framework_route(path, handler):
            continue
        role = handler.opt.get("role")
        assert role is not None, f"{path} ({handler.handler_name}) declares no role"
        assert role == PUBLIC or role in {member.value for member in Role}, (path, role)


def test_documented_roles_match_the_handlers(shared_app, document):
    app, _ = shared_app
    roles = {
        (method, path.replace(":int", "").replace(":str", "")): handler.opt["role"]
        for path, handler in route_handlers(app)
        if not is_framework_route(path, handler)
        for method in handler.http_methods
    }
    documented = {(method, path) for method, path, _ in operations(document)}
    # The home page, the tracked-link redirect and the widgets (HTML and the embed script) are
    # pages for people and intranets, not API operations.
    pages = {("GET", "/"), ("GET", "/r/{code}"), ("HEAD", "/r/{code}")}
    # A link's QR code is an image for its sharer (tests/integration/test_clicks.py checks who may fetch it).
    qr_codes = {("GET", "/r/{code}/qr.svg"), ("GET", "/r/{code}/qr.png")}
    widgets = {("GET", "/widgets/{name}"), ("GET", "/embed/{name}"), ("GET", "/embed.js"), ("GET", "/embed-origin")}
    # Where a connection started from a widget ends: a page that closes its own window.
    connect_done = {("GET", "/connect/done")}
    # OIDC sign-in is a browser flow (redirects and HTML pages), not an API operation.
    oidc = {("GET", "/auth/oidc/login"), ("GET", "/auth/oidc/callback"), ("POST", "/auth/oidc/logout")}
    # The editor and admin UI is HTML too; tests/integration/api/test_admin_ui.py lists and checks its routes.
    admin_ui = {key for key in roles if key[1].startswith("/admin")}
    assert set(roles) == documented | pages | qr_codes | widgets | connect_done | oidc | admin_ui
    assert {roles[key] for key in admin_ui} == {"editor", "admin", PUBLIC}
    assert roles[("GET", "/widgets/{name}")] == "ambassador"
    assert {key for key, role in roles.items() if role == PUBLIC} == pages | {
        ("GET", "/embed/{name}"),  # only a valid session cookie shows a widget; without one, the sign-in step
        ("GET", "/embed.js"),
        ("GET", "/embed-origin"),  # a page learns only whether its own origin may embed Clarion
        ("POST", "/api/v1/sessions"),  # the single-use token in the body is the credential
        ("GET", "/healthz"),
        ("GET", "/api/v1/me/accounts/connect/{network}/callback"),  # the OAuth state authorises it
        ("GET", "/admin/signin"),
        ("POST", "/admin/signin"),  # the single-use token in the form is the credential
        *connect_done,  # says only "connected", to anyone
        *oidc,  # the provider vouches for the person; the signed state cookie ties the answer to the browser
    }
