"""Points and levels over the API: why I have my points, held points reviewed, level progress and promotion."""

from __future__ import annotations

from datetime import timedelta

from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.models import Click, utcnow


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
