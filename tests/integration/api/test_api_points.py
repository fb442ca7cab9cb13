"""Points and levels over the API: why I have my points, held points reviewed, level progress and promotion."""

from __future__ import annotations

from datetime import timedelta

from clarion.events import EventKind
from clarion.models import Click, Role, utcnow
from clarion.services.events import record_event


def shared_and_verified(api, who, editor):
    content = api.approved_content(editor)
    share = api.share(who, content["id"], "x")
    response = api.post(f"/api/v1/shares/{share['id']}/verify", who, {"post_url": "https://x.com/me/status/1"})
    assert response.status_code == 200, response.text
    return share


def burst(api, who, share_id, clicks=20):
    """Counted clicks on one share, seconds apart, all from one visitor."""
    start = utcnow() - timedelta(minutes=1)
    for number in range(clicks):
        with api.engine.transaction() as session:
            click = Click(
                capture_id=f"burst-{share_id}-{number}", share_id=share_id, occurred_at=start, visitor_hash="v"
            )
            session.add(click)
            session.flush()
            record_event(
                session,
                EventKind.CLICK_COUNTED,
                idempotency_key=f"click.counted:{click.id}",
                ambassador_id=who.id,
                share_id=share_id,
                occurred_at=start + timedelta(seconds=number),
                payload={"click_id": click.id, "network": "x", "via_qr": False},
            )


def test_my_points_explain_every_entry(api, cast):
    api.add_account(cast.amir, "x", "@amir")
    share = shared_and_verified(api, cast.amir, cast.erin)
    body = api.get("/api/v1/me/points", cast.amir).json()
    assert (body["balance"], body["held"], body["total"]) == (20, 0, 2)
    newest, oldest = body["items"]
    assert (newest["rule"], newest["points"], newest["event_kind"], newest["reason"]) == (
        "share",
        10,
        "share.published",
        "You shared on X",
    )
    assert (oldest["rule"], oldest["event_kind"], oldest["status"]) == (
        "onboarding-account",
        "account.connected",
        "awarded",
    )
    assert newest["occurred_at"] >= oldest["occurred_at"]
    page = api.get("/api/v1/me/points?limit=1&offset=1", cast.amir).json()
    assert [item["id"] for item in page["items"]] == [oldest["id"]]
    assert page["balance"] == 20
    assert api.get(f"/api/v1/shares/{share['id']}", cast.amir).json()["verified_at"] is not None


def test_points_are_private(api, cast):
    api.add_account(cast.amir, "x", "@amir")
    assert api.get("/api/v1/me/points", cast.bea).json()["items"] == []
    api.problem(api.get(f"/api/v1/ambassadors/{cast.amir.id}/points", cast.bea), 403)
    api.problem(api.get(f"/api/v1/ambassadors/{cast.amir.id}/points", cast.erin), 403)
    admin_view = api.get(f"/api/v1/ambassadors/{cast.amir.id}/points", cast.ada).json()
    assert admin_view["balance"] == 10
    api.problem(api.get("/api/v1/ambassadors/999999/points", cast.ada), 404, detail="ambassador 999999 not found")
    api.problem(api.get("/api/v1/me/points?status=lost", cast.amir), 400)


def test_held_points_are_reviewed_by_an_admin(api, cast):
    share = shared_and_verified(api, cast.amir, cast.erin)
    burst(api, cast.amir, share["id"])
    mine = api.get("/api/v1/me/points", cast.amir).json()
    assert (mine["balance"], mine["held"]) == (10 + 19 * 2, 2)
    held = api.get("/api/v1/points/held", cast.ada).json()
    assert held["total"] == 1
    entry = held["items"][0]
    assert entry["hold_reason"] == "20 clicks on this share within 10 minutes from 1 visitor"
    api.problem(api.post(f"/api/v1/points/{entry['id']}/release", cast.amir), 403)
    released = api.post(f"/api/v1/points/{entry['id']}/release", cast.ada)
    assert released.status_code == 200, released.text
    assert released.json()["status"] == "awarded"
    api.problem(
        api.post(f"/api/v1/points/{entry['id']}/reject", cast.ada),
        409,
        detail=f"points entry {entry['id']} is not held (it is awarded)",
    )
    api.problem(api.post("/api/v1/points/999999/release", cast.ada), 404)
    assert api.get("/api/v1/me/points", cast.amir).json()["balance"] == 10 + 20 * 2
    kinds = [event["kind"] for event in api.get("/api/v1/me/events?limit=500", cast.amir).json()]
    assert "points.released" in kinds


def test_level_progress_and_automatic_promotion(api_factory):
    api = api_factory(
        curation_criteria={"points": 15, "verified_shares": 1},
        production_criteria={},
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
    api = api_factory(curation_criteria={})
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
