"""Levels through the API: progress per criterion, automatic promotion, and setting a level by hand."""

from __future__ import annotations

from clarion.models import Role


def shared_and_verified(api, who, editor):
    content = api.approved_content(editor)
    share = api.share(who, content["id"], "x")
    response = api.post(f"/api/v1/shares/{share['id']}/verify", who, {"post_url": "https://x.com/me/status/1"})
    assert response.status_code == 200, response.text
    return share


def test_level_progress_and_automatic_promotion(api_factory):
    api = api_factory(
        plugin_config={
            "gamification": {"curation_criteria": {"points": 15, "verified_shares": 1}, "production_criteria": {}}
        },
        submit_requires_level={"curated": "curation"},
    )
    amir = api.person("amir")
    erin = api.person("erin", Role.EDITOR)
    level = api.get("/api/v1/me/level", amir).json()
    assert level == {
        "level": "engagement",
        "next_level": "curation",
        "promotion_only": False,
        "criteria": [
            {"name": "points", "label": "points", "required": 15, "current": 0, "met": False},
            {"name": "verified_shares", "label": "verified shares", "required": 1, "current": 0, "met": False},
        ],
        "unlocks": [{"origin": "curated", "level": "curation", "unlocked": False}],
    }
    refused = api.post("/api/v1/content", amir, {"title": "Mine", "url": "https://example.com/m", "origin": "curated"})
    api.problem(refused, 403)
    assert "opens at the curation level; you are at the engagement level" in refused.json()["detail"]
    api.add_account(amir, "x", "@amir")
    assert api.get("/api/v1/me/level", amir).json()["level"] == "engagement"  # 10 points, no verified share
    shared_and_verified(api, amir, erin)
    level = api.get("/api/v1/me/level", amir).json()
    assert (level["level"], level["next_level"], level["promotion_only"]) == ("curation", "production", True)
    assert level["unlocks"] == [{"origin": "curated", "level": "curation", "unlocked": True}]
    changed = [
        event
        for event in api.get("/api/v1/me/events?limit=500", amir).json()
        if event["kind"] == "ambassador.level_changed"
    ]
    assert [event["payload"] for event in changed] == [
        {"from": "engagement", "to": "curation", "by": None, "automatic": True}
    ]
    assert api.create_content(amir, origin="curated")["origin"] == "curated"


def test_an_admin_sets_a_level_by_hand(api, cast):
    response = api.patch(f"/api/v1/ambassadors/{cast.bea.id}", cast.ada, {"advocacy_level": "production"})
    assert response.status_code == 200, response.text
    assert response.json()["advocacy_level"] == "production"
    level = api.get("/api/v1/me/level", cast.bea).json()
    assert (level["level"], level["next_level"], level["criteria"]) == ("production", None, [])
    events = api.get("/api/v1/me/events", cast.bea).json()
    assert [event["payload"] for event in events if event["kind"] == "ambassador.level_changed"] == [
        {"from": "engagement", "to": "production", "by": cast.ada.id, "automatic": False}
    ]
    # Setting the same level again records nothing more.
    api.patch(f"/api/v1/ambassadors/{cast.bea.id}", cast.ada, {"advocacy_level": "production"})
    assert (
        len([e for e in api.get("/api/v1/me/events", cast.bea).json() if e["kind"] == "ambassador.level_changed"]) == 1
    )


def test_an_editor_promotes_by_hand(api_factory):
    api = api_factory(plugin_config={"gamification": {"curation_criteria": {}}})
    amir, bea = api.person("amir"), api.person("bea")
    erin = api.person("erin", Role.EDITOR)
    assert api.get("/api/v1/me/level", amir).json()["promotion_only"] is True
    api.problem(api.post(f"/api/v1/ambassadors/{amir.id}/level", bea, {"level": "curation"}), 403)
    api.problem(api.post(f"/api/v1/ambassadors/{amir.id}/level", amir, {"level": "production"}), 403)
    api.problem(api.post("/api/v1/ambassadors/999999/level", erin, {"level": "curation"}), 404)
    api.problem(api.post(f"/api/v1/ambassadors/{amir.id}/level", erin, {"level": "expert"}), 400)
    promoted = api.post(f"/api/v1/ambassadors/{amir.id}/level", erin, {"level": "curation"})
    assert promoted.status_code == 200, promoted.text
    assert (promoted.json()["level"], promoted.json()["next_level"]) == ("curation", "production")
    events = api.get("/api/v1/me/events", amir).json()
    assert [event["payload"] for event in events if event["kind"] == "ambassador.level_changed"] == [
        {"from": "engagement", "to": "curation", "by": erin.id, "automatic": False}
    ]
    assert api.get("/api/v1/me/level", bea).json()["level"] == "engagement"
