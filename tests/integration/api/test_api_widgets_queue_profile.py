"""My queue and my profile: retry and reschedule of my own shares, quiet hours, personal daily caps,
the my-queue, profile and onboarding widgets as their fragments render them, and /connect/done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from api_fixtures import PubNetPlugin
from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.models import NetworkAccount, Share, ShareStatus


def later(**delta: float) -> str:
    return (datetime.now(UTC).replace(microsecond=0) + timedelta(**delta)).isoformat()


@pytest.fixture
def publishing(api_factory, cast):
    """PubNet connected for Amir (and Bea), with content to share; the daily limit is 5."""
    api = api_factory(
        extra_plugins={"pubnet": PubNetPlugin()},
        plugin_config={"guardrail-cadence": {"daily_limits": {"default": 5}}},
        disabled_plugins=["guardrail-repeat-share"],  # the same item, shared again and again
    )
    for person, handle in ((cast.amir, "@amir"), (cast.bea, "@bea")):
        account = api.add_account(person, "pubnet", handle)
        with api.engine.transaction() as session:
            stored = session.exec(select(NetworkAccount).where(NetworkAccount.id == account["id"])).one()
            stored.credentials_encrypted = b"sealed"
            session.add(stored)
    api.content = api.approved_content(cast.erin, title="We are hiring")
    return api


def scheduled(api, who, **delta: float) -> dict:
    return api.share(who, api.content["id"], "pubnet", method="api", scheduled_at=later(**delta))


def failed(api, who, kind: str = "auth_expired") -> dict:
    """An API share of ``who`` that failed with an error of ``kind``."""
    share = api.share(who, api.content["id"], "pubnet", method="api")
    with api.engine.transaction() as session:
        row = session.get(Share, share["id"])
        row.status = ShareStatus.FAILED
        row.attempts = 1
        row.last_error = "token expired"
        session.add(row)
        record_event(
            session,
            EventKind.SHARE_FAILED,
            idempotency_key=f"test-failed:{row.id}",
            ambassador_id=row.ambassador_id,
            share_id=row.id,
            content_id=row.content_id,
            payload={"error": kind, "reason": "token expired"},
        )
    return share


# -- retry and reschedule ------------------------------------------------------------------------------


def test_i_retry_my_failed_share_and_nobody_else_can(publishing, cast):
    share = failed(publishing, cast.amir)
    publishing.problem(publishing.post(f"/api/v1/shares/{share['id']}/retry", cast.bea), 404)
    response = publishing.post(f"/api/v1/shares/{share['id']}/retry", cast.amir)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "scheduled"
    assert response.json()["scheduled_at"] is None
    again = publishing.post(f"/api/v1/shares/{share['id']}/retry", cast.amir)
    publishing.problem(again, 409, detail="a share that is scheduled cannot become scheduled")


def test_only_api_shares_are_retried(publishing, cast):
    intent = publishing.share(cast.amir, publishing.content["id"], "linkedin")
    publishing.problem(publishing.post(f"/api/v1/shares/{intent['id']}/retry", cast.amir), 409, detail="only shares")


def test_i_reschedule_my_scheduled_share(publishing, cast):
    share = scheduled(publishing, cast.amir, days=2)
    when = later(days=3)
    publishing.problem(
        publishing.post(f"/api/v1/shares/{share['id']}/reschedule", cast.bea, {"scheduled_at": when}), 404
    )
    response = publishing.post(f"/api/v1/shares/{share['id']}/reschedule", cast.amir, {"scheduled_at": when})
    assert response.status_code == 200, response.text
    assert response.json()["scheduled_at"] == when.replace("+00:00", "Z")
    past = publishing.post(f"/api/v1/shares/{share['id']}/reschedule", cast.amir, {"scheduled_at": later(hours=-1)})
    publishing.problem(past, 422, field="scheduled_at", detail="in the future")
    bad = publishing.post(f"/api/v1/shares/{share['id']}/reschedule", cast.amir, {"scheduled_at": "soon"})
    assert bad.status_code == 400
    publishing.post(f"/api/v1/shares/{share['id']}/cancel", cast.amir)
    gone = publishing.post(f"/api/v1/shares/{share['id']}/reschedule", cast.amir, {"scheduled_at": when})
    publishing.problem(gone, 409, detail="cannot be rescheduled")


def test_rescheduling_into_my_quiet_hours_is_refused(publishing, cast):
    share = scheduled(publishing, cast.amir, days=2)
    night = (datetime.now(UTC) + timedelta(days=3)).replace(hour=23, minute=0, second=0, microsecond=0)
    quiet = publishing.patch("/api/v1/me", cast.amir, {"quiet_hours_start": 22 * 60, "quiet_hours_end": 7 * 60})
    assert quiet.status_code == 200, quiet.text
    response = publishing.post(
        f"/api/v1/shares/{share['id']}/reschedule", cast.amir, {"scheduled_at": night.isoformat()}
    )
    publishing.problem(response, 422, field="scheduled_at", detail="quiet hours")
    # Moving a share within its own day does not count it twice against the daily limit.
    publishing.request("PATCH", "/api/v1/me/daily-limits", cast.amir, json={"limits": {"pubnet": 1}})
    same_day = datetime.fromisoformat(share["scheduled_at"].replace("Z", "+00:00")).replace(hour=12, minute=0)
    moved = publishing.post(
        f"/api/v1/shares/{share['id']}/reschedule", cast.amir, {"scheduled_at": same_day.isoformat()}
    )
    assert moved.status_code == 200, moved.text


# -- quiet hours and daily caps --------------------------------------------------------------------------


def test_quiet_hours_are_set_and_cleared_together(api, cast):
    response = api.patch("/api/v1/me", cast.amir, {"quiet_hours_start": 1320, "quiet_hours_end": 420})
    assert response.status_code == 200, response.text
    assert response.json()["profile"]["quiet_hours_start"] == 1320
    api.problem(api.patch("/api/v1/me", cast.amir, {"quiet_hours_start": 60}), 422, field="quiet_hours_start")
    api.problem(
        api.patch("/api/v1/me", cast.amir, {"quiet_hours_start": 60, "quiet_hours_end": None}),
        422,
        field="quiet_hours_start",
    )
    assert api.patch("/api/v1/me", cast.amir, {"quiet_hours_start": 2000, "quiet_hours_end": 1}).status_code == 400
    cleared = api.patch("/api/v1/me", cast.amir, {"quiet_hours_start": None, "quiet_hours_end": None})
    assert cleared.json()["profile"]["quiet_hours_start"] is None


def test_my_daily_cap_is_enforced_and_mine_alone(api, cast):
    content, other = api.approved_content(cast.erin), api.approved_content(cast.erin, url="https://example.com/b")
    response = api.request("PATCH", "/api/v1/me/daily-limits", cast.amir, json={"limits": {"linkedin": 1}})
    assert response.status_code == 200, response.text
    assert response.json() == {"limits": {"linkedin": 1}}
    assert api.get("/api/v1/me/daily-limits", cast.bea).json() == {"limits": {}}
    api.share(cast.amir, content["id"], "linkedin")
    second = api.post("/api/v1/shares", cast.amir, {"content_id": other["id"], "network": "linkedin"})
    api.problem(second, 422, detail="the limit is 1 a day")
    api.share(cast.bea, content["id"], "linkedin")
    api.share(cast.bea, other["id"], "linkedin")  # Bea keeps the programme's limit
    removed = api.request("PATCH", "/api/v1/me/daily-limits", cast.amir, json={"limits": {"linkedin": None}})
    assert removed.json() == {"limits": {}}


@pytest.mark.parametrize(
    ("limits", "status", "field"),
    [({"nowhere": 1}, 422, "limits"), ({"linkedin": 0}, 400, None), ({"linkedin": "x"}, 400, None)],
)
def test_bad_daily_caps_are_refused(api, cast, limits, status, field):
    response = api.request("PATCH", "/api/v1/me/daily-limits", cast.amir, json={"limits": limits})
    assert response.status_code == status, response.text
    if field:
        assert response.json()["field"] == field


# -- the my-queue widget ----------------------------------------------------------------------------------


def test_my_queue_shows_scheduled_published_and_failed_shares(publishing, cast):
    waiting = scheduled(publishing, cast.amir, days=2)
    broken = failed(publishing, cast.amir)
    published = publishing.share(cast.amir, publishing.content["id"], "pubnet", method="api")
    with publishing.engine.transaction() as session:
        row = session.get(Share, published["id"])
        row.status = ShareStatus.PUBLISHED
        row.published_at = datetime.now(UTC)
        row.external_post_url = "https://pubnet.example/@amir/1"
        session.add(row)
    pending = publishing.share(cast.amir, publishing.content["id"], "pubnet", method="api")
    scheduled(publishing, cast.bea, days=1)  # not mine
    html = publishing.get("/widgets/my-queue", cast.amir).text
    assert html.count('class="cw-queue-item"') == 4
    assert f'data-share-id="{waiting["id"]}"' in html
    assert 'data-action="cancel-share"' in html
    assert 'data-action="reschedule"' in html
    assert f'data-share-id="{broken["id"]}"' in html
    assert "Your PubNet connection has expired" in html
    assert 'data-action="retry-share"' in html
    assert 'href="https://pubnet.example/@amir/1"' in html
    assert "View your post on PubNet" in html
    assert f'data-share-id="{pending["id"]}" data-share-pending' in html
    assert "token expired" not in html  # the network's own words are not shown


def test_my_queue_in_dutch(publishing, cast):
    bram = publishing.person("bram", locale="nl-NL")
    html = publishing.get("/widgets/my-queue", bram).text
    assert "Mijn wachtrij" in html
    assert 'lang="nl"' in html
    failed(publishing, cast.amir, "rate_limited")
    publishing.patch("/api/v1/me", cast.amir, {"locale": "nl"})
    html = publishing.get("/widgets/my-queue", cast.amir).text
    assert "PubNet vroeg ons het rustiger aan te doen" in html
    assert "Opnieuw proberen" in html


# -- the profile and onboarding widgets --------------------------------------------------------------------


def test_the_profile_widget_shows_my_settings_and_accounts(api, cast):
    api.patch(
        "/api/v1/me", cast.amir, {"quiet_hours_start": 1320, "quiet_hours_end": 420, "leaderboard_visible": False}
    )
    api.request("PATCH", "/api/v1/me/daily-limits", cast.amir, json={"limits": {"linkedin": 2}})
    api.add_account(cast.amir, "linkedin", "amir-l")
    html = api.get("/widgets/profile", cast.amir).text
    assert "You are taking part" in html
    assert 'data-consent="pause"' in html
    assert 'data-consent="leave"' in html
    assert 'name="leaderboard_visible">' in html  # not checked
    assert 'name="quiet" checked' in html
    assert 'value="22:00"' in html
    assert 'value="07:00"' in html
    assert 'id="cw-cap-linkedin" name="linkedin" type="number" inputmode="numeric" min="1" max="3" value="2"' in html
    assert "amir-l" in html
    assert 'data-action="disconnect"' in html
    assert 'data-action="connect" data-network="mastodon"' in html
    assert 'data-kind="app_password"' in html
    assert "data-connect-dialog" in html


def test_the_profile_widget_offers_rejoining_after_leaving_in_dutch(api, cast):
    bram = api.person("bram", locale="nl")
    api.post("/api/v1/me/consent", bram, {"action": "leave"})
    html = api.get("/widgets/profile", bram).text
    assert "Mijn profiel" in html
    assert "Opnieuw meedoen" in html
    assert 'data-action="opt-in"' in html


def test_the_profile_widget_leaves_out_caps_without_the_cadence_guardrail(api_factory, cast):
    api = api_factory(disabled_plugins=["guardrail-cadence"])
    html = api.get("/widgets/profile", api.person("cara")).text
    assert "My daily limits" not in html
    assert "Quiet hours" in html


def test_onboarding_hides_once_done_and_returns_for_new_guidelines(api, cast):
    content = api.approved_content(cast.erin)
    assert "Next steps" in api.get("/widgets/onboarding", cast.amir).text
    api.share(cast.amir, content["id"])
    done = api.get("/widgets/onboarding", cast.amir).text
    assert "data-cw-done" in done
    assert "Next steps" not in done
    api.post("/api/v1/guidelines", cast.ada, {"version": "2099-01", "body": "- Be kind."})
    back = api.get("/widgets/onboarding", cast.amir).text
    assert "Our social media guidelines have changed" in back


def test_onboarding_offers_every_api_network(api, cast):
    html = api.get("/widgets/onboarding", api.person("newbie")).text
    assert 'tabindex="-1" data-cw-focus="joined"' in html
    assert 'data-network="bluesky"' in html
    assert 'data-kind="app_password"' in html


def test_the_connect_done_page_speaks_the_persons_language(api):
    english = api.get("/connect/done")
    assert english.status_code == 200
    assert "Your account is connected" in english.text
    dutch = api.get("/connect/done?lang=nl").text
    assert 'lang="nl"' in dutch
    assert "data-clarion-connected" in dutch
    assert "Je account is gekoppeld" in dutch
