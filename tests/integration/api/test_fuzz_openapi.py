"""Schemathesis over the OpenAPI, as an admin and as an ambassador: no server error, no answer the schema forbids.

The normal suite runs a bounded sample (``CLARION_FUZZ_EXAMPLES`` requests per operation and
generation mode, 2 by default, well under 40 seconds per database); ``nox -s fuzz`` runs the
same test with many more on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

EXAMPLES = int(os.environ.get("CLARION_FUZZ_EXAMPLES", "2"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Connecting an account goes out to a network's servers: not something to fuzz offline.
SKIPPED = {("POST", "/api/v1/me/accounts/connect/{network}"), ("GET", "/api/v1/me/accounts/connect/{network}/callback")}


def _programme(api: Any, cast: Any) -> None:
    """Something to find for every kind of id: a campaign, content, a share, a challenge."""
    campaign = api.create_campaign(cast.erin)
    content = api.approved_content(cast.erin, campaign_id=campaign["id"])
    api.share(cast.amir, content["id"], "linkedin")
    now = datetime.now(UTC)
    window = {"starts_at": (now - timedelta(days=1)).isoformat(), "ends_at": (now + timedelta(days=9)).isoformat()}
    body = {"title": "Share", "kind": "individual", "measure": "shares", "target": 2, **window}
    assert api.post("/api/v1/challenges", cast.erin, body).status_code == 201


def _items(files: Any) -> list[tuple[str, Any]]:
    return list(files.items()) if isinstance(files, dict) else list(files)


def _file(value: Any) -> Any:
    """A generated multipart part as httpx takes it: content is bytes, whatever was generated."""
    parts = list(value) if isinstance(value, tuple) else [None, value]
    content = parts[1]
    if not isinstance(content, bytes):
        parts[1] = str(content).encode("utf-8", "surrogatepass")
    return tuple(parts)


def _send(api: Any, case: Any, who: Any) -> Any:
    """The case through the suite's own test client (requests-style arguments turned into httpx ones)."""
    kwargs = case.as_transport_kwargs(base_url="http://testserver.local", headers=dict(who.headers))
    if isinstance(kwargs.get("data"), str | bytes):
        kwargs["content"] = kwargs.pop("data")
    kwargs.pop("cookies", None)
    if kwargs.get("files"):
        kwargs["files"] = [(name, _file(value)) for name, value in _items(kwargs["files"])]
    api.app.state.engine = api.engine
    response = api.client.request(**kwargs)
    response.request.read()  # a multipart body is a stream; the checks read it again
    return response


def _fuzz(api: Any, who: Any, operation: Any, mode: GenerationMode, failures: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: Any) -> None:
        response = _send(api, case, who)
        try:
            case.validate_response(response, checks=CHECKS, headers=dict(who.headers))
        except FailureGroup as failure:
            failures.append(f"{operation.label} ({mode.value}): {failure}")

    send()


@pytest.mark.slow
@pytest.mark.parametrize("role", ["admin", "ambassador"])
def test_generated_requests_get_no_server_error_and_answers_that_match_the_schema(api, cast, role):
    _programme(api, cast)
    who = cast.ada if role == "admin" else cast.amir
    schema = schemathesis.openapi.from_dict(api.get("/schema/openapi.json").json())
    api.app.state.engine = api.engine
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(api, who, operation, mode, failures)

    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])
