"""The plugin inside Clarion: found by its entry point, configured in clarion.toml, sharing end to end."""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import entry_points
from urllib.parse import parse_qs, urlsplit

import pytest
from clarion.connectors import SharePost
from clarion.errors import ConfigError
from clarion.models import Role, Share, ShareStatus, utcnow
from clarion.shares import publishing

from clarion_discourse import plugin
from clarion_discourse.settings import DiscourseSettings

CONNECT = "/api/v1/me/accounts/connect/discourse"


def test_the_entry_point_names_the_plugin_module():
    (entry_point,) = entry_points(group="clarion", name="discourse")
    assert entry_point.value == "clarion_discourse.plugin"
    assert entry_point.load() is plugin


def test_defaults_without_a_section(clarion_engine_factory):
    engine = clarion_engine_factory(plugins={"discourse": plugin})
    assert engine.plugin_config("discourse") == DiscourseSettings()
    assert (
        engine.connector("discourse")
        .share_intent_url(SharePost(text="Hi", link="https://x.test/r/1", title="A title of some length"))
        .startswith("https://forum.example.com/new-topic?")
    )


def test_settings_from_clarion_toml(clarion_engine_factory, tmp_path):
    (tmp_path / "clarion.toml").write_text(
        '[plugins.discourse]\nforum = "https://community.acme.example/"\ncategory_id = 12\n'
        'category_slug = "advocacy/news"\nbody_max_length = 5000\nkey_kind = "user_api_key"\n'
    )
    settings = clarion_engine_factory(plugins={"discourse": plugin}).plugin_config("discourse")
    assert settings == DiscourseSettings(
        forum="https://community.acme.example",
        category_id=12,
        category_slug="advocacy/news",
        body_max_length=5000,
        key_kind="user_api_key",
    )


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('forum = "http://forum.example.com"', r"forum: must be an https:// URL \(http:// only for localhost\)"),
        ('forum = "https://forum.example.com/?x=1"', "forum: must be the forum's base URL"),
        ("category_id = 0", "category_id: Input should be greater than or equal to 1"),
        ('category_slug = "news feed"', "category_slug: must be a category slug"),
        ("title_min_length = 30\ntitle_max_length = 20", r"title_max_length: must not be less than title_min_length"),
        ('key_kind = "password"', "key_kind: Input should be 'api_key' or 'user_api_key'"),
        ("categroy_id = 3", "categroy_id: no such setting"),
    ],
)
def test_bad_settings_stop_start_up(clarion_engine_factory, tmp_path, section, message):
    (tmp_path / "clarion.toml").write_text(f"[plugins.discourse]\n{section}\n")
    with pytest.raises(ConfigError, match=rf"^\[plugins\.discourse\] {message}"):
        clarion_engine_factory(plugins={"discourse": plugin})


# -- end to end, through Clarion's API and its publishing service -------------------------------


@pytest.fixture
def amir(clarion_people):
    return clarion_people("amir")


def approved_content(client, editor, title: str = "We are hiring") -> int:
    created = client.post(
        "/api/v1/content", headers=editor.headers, json={"title": title, "url": "https://example.com/jobs"}
    )
    assert created.status_code == 201, created.text
    content_id = created.json()["id"]
    for action in ("submit", "approve"):
        moved = client.post(
            f"/api/v1/content/{content_id}/transitions", headers=editor.headers, json={"action": action}
        )
        assert moved.status_code == 200, moved.text
    return content_id


def connect(client, person, password: str = "key-amir"):
    return client.post(CONNECT, headers=person.headers, json={"identifier": "amir", "password": password})


def share_by_api(client, person, content_id: int) -> dict:
    created = client.post(
        "/api/v1/shares",
        headers=person.headers,
        json={"content_id": content_id, "network": "discourse", "text": "Come build with us", "method": "api"},
    )
    assert created.status_code == 201, created.text
    return created.json()


def share_row(engine, share_id: int) -> Share:
    with engine.transaction() as session:
        share = session.get(Share, share_id)
        assert share is not None
        session.expunge(share)
        return share


def test_an_ambassador_connects_and_publishes_a_topic(clarion_client, clarion_engine, clarion_people, forum, amir):
    connected = connect(clarion_client, amir)
    assert connected.status_code == 200, connected.text
    account = connected.json()["account"]
    assert (account["handle"], account["api_connected"], account["status"]) == ("amir", True, "active")
    content_id = approved_content(clarion_client, clarion_people("erin", Role.EDITOR))
    share = share_by_api(clarion_client, amir, content_id)
    publishing.publish_share(clarion_engine, share["id"])
    row = share_row(clarion_engine, share["id"])
    assert row.status is ShareStatus.PUBLISHED, row.last_error
    (topic,) = forum.topics.values()
    # "We are hiring" is too short for a Discourse title: the ambassador's words complete it.
    assert topic.title == "We are hiring: Come build with us"
    assert topic.category_id == 5
    assert topic.external_id == publishing.idempotency_key(share["id"])
    assert forum.posts[topic.post_ids[0]].raw == f"Come build with us\n\n{share['tracked_url']}"
    assert row.external_post_id == f"topic/{topic.id}"


def test_a_wrong_key_is_refused_and_nothing_is_stored(clarion_client, amir):
    refused = connect(clarion_client, amir, password="not-the-key")
    assert refused.status_code == 422
    assert refused.json()["field"] == "password"
    assert refused.json()["detail"] == "Discourse refused this username and API key"
    accounts = clarion_client.get("/api/v1/me/accounts", headers=amir.headers)
    assert accounts.json() == []


def test_a_lost_answer_is_reconciled_and_posted_once(clarion_client, clarion_engine, clarion_people, forum, amir):
    assert connect(clarion_client, amir).status_code == 200
    content_id = approved_content(clarion_client, clarion_people("erin", Role.EDITOR), "Our new office opens")
    share = share_by_api(clarion_client, amir, content_id)
    forum.fail_next("POST", "/posts.json", None)
    publishing.publish_share(clarion_engine, share["id"])
    assert share_row(clarion_engine, share["id"]).status is ShareStatus.PUBLISHING
    publishing.reconcile_share(clarion_engine, share["id"])
    row = share_row(clarion_engine, share["id"])
    assert row.status is ShareStatus.PUBLISHED
    (topic,) = forum.topics.values()
    assert row.external_post_id == f"topic/{topic.id}"
    assert len(forum.calls_to("POST", "/posts.json")) == 1


def test_a_refused_post_fails_the_share_with_discourses_reason(
    clarion_client, clarion_engine, clarion_people, forum, amir
):
    assert connect(clarion_client, amir).status_code == 200
    content_id = approved_content(clarion_client, clarion_people("erin", Role.EDITOR), "Our new office opens")
    share = share_by_api(clarion_client, amir, content_id)
    forum.fail_next("POST", "/posts.json", 422, {"action": "create_post", "errors": ["Title seems unclear"]})
    publishing.publish_share(clarion_engine, share["id"])
    row = share_row(clarion_engine, share["id"])
    assert row.status is ShareStatus.FAILED
    assert "Title seems unclear" in (row.last_error or "")
    assert forum.topics == {}


def test_the_share_link_carries_the_tracked_link(clarion_client, clarion_people, forum, amir):
    content_id = approved_content(clarion_client, clarion_people("erin", Role.EDITOR))
    created = clarion_client.post(
        "/api/v1/shares",
        headers=amir.headers,
        json={"content_id": content_id, "network": "discourse", "text": "Come build with us"},
    )
    assert created.status_code == 201, created.text
    share = created.json()
    url = urlsplit(share["share_intent_url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{forum.url}/new-topic"
    assert parse_qs(url.query) == {
        "title": ["We are hiring: Come build with us"],
        "body": [f"Come build with us\n\n{share['tracked_url']}"],
        "category": ["news"],
    }


def test_a_revoked_key_fails_the_share_and_asks_to_reconnect(
    clarion_client, clarion_engine, clarion_people, forum, amir
):
    assert connect(clarion_client, amir).status_code == 200
    content_id = approved_content(clarion_client, clarion_people("erin", Role.EDITOR), "Our new office opens")
    share = share_by_api(clarion_client, amir, content_id)
    forum.users["amir"].api_key = "rotated-by-an-admin"
    publishing.publish_share(clarion_engine, share["id"])
    row = share_row(clarion_engine, share["id"])
    assert row.status is ShareStatus.FAILED
    assert (row.last_error or "").startswith(
        "reconnect your Discourse account: Discourse refused the account's API key"
    )
    (account,) = clarion_client.get("/api/v1/me/accounts", headers=amir.headers).json()
    assert account["status"] == "reconnect_needed"


def test_a_rate_limited_share_waits_as_long_as_discourse_says(
    clarion_client, clarion_engine, clarion_people, forum, amir
):
    assert connect(clarion_client, amir).status_code == 200
    content_id = approved_content(clarion_client, clarion_people("erin", Role.EDITOR), "Our new office opens")
    share = share_by_api(clarion_client, amir, content_id)
    forum.rate_limit_next("POST", "/posts.json", wait_seconds=600)
    publishing.publish_share(clarion_engine, share["id"])
    row = share_row(clarion_engine, share["id"])
    assert row.status is ShareStatus.SCHEDULED
    assert row.scheduled_at is not None
    assert row.scheduled_at - utcnow() > timedelta(seconds=590)
    assert "Discourse rate limit reached" in (row.last_error or "")
    assert forum.topics == {}
