"""Whatever a client sends, the answer is a 4xx problem, never a 500."""

from __future__ import annotations

import pytest

from clarion.models import Role

BAD_GETS = [
    "/api/v1/content/99999999999999999999",
    "/api/v1/content/0",
    "/api/v1/content?campaign_id=99999999999999",
    "/api/v1/content?offset=999999999999999",
    "/api/v1/content?limit=0",
    "/api/v1/content?status=published",
    "/api/v1/shares/-1",
    "/api/v1/campaigns?limit=abc",
]


@pytest.mark.parametrize("path", BAD_GETS)
def test_bad_query_and_path_values_are_400(clarion_client, clarion_people, path):
    editor = clarion_people("erin", Role.EDITOR)
    response = clarion_client.get(path, headers=editor.headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", None),
        (b"[1, 2]", None),
        (b'{"title": 5, "url": "https://example.com"}', "title"),
        (b'{"title": "t", "url": "https://example.com", "surprise": 1}', "surprise"),
        (b'{"title": "t", "url": "https://example.com", "campaign_id": 4294967296}', "campaign_id"),
        (b'{"title": "t", "url": "https://example.com", "publish_at": "2026-01-01T00:00:00"}', "publish_at"),
    ],
)
def test_bad_bodies_are_400_naming_the_field(clarion_client, clarion_people, body, field):
    editor = clarion_people("erin", Role.EDITOR)
    headers = {**editor.headers, "content-type": "application/json"}
    response = clarion_client.post("/api/v1/content", headers=headers, content=body)
    assert response.status_code == 400, response.text
    assert response.json().get("field") == field


def test_text_the_database_refuses_is_a_4xx(clarion_client, clarion_people):
    # PostgreSQL refuses NUL in text and SQLite would store it: both refuse it alike (clarion.inputs).
    editor = clarion_people("erin", Role.EDITOR)
    response = clarion_client.post(
        "/api/v1/content", headers=editor.headers, json={"title": "a\x00b", "url": "https://example.com"}
    )
    assert response.status_code == 422
