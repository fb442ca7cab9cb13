"""``/api/v1/shares/{id}/opened`` and ``/verify``: intent shares the ambassador posts by hand."""

from __future__ import annotations

import pytest
from sqlmodel import select

from clarion.ambassadors.credentials import store_credential
from clarion.connectors import Credential
from clarion.jobs import job_queue
from clarion.models import Event, NetworkAccount
from plugins import fake_publisher


@pytest.fixture
def fakepub(api_factory):
    """An API with the FakePub connector, whose posts live on fakepub.example."""
    return api_factory(
        extra_plugins={"fakepub": fake_publisher}, plugin_config={"fakepub": {"base_url": "http://127.0.0.1:9"}}
    )


@pytest.fixture
def people(fakepub):
    return {name: fakepub.person(name) for name in ("amir", "bea")} | {"erin": fakepub.person("erin", "editor")}


@pytest.fixture
def intent(fakepub, people):
    content = fakepub.approved_content(people["erin"], title="We are hiring")
    return fakepub.share(people["amir"], content["id"], "fakepub")


def events(api, share_id: int, kind: str) -> list[Event]:
    with api.engine.transaction() as session:
        return list(session.exec(select(Event).where(Event.share_id == share_id, Event.kind == kind)).all())


def test_opening_an_intent_publishes_it_unverified(fakepub, people, intent):
    assert intent["opened_at"] is None
    assert intent["verified_at"] is None
    response = fakepub.post(f"/api/v1/shares/{intent['id']}/opened", people["amir"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "published"
    assert body["opened_at"] is not None
    assert body["published_at"] is not None
    assert body["verified_at"] is None
    again = fakepub.post(f"/api/v1/shares/{intent['id']}/opened", people["amir"])
    assert again.json() == body
    [event] = events(fakepub, intent["id"], "share.published")
    assert event.payload == {"network": "fakepub", "method": "intent", "verified": False}


def test_verifying_records_the_link_to_my_post(fakepub, people, intent):
    fakepub.post(f"/api/v1/shares/{intent['id']}/opened", people["amir"])
    url = "https://www.fakepub.example/p/123"
    response = fakepub.post(f"/api/v1/shares/{intent['id']}/verify", people["amir"], {"post_url": url})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["verified_at"] is not None
    assert body["external_post_url"] == url
    assert body["status"] == "published"
    same = fakepub.post(f"/api/v1/shares/{intent['id']}/verify", people["amir"], {"post_url": url})
    assert same.status_code == 200
    other = fakepub.post(
        f"/api/v1/shares/{intent['id']}/verify", people["amir"], {"post_url": "https://fakepub.example/p/9"}
    )
    fakepub.problem(other, 409, detail="already verified")
    assert len(events(fakepub, intent["id"], "share.verified")) == 1
    assert len(events(fakepub, intent["id"], "share.published")) == 1


def test_verifying_an_unopened_share_publishes_it(fakepub, people, intent):
    body = {"post_url": "https://fakepub.example/p/1"}
    response = fakepub.post(f"/api/v1/shares/{intent['id']}/verify", people["amir"], body)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "published"
    [event] = events(fakepub, intent["id"], "share.published")
    assert event.payload["verified"] is True


@pytest.mark.parametrize(
    ("post_url", "detail"),
    [
        ("http://fakepub.example/p/1", "https://"),
        ("https://evil.example/p/1", "fakepub.example"),
        ("https://fakepub.example.evil.com/p/1", "fakepub.example"),
        ("javascript:alert(1)", "https://"),
        ("not a url", "https://"),
        ("https:///p/1", "https://"),
    ],
)
def test_bad_post_urls_are_422(fakepub, people, intent, post_url, detail):
    response = fakepub.post(f"/api/v1/shares/{intent['id']}/verify", people["amir"], {"post_url": post_url})
    fakepub.problem(response, 422, field="post_url", detail=detail)


def test_a_connector_without_hosts_accepts_any_https_link(api, cast):
    content = api.approved_content(cast.erin, title="We are hiring")
    share = api.share(cast.amir, content["id"], "email")
    body = {"post_url": "https://intranet.example.com/posts/5"}
    response = api.post(f"/api/v1/shares/{share['id']}/verify", cast.amir, body)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("action", ["opened", "verify"])
def test_other_people_cannot_touch_my_share(fakepub, people, intent, action):
    body = {"post_url": "https://fakepub.example/p/1"} if action == "verify" else None
    for who in (people["bea"], people["erin"]):
        response = fakepub.post(f"/api/v1/shares/{intent['id']}/{action}", who, body)
        fakepub.problem(response, 404)
    admin = fakepub.person("ada", "admin")
    fakepub.problem(fakepub.post(f"/api/v1/shares/{intent['id']}/{action}", admin, body), 404)
    fakepub.problem(fakepub.post(f"/api/v1/shares/{intent['id']}/{action}", None, body), 401)
    assert fakepub.get(f"/api/v1/shares/{intent['id']}", people["amir"]).json()["status"] == "planned"


def test_a_cancelled_share_cannot_be_opened(fakepub, people, intent):
    fakepub.post(f"/api/v1/shares/{intent['id']}/cancel", people["amir"])
    response = fakepub.post(f"/api/v1/shares/{intent['id']}/opened", people["amir"])
    fakepub.problem(response, 409)


def test_verify_needs_a_post_url(fakepub, people, intent):
    response = fakepub.post(f"/api/v1/shares/{intent['id']}/verify", people["amir"], {})
    fakepub.problem(response, 400)


def test_api_shares_are_not_opened_by_hand_and_are_queued_once_committed(fakepub, people):
    with fakepub.engine.transaction() as session:
        account = NetworkAccount(ambassador_id=people["amir"].id, network="fakepub", handle="@amir")
        session.add(account)
        session.flush()
        store_credential(fakepub.engine, session, account, Credential(access_token="token-1"))
    content = fakepub.approved_content(people["erin"], title="We are hiring")
    refused = fakepub.post(
        "/api/v1/shares",
        people["amir"],
        {"content_id": content["id"], "network": "fakepub", "method": "api", "text": "x" * 600},
    )
    fakepub.problem(refused, 422, field="text")
    assert job_queue(fakepub.engine).pending() == 0
    share = fakepub.share(people["amir"], content["id"], "fakepub", method="api")
    assert job_queue(fakepub.engine).pending() == 1
    response = fakepub.post(f"/api/v1/shares/{share['id']}/opened", people["amir"])
    fakepub.problem(response, 409, detail="Clarion publishes API shares itself")
