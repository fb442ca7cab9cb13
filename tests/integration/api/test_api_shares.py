"""``/api/v1/shares``: sharing, the networks' text rules, guardrails, scheduling and cancelling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from api_fixtures import PubNetPlugin
from clarion.models import NetworkAccount


def iso(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat()


@pytest.fixture
def content(api, cast):
    return api.approved_content(
        cast.erin,
        title="We are hiring",
        share_texts=[
            {"network": "linkedin", "text": "Come work with me"},
            {"network": "linkedin", "text": "Second idea"},
            {"network": "x", "text": "Hiring!"},
        ],
    )


def test_an_intent_share(api, cast, content):
    response = api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "linkedin"})
    assert response.status_code == 201, response.text
    share = response.json()
    assert share["content_id"] == content["id"]
    assert share["ambassador_id"] == cast.amir.id
    assert share["network"] == "linkedin"
    assert share["text"] == "Come work with me"  # the first suggestion for the network
    assert share["method"] == "intent"
    assert share["status"] == "planned"
    assert share["scheduled_at"] is None
    assert share["attempts"] == 0
    assert share["tracked_url"].startswith("http://clarion.test/r/")
    intent = urlsplit(share["share_intent_url"])
    assert intent.netloc == "www.linkedin.com"
    assert parse_qs(intent.query)["text"] == [f"Come work with me {share['tracked_url']}"]
    read = api.get(f"/api/v1/shares/{share['id']}", cast.amir).json()
    assert read == {key: value for key, value in share.items() if key not in ("share_intent_url", "warnings")}
    assert share["warnings"] == []


def test_my_own_words_and_the_title_as_fallback(api, cast, content):
    assert api.share(cast.amir, content["id"], "linkedin", text="  In my words ")["text"] == "In my words"
    assert api.share(cast.amir, content["id"], "facebook")["text"] == "We are hiring"  # no suggestion: the title


def test_a_share_to_x_opens_the_x_composer(api, cast, content):
    share = api.share(cast.amir, content["id"], "x")
    query = parse_qs(urlsplit(share["share_intent_url"]).query)
    assert query == {"text": ["Hiring!"], "url": [share["tracked_url"]]}


# -- X's weighted length: 280, each URL 23 (the tracked link too), most non-Latin scripts 2 -------------


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        pytest.param("a" * 256, True, id="256+link=280"),
        pytest.param("a" * 257, False, id="257+link=281"),
        pytest.param("a" * 200 + " https://example.com/" + "p" * 200, True, id="long-url-counts-23"),
        pytest.param("a" * 209 + " https://example.com/" + " " + "b" * 22, True, id="url-23-exactly-280"),
        pytest.param("a" * 209 + " https://example.com/" + " " + "b" * 23, False, id="url-23-then-281"),
        pytest.param("日" * 128, True, id="cjk-weighs-2-fits"),
        pytest.param("日" * 129, False, id="cjk-weighs-2-too-long"),
    ],
)
def test_x_counts_like_x(api, cast, content, text, fits):
    response = api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "x", "text": text})
    if fits:
        assert response.status_code == 201, response.text
    else:
        api.problem(response, 422, field="text", detail="X allows 280 characters")


def test_refusals_speak_the_readers_language(api, cast, content):
    body = {"content_id": content["id"], "network": "x", "text": "a" * 300}
    dutch = api.post("/api/v1/shares", cast.amir, body, headers={"accept-language": "nl-NL,nl;q=0.9,en;q=0.8"})
    api.problem(dutch, 422, field="text", detail="X staat 280 tekens toe; dit bericht telt er")
    english = api.post("/api/v1/shares", cast.amir, body, headers={"accept-language": "en-GB"})
    api.problem(english, 422, field="text", detail="X allows 280 characters")


def test_campaign_hashtags_count_on_x(api, cast):
    campaign = api.create_campaign(cast.erin, hashtags=["#Hiring", "Jobs"])
    content = api.approved_content(cast.erin, campaign_id=campaign["id"])
    # 243 + space + link (23) = 267; with " #Hiring #Jobs" (14) it is 281.
    too_long = api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "x", "text": "a" * 243})
    api.problem(too_long, 422, field="text", detail="this post counts 281")
    share = api.share(cast.amir, content["id"], "x", text="a" * 242)
    assert parse_qs(urlsplit(share["share_intent_url"]).query)["hashtags"] == ["Hiring,Jobs"]


def test_linkedin_allows_3000_characters_with_the_link(api, cast, content):
    link_length = len("http://clarion.test/r/") + 10  # base URL and a ten-character code
    fits = "a" * (3000 - 1 - link_length)
    api.share(cast.amir, content["id"], "linkedin", text=fits)
    too_long = api.post(
        "/api/v1/shares", cast.bea, {"content_id": content["id"], "network": "linkedin", "text": fits + "a"}
    )
    api.problem(too_long, 422, field="text", detail="LinkedIn allows 3000")


def test_email_refuses_what_a_mail_client_would_cut(api, cast, content):
    body = {"content_id": content["id"], "network": "email", "text": "é" * 400}  # 2,400 characters encoded
    api.problem(api.post("/api/v1/shares", cast.amir, body), 422, field="text", detail="too long")
    share = api.share(cast.amir, content["id"], "email", text="Worth a read")
    assert share["share_intent_url"].startswith("mailto:?subject=We%20are%20hiring&body=Worth%20a%20read")


# -- refusals -----------------------------------------------------------------------------------


def test_unknown_network_is_422(api, cast, content):
    response = api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "myspace"})
    known = ", ".join(api.engine.connectors())
    api.problem(response, 422, field="network", detail=f"known networks: {known}")


def test_scheduling_an_intent_share_is_422(api, cast, content):
    body = {"content_id": content["id"], "network": "linkedin", "scheduled_at": iso(timedelta(hours=2))}
    api.problem(api.post("/api/v1/shares", cast.amir, body), 422, field="scheduled_at", detail="only API shares")


def test_an_api_share_on_a_network_without_an_api_is_422(api, cast, content):
    body = {"content_id": content["id"], "network": "linkedin", "method": "api"}
    api.problem(api.post("/api/v1/shares", cast.amir, body), 422, field="method", detail="cannot publish")


def test_sharing_twice_within_72_hours_is_refused_by_the_guardrail(api, cast, content):
    first = api.share(cast.amir, content["id"], "linkedin")
    again = api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "linkedin"})
    api.problem(again, 422, field="text", detail="already shared this on LinkedIn in the last 72 hours")
    assert api.share(cast.amir, content["id"], "x")  # another network is fine
    assert api.share(cast.bea, content["id"], "linkedin")  # and so is someone else
    assert api.post(f"/api/v1/shares/{first['id']}/cancel", cast.amir).status_code == 200
    assert api.share(cast.amir, content["id"], "linkedin")  # a cancelled share does not count


def test_the_repeat_guardrail_can_be_turned_off(api_factory, cast, content):
    relaxed = api_factory(plugin_config={"guardrail-repeat-share": {"window_hours": 0}})
    relaxed.share(cast.amir, content["id"], "linkedin")
    relaxed.share(cast.amir, content["id"], "linkedin")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"network": "x"}, "content_id"),
        ({"content_id": "one", "network": "x"}, "content_id"),
        ({"content_id": 1}, "network"),
        ({"content_id": 1, "network": ""}, "network"),
        ({"content_id": 1, "network": "x", "method": "carrier-pigeon"}, "method"),
        ({"content_id": 1, "network": "x", "scheduled_at": "2030-01-01T10:00:00"}, "scheduled_at"),
        ({"content_id": 1, "network": "x", "text": "t" * 5001}, "text"),
        ({"content_id": 1, "network": "x", "via": "bot"}, "via"),
    ],
)
def test_malformed_shares_are_400(api, cast, body, field):
    api.problem(api.post("/api/v1/shares", cast.amir, body), 400, field=field)


def test_sharing_missing_content_is_404(api, cast):
    api.problem(api.post("/api/v1/shares", cast.amir, {"content_id": 4242, "network": "x"}), 404)


def test_sharing_content_not_targeted_to_me_is_404(api, cast):
    content = api.approved_content(cast.erin, audience={"teams": ["Elsewhere"]})
    api.problem(api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "x"}), 404)
    # Editors see all content, yet may share only what is targeted to them.
    api.problem(api.post("/api/v1/shares", cast.erin, {"content_id": content["id"], "network": "x"}), 404)


def test_sharing_my_own_unapproved_suggestion_is_409(api, cast):
    content = api.create_content(cast.amir, origin="curated")
    response = api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "x"})
    api.problem(response, 409, detail="not approved for sharing")


@pytest.mark.parametrize(
    ("window", "detail"),
    [
        ({"publish_at": iso(timedelta(days=1))}, "opens for sharing at"),
        ({"expires_at": iso(timedelta(minutes=-1))}, "expired at"),
    ],
)
def test_sharing_outside_the_window_is_409_for_editors_who_can_see_it(api, cast, window, detail):
    content = api.approved_content(cast.erin, **window)
    response = api.post("/api/v1/shares", cast.erin, {"content_id": content["id"], "network": "x"})
    api.problem(response, 409, detail=detail)


@pytest.mark.parametrize(("action", "state"), [("pause", "paused"), ("leave", "left")])
def test_paused_or_departed_ambassadors_cannot_share(api, cast, content, action, state):
    assert api.post("/api/v1/me/consent", cast.amir, {"action": action}).status_code == 200
    response = api.post("/api/v1/shares", cast.amir, {"content_id": content["id"], "network": "x"})
    api.problem(response, 409, detail=f"you are {state}")


def test_ambassadors_who_have_not_opted_in_cannot_share(api, cast, content):
    newcomer = api.person("newcomer", opted_in=False)
    response = api.post("/api/v1/shares", newcomer, {"content_id": content["id"], "network": "x"})
    api.problem(response, 409, detail="you are invited: opt in")


# -- API shares, scheduling, cancelling -----------------------------------------------------------


@pytest.fixture
def publishing(api_factory, cast, content):
    """An engine with PubNet, and Amir's PubNet account connected with credentials."""
    api = api_factory(extra_plugins={"pubnet": PubNetPlugin()})
    account = api.add_account(cast.amir, "pubnet", "@amir")
    with api.engine.transaction() as session:
        stored = session.exec(select(NetworkAccount).where(NetworkAccount.id == account["id"])).one()
        stored.credentials_encrypted = b"sealed"
        session.add(stored)
    return api


def test_an_api_share_needs_a_connected_account(publishing, cast, content):
    body = {"content_id": content["id"], "network": "pubnet", "method": "api"}
    publishing.problem(publishing.post("/api/v1/shares", cast.bea, body), 422, field="method", detail="connect your")
    share = publishing.share(cast.amir, content["id"], "pubnet", method="api")
    assert share["status"] == "planned"
    assert share["share_intent_url"] is None


def test_scheduled_api_shares_and_their_limits(publishing, cast, content):
    body = {"content_id": content["id"], "network": "pubnet", "method": "api"}
    past = publishing.post("/api/v1/shares", cast.amir, {**body, "scheduled_at": iso(timedelta(minutes=-1))})
    publishing.problem(past, 422, field="scheduled_at", detail="in the future")
    far = publishing.post("/api/v1/shares", cast.amir, {**body, "scheduled_at": iso(timedelta(days=32))})
    publishing.problem(far, 422, field="scheduled_at", detail="31 days")
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    share = publishing.share(cast.amir, content["id"], "pubnet", method="api", scheduled_at=when.isoformat())
    assert share["status"] == "scheduled"
    assert share["scheduled_at"] == when.isoformat().replace("+00:00", "Z")
    cancelled = publishing.post(f"/api/v1/shares/{share['id']}/cancel", cast.amir)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_an_api_share_cannot_be_scheduled_after_the_content_expires(publishing, cast, expiring_content):
    body = {
        "content_id": expiring_content["id"],
        "network": "pubnet",
        "method": "api",
        "scheduled_at": iso(timedelta(days=3)),
    }
    response = publishing.post("/api/v1/shares", cast.amir, body)
    publishing.problem(response, 422, field="scheduled_at")


@pytest.fixture
def expiring_content(api, cast):
    """Approved content that may be shared for one more day."""
    return api.approved_content(cast.erin, title="Last call", expires_at=iso(timedelta(days=1)))


def test_cancelling_a_share(api, cast, content):
    share = api.share(cast.amir, content["id"])
    response = api.post(f"/api/v1/shares/{share['id']}/cancel", cast.amir)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert api.get(f"/api/v1/shares/{share['id']}", cast.amir).json()["status"] == "cancelled"
    again = api.post(f"/api/v1/shares/{share['id']}/cancel", cast.amir)
    api.problem(again, 409, detail="a share that is cancelled cannot become cancelled")


def test_missing_shares_are_404(api, cast):
    api.problem(api.get("/api/v1/shares/4242", cast.amir), 404, detail="share 4242 not found")
    api.problem(api.post("/api/v1/shares/4242/cancel", cast.amir), 404)


def test_listing_my_shares_newest_first_with_filters(api, cast, content):
    other = api.approved_content(cast.erin)
    first = api.share(cast.amir, content["id"], "linkedin")
    second = api.share(cast.amir, content["id"], "x")
    third = api.share(cast.amir, other["id"], "linkedin")
    api.share(cast.bea, content["id"], "linkedin")
    api.post(f"/api/v1/shares/{second['id']}/cancel", cast.amir)

    def ids(query=""):
        response = api.get(f"/api/v1/shares{query}", cast.amir)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [third["id"], second["id"], first["id"]]
    assert ids("?network=linkedin") == [third["id"], first["id"]]
    assert ids("?status=cancelled") == [second["id"]]
    assert ids("?status=planned&network=x") == []
    assert ids(f"?ambassador_id={cast.amir.id}") == [third["id"], second["id"], first["id"]]
    body = api.get("/api/v1/shares?limit=1", cast.amir).json()
    assert (body["total"], body["limit"], len(body["items"])) == (3, 1, 1)
    assert body["items"][0]["tracked_url"] == third["tracked_url"]


@pytest.mark.parametrize(("query", "field"), [("status=lost", "status"), ("ambassador_id=me", "ambassador_id")])
def test_bad_share_filters_are_400(api, cast, query, field):
    api.problem(api.get(f"/api/v1/shares?{query}", cast.amir), 400, field=field)


def test_shares_are_recorded_in_my_events(api, cast, content):
    share = api.share(cast.amir, content["id"])
    api.post(f"/api/v1/shares/{share['id']}/cancel", cast.amir)
    events = api.get("/api/v1/me/events", cast.amir).json()
    kinds = [(event["kind"], event["share_id"]) for event in events if event["kind"].startswith("share.")]
    assert kinds == [("share.created", share["id"]), ("share.cancelled", share["id"])]
