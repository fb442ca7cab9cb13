"""A first end-to-end path: opt in, see the feed, share."""

from clarion.models import Role


def test_editor_publishes_and_ambassador_shares(clarion_client, clarion_people):
    editor = clarion_people("erin", Role.EDITOR)
    amb = clarion_people("amir")
    created = clarion_client.post(
        "/api/v1/content",
        headers=editor.headers,
        json={"title": "Hello", "url": "https://example.com/a", "share_texts": [{"network": "x", "text": "Look"}]},
    )
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    for action in ("submit", "approve"):
        moved = clarion_client.post(
            f"/api/v1/content/{content_id}/transitions", headers=editor.headers, json={"action": action}
        )
        assert moved.status_code == 200, moved.text
    feed = clarion_client.get("/api/v1/me/feed", headers=amb.headers).json()
    assert [item["id"] for item in feed["items"]] == [content_id]
    share = clarion_client.post("/api/v1/shares", headers=amb.headers, json={"content_id": content_id, "network": "x"})
    assert share.status_code == 201, share.text
    body = share.json()
    assert body["text"] == "Look"
    assert body["tracked_url"].startswith("http://clarion.test/r/")
    assert body["share_intent_url"].startswith("https://x.com/intent/tweet?")
