"""Offset pagination on every list route: limit, offset, total and the maximum page size."""

from __future__ import annotations

import pytest

LISTS = {
    "content": ("/api/v1/content", "erin"),
    "feed": ("/api/v1/me/feed", "amir"),
    "campaigns": ("/api/v1/campaigns", "amir"),
    "shares": ("/api/v1/shares", "amir"),
    "ambassadors": ("/api/v1/ambassadors", "ada"),
}


def fill(api, cast, name: str, count: int) -> None:
    """Make ``count`` items appear in the list called ``name`` (besides what the cast brings)."""
    if name in {"content", "feed"}:
        for index in range(count):
            api.approved_content(cast.erin, title=f"Item {index}")
    elif name == "campaigns":
        for index in range(count):
            api.create_campaign(cast.erin, slug=f"campaign-{index}")
    elif name == "shares":
        content = api.approved_content(cast.erin)
        for index in range(count):
            api.share(cast.amir, content["id"], ("linkedin", "x", "facebook", "email")[index])
    elif name == "ambassadors":
        cast.everyone()
        for index in range(count - 4):
            api.person(f"person-{index}")


@pytest.mark.parametrize("name", list(LISTS))
def test_limit_offset_and_total(api, cast, name):
    path, who = LISTS[name]
    person = getattr(cast, who)
    fill(api, cast, name, 4)

    def page(query):
        response = api.get(f"{path}?{query}", person)
        assert response.status_code == 200, response.text
        return response.json()

    everything = page("limit=100")
    assert everything["total"] == 4
    ids = [item["id"] for item in everything["items"]]
    assert len(set(ids)) == 4
    first = page("limit=3")
    assert (first["total"], first["limit"], first["offset"]) == (4, 3, 0)
    assert [item["id"] for item in first["items"]] == ids[:3]
    rest = page("limit=3&offset=3")
    assert (rest["total"], rest["offset"]) == (4, 3)
    assert [item["id"] for item in rest["items"]] == ids[3:]
    beyond = page("offset=10")
    assert (beyond["total"], beyond["items"]) == (4, [])


@pytest.mark.parametrize("name", list(LISTS))
def test_page_size_limits(api, cast, name):
    path, who = LISTS[name]
    person = getattr(cast, who)
    assert api.get(f"{path}", person).json()["limit"] == 25  # the default page size
    assert api.get(f"{path}?limit=100", person).status_code == 200
    api.problem(api.get(f"{path}?limit=101", person), 422, field="limit", detail="limit must be between 1 and 100")
    api.problem(api.get(f"{path}?limit=0", person), 400, field="limit")
    api.problem(api.get(f"{path}?limit=-5", person), 400, field="limit")
    api.problem(api.get(f"{path}?offset=-1", person), 400, field="offset")
    api.problem(api.get(f"{path}?limit=ten", person), 400, field="limit")
    api.problem(api.get(f"{path}?offset=1.5", person), 400, field="offset")


def test_page_sizes_follow_the_settings(api_factory):
    api = api_factory(max_page_size=10, default_page_size=3)
    editor = api.person("erin", "editor")
    for index in range(4):
        api.create_content(editor, title=f"Item {index}")
    body = api.get("/api/v1/content", editor).json()
    assert (body["limit"], body["total"], len(body["items"])) == (3, 4, 3)
    assert api.get("/api/v1/content?limit=10", editor).status_code == 200
    api.problem(api.get("/api/v1/content?limit=11", editor), 422, field="limit", detail="between 1 and 10")
