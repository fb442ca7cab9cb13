"""The Discourse connector against a fake forum on 127.0.0.1: text rules, intent, connect, publish, reconcile."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from clarion.connectors import Capability, ConnectorContext, Credential, SharePost
from clarion.errors import (
    ConnectorError,
    ContentRejected,
    MissingPermission,
    RateLimited,
    ReconnectNeeded,
    Transient,
    UnknownOutcome,
    ValidationFailed,
)
from clarion.testing.connector_checks import check_connector_contract

from clarion_discourse.connector import DiscourseConnector
from clarion_discourse.settings import DiscourseSettings
from clarion_discourse.text import post_raw, topic_title
from fake_discourse import Topic

LINK = "https://go.clarion.example/r/Ab3dEf6hJk?via=discourse&n=1"
POST = SharePost(text="Proud of our launch 🎉", link=LINK, title="Our product launch", hashtags=("launch",))
KEY = "clarion-share-42"


@pytest.fixture
def thread(forum) -> Topic:
    """The topic shares are posted into as replies, when so configured."""
    return forum.add_topic("bea", "Share your news here, everyone")


@pytest.fixture
def replies(forum, thread) -> Iterator[tuple[DiscourseConnector, ConnectorContext]]:
    """The connector and its context, configured to reply in ``thread``."""
    settings = DiscourseSettings(forum=forum.url, reply_to_topic_id=thread.id)
    with httpx.Client(timeout=httpx.Timeout(2.0, connect=1.0)) as http:
        yield DiscourseConnector(settings), ConnectorContext(http=http, settings=settings)


# -- contract, text rules and the share link ------------------------------------------------------


@pytest.mark.parametrize(
    "settings", [DiscourseSettings(), DiscourseSettings(reply_to_topic_id=7, category_slug="company/news")]
)
def test_keeps_the_connector_contract(settings):
    connector = DiscourseConnector(settings)
    check_connector_contract(connector)
    assert connector.capabilities == {
        Capability.INTENT,
        Capability.API_PUBLISH,
        Capability.METRICS,
        Capability.DELETE,
    }
    assert connector.post_url_hosts == {"forum.example.com"}


def test_the_post_is_the_words_and_hashtags_then_the_link_on_its_own_line():
    assert post_raw(POST) == f"Proud of our launch 🎉 #launch\n\n{LINK}"
    assert post_raw(SharePost(text="", link=LINK)) == LINK


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        ("Our product launch", "Proud of it", "Our product launch"),
        ("We are hiring", "Come work with me\nsecond line", "We are hiring: Come work with me"),
        ("", "Come work with me", "Come work with me"),
        ("  Spaced   out  title  ", "", "Spaced out title"),
        ("x" * 300, "", "x" * 254 + "…"),
    ],
)
def test_the_topic_title_is_the_content_title_completed_when_too_short(title, text, expected):
    assert topic_title(SharePost(text=text, link=LINK, title=title), DiscourseSettings()) == expected


def test_check_text_applies_discourses_lengths():
    connector = DiscourseConnector()
    fits = connector.check_text(POST)
    assert fits.ok
    assert (fits.length, fits.limit) == (len(post_raw(POST)), 32000)
    too_long = connector.check_text(SharePost(text="y" * 32000, link=LINK, title="A long enough title"))
    counted = 32000 + 2 + len(LINK)
    assert too_long.problems == (f"Discourse allows 32000 characters in a post; this one counts {counted}.",)
    short_title = connector.check_text(SharePost(text="", link=LINK, title="Launch"))
    assert short_title.problems == (
        "Discourse needs a topic title of at least 15 characters; this one counts 6: add a few words of your own.",
    )


def test_the_lengths_are_configurable_and_replies_need_no_title():
    connector = DiscourseConnector(DiscourseSettings(body_min_length=80, body_max_length=100, title_min_length=5))
    check = connector.check_text(SharePost(text="Hi", link=LINK, title="Launch"))
    assert check.problems == (f"Discourse needs at least 80 characters in a post; this one counts {4 + len(LINK)}.",)
    assert check.limit == 100
    replies = DiscourseConnector(DiscourseSettings(reply_to_topic_id=3))
    assert replies.check_text(SharePost(text="", link=LINK, title="Launch")).ok


def test_the_share_link_opens_a_new_topic_in_the_category():
    url = urlsplit(DiscourseConnector(DiscourseSettings(category_slug="company/news")).share_intent_url(POST))
    assert (url.scheme, url.netloc, url.path) == ("https", "forum.example.com", "/new-topic")
    assert parse_qs(url.query) == {
        "title": ["Our product launch"],
        "body": [f"Proud of our launch 🎉 #launch\n\n{LINK}"],
        "category": ["company/news"],
    }
    assert "+" not in url.query  # spaces as %20: Discourse's composer shows a + literally
    assert "category" not in parse_qs(urlsplit(DiscourseConnector().share_intent_url(POST)).query)


# -- connecting --------------------------------------------------------------------------------


def test_connecting_checks_the_key_and_keeps_it_as_the_credential(forum, credential):
    amir = forum.users["amir"]
    assert credential == Credential(
        access_token="key-amir",
        account_id=str(amir.id),
        handle="amir",
        instance=forum.url,
        extra={"key_kind": "api_key"},
    )
    (call,) = forum.calls_to("GET", "/session/current.json")
    assert (call.headers["api-key"], call.headers["api-username"]) == ("key-amir", "amir")


@pytest.mark.parametrize(
    ("identifier", "password", "message"),
    [
        ("amir", "wrong-key", "Discourse refused this username and API key"),
        ("nobody", "key-amir", "Discourse refused this username and API key"),
    ],
)
def test_a_refused_key_asks_to_connect_again(connector, context, identifier, password, message):
    with pytest.raises(ReconnectNeeded, match=message):
        connector.connect_with_password(context, identifier=identifier, password=password)


@pytest.mark.parametrize("discourse_settings", [{"key_kind": "user_api_key"}], ids=["user-api-key"])
def test_user_api_keys_are_sent_in_their_own_header(forum, connector, context):
    credential = connector.connect_with_password(context, identifier="Amir", password="user-key-amir")
    assert (credential.handle, credential.extra) == ("amir", {"key_kind": "user_api_key"})
    with pytest.raises(ReconnectNeeded, match="belongs to bea, not amir"):
        connector.connect_with_password(context, identifier="amir", password="user-key-bea")
    connector.publish(context, credential, POST, idempotency_key=KEY)
    (call,) = forum.calls_to("POST", "/posts.json")
    assert call.headers["user-api-key"] == "user-key-amir"
    assert "api-key" not in call.headers


def test_only_the_configured_forum_can_be_connected(forum, connector, context):
    with pytest.raises(ValidationFailed, match=r"publishes to http://127\.0\.0\.1") as refused:
        connector.connect_with_password(context, identifier="amir", password="key-amir", instance="https://evil.test")
    assert refused.value.field == "instance"
    assert forum.calls == []
    same = connector.connect_with_password(context, identifier="amir", password="key-amir", instance=forum.url + "/")
    assert same.instance == forum.url


def test_keys_cannot_be_refreshed(connector, context, credential):
    with pytest.raises(ReconnectNeeded, match="connect again"):
        connector.refresh(context, credential)


# -- publishing --------------------------------------------------------------------------------


def test_a_share_becomes_a_topic_in_the_category(forum, connector, context, credential):
    published = connector.publish(context, credential, POST, idempotency_key=KEY)
    (topic,) = forum.topics.values()
    assert (topic.title, topic.category_id, topic.external_id, topic.username) == (
        "Our product launch",
        5,
        KEY,
        "amir",
    )
    assert forum.posts[topic.post_ids[0]].raw == post_raw(POST)
    assert published.external_id == f"topic/{topic.id}"
    assert published.url == f"{forum.url}/t/our-product-launch/{topic.id}"
    assert published.published_at is not None


def test_a_share_becomes_a_reply_in_the_configured_topic(forum, thread, replies, credential):
    connector, context = replies
    published = connector.publish(context, credential, POST, idempotency_key=KEY)
    thread = forum.topics[thread.id]
    reply = forum.posts[thread.post_ids[-1]]
    assert (reply.username, reply.raw, reply.post_number) == ("amir", post_raw(POST), 2)
    assert published.external_id == f"post/{reply.id}"
    assert published.url == f"{forum.url}/t/{thread.slug}/{thread.id}/2"
    (call,) = forum.calls_to("POST", "/posts.json")
    assert "title" not in call.body
    assert "external_id" not in call.body


def test_a_rate_limit_says_when_to_try_again(forum, connector, context, credential):
    forum.rate_limit_next("POST", "/posts.json", wait_seconds=7)
    with pytest.raises(RateLimited) as limited:
        connector.publish(context, credential, POST, idempotency_key=KEY)
    assert limited.value.retry_after == 7
    assert limited.value.retryable
    body = {"errors": ["Slow down"], "error_type": "rate_limit", "extras": {"wait_seconds": 12}}
    forum.fail_next("POST", "/posts.json", 429, body)  # no Retry-After: the body says how long
    with pytest.raises(RateLimited, match="Slow down") as limited:
        connector.publish(context, credential, POST, idempotency_key=KEY)
    assert limited.value.retry_after == 12
    assert forum.topics == {}


def test_content_discourse_refuses_is_rejected_with_its_reasons(forum, connector, context, credential):
    forum.min_post_length = 500
    with pytest.raises(ContentRejected, match=r"Body is too short \(minimum is 500 characters\)"):
        connector.publish(context, credential, POST, idempotency_key=KEY)
    forum.min_post_length = 20
    connector.publish(context, credential, POST, idempotency_key=KEY)
    with pytest.raises(ContentRejected, match="External ID has already been taken"):
        connector.publish(context, credential, POST, idempotency_key=KEY)
    assert len(forum.topics) == 1


def test_a_category_the_ambassador_may_not_post_in_is_a_missing_permission(forum, connector, context, credential):
    forum.restricted_categories.add(5)
    with pytest.raises(MissingPermission, match="not permitted"):
        connector.publish(context, credential, POST, idempotency_key=KEY)


def test_a_revoked_key_asks_the_ambassador_to_connect_again(forum, connector, context, credential):
    forum.users["amir"].api_key = "rotated-by-an-admin"
    with pytest.raises(ReconnectNeeded, match="refused the account's API key"):
        connector.publish(context, credential, POST, idempotency_key=KEY)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(forum, connector, context, credential, status):
    forum.fail_next("POST", "/posts.json", status, {"errors": ["read only mode"]})
    with pytest.raises(Transient, match=f"Discourse answered {status}") as failed:
        connector.publish(context, credential, POST, idempotency_key=KEY)
    assert failed.value.retryable


def test_an_unexpected_answer_is_a_connector_error(forum, connector, context, credential):
    forum.fail_next("POST", "/posts.json", 400, "<html>Bad request</html>")
    with pytest.raises(ConnectorError, match="Discourse answered 400") as failed:
        connector.publish(context, credential, POST, idempotency_key=KEY)
    assert type(failed.value) is ConnectorError
    assert not failed.value.retryable


@pytest.mark.parametrize(
    "body", [b"<html>Welcome</html>", b'"a string"', b'{"id": 1}'], ids=["html", "string", "partial"]
)
def test_a_created_post_without_a_usable_answer_is_an_unknown_outcome(forum, connector, context, credential, body):
    forum.fail_next("POST", "/posts.json", 200, body)
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key=KEY)


@pytest.mark.parametrize("body", [b"<html>Log in</html>", b'{"current_user": null}'], ids=["html", "nobody"])
def test_connecting_to_something_that_is_not_discourse_is_a_connector_error(forum, connector, context, body):
    forum.fail_next("GET", "/session/current.json", 200, body)
    with pytest.raises(ConnectorError, match="Discourse"):
        connector.connect_with_password(context, identifier="amir", password="key-amir")


def test_an_unreachable_forum_is_transient(context, credential):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    connector = DiscourseConnector(DiscourseSettings(forum=f"http://127.0.0.1:{port}"))
    offline = Credential(access_token="key-amir", handle="amir", instance=f"http://127.0.0.1:{port}")
    with pytest.raises(Transient, match="could not be reached"):
        connector.publish(context, offline, POST, idempotency_key=KEY)


# -- an unknown outcome, reconciled ------------------------------------------------------------


def test_a_lost_answer_is_an_unknown_outcome_found_again_by_its_key(forum, connector, context, credential):
    forum.fail_next("POST", "/posts.json", None)  # the topic is created, the answer lost
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key=KEY)
    (topic,) = forum.topics.values()
    found = connector.find_post(context, credential, POST, idempotency_key=KEY)
    assert found is not None
    assert (found.external_id, found.url) == (f"topic/{topic.id}", f"{forum.url}/t/{topic.slug}/{topic.id}")
    assert forum.calls_to("GET", "/user_actions.json") == []
    never_sent = SharePost(text="Other words", link="https://go.clarion.example/r/Zz9yXw8vUt", title="Another one")
    assert connector.find_post(context, credential, never_sent, idempotency_key="clarion-share-43") is None


def test_without_the_key_the_users_recent_topics_are_searched_for_the_link(forum, connector, context, credential):
    forum.add_topic("amir", "Something else entirely", raw="Unrelated words, no link in here at all")
    long_words = SharePost(text="word " * 100, link=LINK, title="Our product launch")
    topic = forum.add_topic("amir", "Our product launch", raw=post_raw(long_words))  # an older Discourse: no key
    found = connector.find_post(context, credential, long_words, idempotency_key=KEY)
    assert found is not None
    assert found.external_id == f"topic/{topic.id}"
    # The link was past the excerpt: the post itself was read.
    assert forum.calls_to("GET", f"/posts/{topic.post_ids[0]}.json")
    other = SharePost(text="Hi", link="https://go.clarion.example/r/Zz9yXw8vUt", title="Our product launch")
    assert connector.find_post(context, credential, other, idempotency_key=KEY) is None


def test_a_lost_reply_is_found_among_the_users_recent_replies(forum, thread, replies, credential):
    connector, context = replies
    forum.fail_next("POST", "/posts.json", None)
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key=KEY)
    reply_id = forum.topics[thread.id].post_ids[-1]
    found = connector.find_post(context, credential, POST, idempotency_key=KEY)
    assert found is not None
    assert found.external_id == f"post/{reply_id}"
    assert forum.calls_to("GET", f"/posts/{reply_id}.json") == []  # the excerpt held the link
    assert connector.find_post(context, credential, SharePost(text="x", link=LINK + "x"), idempotency_key=KEY) is None


def test_reconciling_reports_rate_limits(forum, connector, context, credential):
    forum.rate_limit_next("GET", "/t/external_id/")
    with pytest.raises(RateLimited):
        connector.find_post(context, credential, POST, idempotency_key=KEY)


# -- metrics and deletion --------------------------------------------------------------------


def test_topic_metrics_are_views_likes_and_replies(forum, connector, context, credential):
    published = connector.publish(context, credential, POST, idempotency_key=KEY)
    topic = forum.topics[int(published.external_id.split("/")[1])]
    topic.views = 120
    forum.posts[topic.post_ids[0]].likes = 4
    forum.add_user("carla")
    (snapshot,) = connector.fetch_metrics(context, credential, [published.external_id])
    assert snapshot.values() == {"impressions": 120, "reactions": 4, "comments": 0}
    (public,) = connector.fetch_metrics(context, None, [published.external_id])
    assert public.values() == snapshot.values()
    assert "api-key" not in forum.calls[-1].headers


def test_reply_metrics_are_reads_likes_replies_and_quotes(forum, thread, replies, credential):
    connector, context = replies
    published = connector.publish(context, credential, POST, idempotency_key=KEY)
    reply = forum.posts[int(published.external_id.split("/")[1])]
    reply.reads, reply.likes, reply.reply_count, reply.quote_count = 30, 2, 1, 0
    (snapshot,) = connector.fetch_metrics(context, credential, [published.external_id])
    assert snapshot.values() == {"impressions": 30, "reactions": 2, "comments": 1, "quotes": 0}


def test_deleted_posts_have_no_metrics_and_foreign_ids_are_refused(forum, connector, context, credential):
    published = connector.publish(context, credential, POST, idempotency_key=KEY)
    connector.delete_post(context, credential, published.external_id)
    assert forum.topics == {}
    assert connector.fetch_metrics(context, credential, [published.external_id, "post/999999"]) == []
    with pytest.raises(ConnectorError, match="not a Discourse post Clarion published"):
        connector.fetch_metrics(context, credential, ["at://did:plc:x/app.bsky.feed.post/1"])


def test_metrics_report_rate_limits(forum, connector, context, credential):
    published = connector.publish(context, credential, POST, idempotency_key=KEY)
    forum.rate_limit_next("GET", "/t/", wait_seconds=30)
    with pytest.raises(RateLimited) as limited:
        connector.fetch_metrics(context, credential, [published.external_id])
    assert limited.value.retry_after == 30


def test_a_reply_is_deleted_alone(forum, thread, replies, credential):
    connector, context = replies
    published = connector.publish(context, credential, POST, idempotency_key=KEY)
    connector.delete_post(context, credential, published.external_id)
    assert len(thread.post_ids) == 1
    connector.delete_post(context, credential, published.external_id)  # already gone: fine


def test_someone_elses_topic_cannot_be_deleted(forum, connector, context, credential):
    topic = forum.add_topic("bea", "Bea's own news, not Amir's")
    with pytest.raises(MissingPermission):
        connector.delete_post(context, credential, f"topic/{topic.id}")
    assert topic.id in forum.topics
