"""The Mastodon connector against a fake Mastodon instance on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from clarion.connectors import Capability, ConnectorContext, Credential, RateLimitInfo, RateLimitScope, SharePost
from clarion.errors import (
    AuthExpired,
    ContentRejected,
    MissingPermission,
    RateLimited,
    ReconnectNeeded,
    Transient,
    UnknownOutcome,
    ValidationFailed,
)
from clarion.testing.connector_checks import check_connector_contract
from clarion.testing.contract import PublishingContract
from clarion.testing.fakes import FakeMastodon
from clarion_plugins.connectors.mastodon import MastodonConnector, Settings, mastodon_length

LINK = "https://go.clarion.example/r/Ab3dEf6hJk?via=mastodon&n=1"
CALLBACK = "http://clarion.test/api/v1/me/accounts/connect/mastodon/callback"
POST = SharePost(text="Proud of our launch 🎉", link=LINK, hashtags=("launch",))


@pytest.fixture
def fake() -> Iterator[FakeMastodon]:
    with FakeMastodon.running() as server:
        yield server


@pytest.fixture
def context(fake: FakeMastodon) -> Iterator[ConnectorContext]:
    # A short read timeout: "hang" faults must turn into timeouts quickly.
    with httpx.Client(timeout=httpx.Timeout(1.0, connect=1.0)) as http:
        yield ConnectorContext(http=http, settings=Settings(default_instance=fake.url), redirect_uri=CALLBACK)


@pytest.fixture
def connector(fake: FakeMastodon) -> MastodonConnector:
    return MastodonConnector(Settings(default_instance=fake.url))


def connect(connector: MastodonConnector, context: ConnectorContext, state: str = "state-1") -> Credential:
    started = connector.start_connect(context, state=state)
    consent = context.http.get(started.authorize_url)
    assert consent.status_code == 302
    location = consent.headers["location"]
    assert location.startswith(CALLBACK)
    params = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    assert params["state"] == state
    return connector.finish_connect(context, params=params, pending=started.pending)


@pytest.fixture
def credential(connector: MastodonConnector, context: ConnectorContext) -> Credential:
    return connect(connector, context)


def test_keeps_the_connector_contract():
    check_connector_contract(MastodonConnector())
    assert MastodonConnector.capabilities == {
        Capability.INTENT,
        Capability.API_PUBLISH,
        Capability.METRICS,
        Capability.DELETE,
    }


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("hello", 5),
        (f"read {LINK}", 5 + 23),
        (f"{LINK}.", 24),  # the full stop ends the sentence, not the URL
        ("👨‍👩‍👧‍👦 family", 8),  # one grapheme for the whole ZWJ sequence
        ("🇳🇱🇧🇪", 2),
        ("日本語のテキスト", 8),
        ("é", 1),  # e + combining accent
        ("hi @anna@social.example", 8),  # a remote mention counts as @anna
    ],
)
def test_counts_graphemes_with_links_as_23(text, length):
    assert mastodon_length(text) == length


def test_check_text_uses_the_default_limit_until_the_instance_tells():
    connector = MastodonConnector(Settings(character_limit=50))
    fits = connector.check_text(SharePost(text="x" * 26, link=LINK))  # 26 + space + 23
    assert fits.ok
    assert fits.length == 50
    too_long = connector.check_text(SharePost(text="x" * 27, link=LINK))
    assert not too_long.ok
    assert too_long.limit == 50


def test_check_text_learns_the_instance_limit_when_an_account_connects(fake, context):
    fake.max_characters = 1000
    connector = MastodonConnector(Settings(default_instance=fake.url))
    connect(connector, context)
    long_post = SharePost(text="y" * 900, link=LINK, account_instance=fake.url)
    assert connector.check_text(long_post).ok
    assert connector.check_text(long_post).limit == 1000
    elsewhere = SharePost(text="y" * 900, link=LINK, account_instance="other.example")
    assert not connector.check_text(elsewhere).ok


def test_share_intent_opens_the_ambassadors_own_instance():
    connector = MastodonConnector()
    own = connector.share_intent_url(SharePost(text="Hi", link=LINK, account_instance="fosstodon.org"))
    assert own.startswith("https://fosstodon.org/share?")
    assert parse_qs(urlsplit(own).query)["text"] == [f"Hi {LINK}"]
    default = connector.share_intent_url(SharePost(text="Hi", link=LINK, hashtags=("a",)))
    assert default.startswith("https://mastodon.social/share?")
    assert parse_qs(urlsplit(default).query)["text"] == [f"Hi {LINK} #a"]


def test_oauth_connect_registers_an_app_and_uses_pkce(fake, connector, context):
    credential = connect(connector, context)
    assert credential.account_id == "1"
    assert credential.handle == f"@jan@{urlsplit(fake.url).netloc}"
    assert credential.instance == fake.url
    assert credential.expires_at is None  # Mastodon tokens do not expire
    assert credential.scopes == ("read", "write")
    assert credential.extra["client_id"] in fake.apps
    assert credential.extra["max_characters"] == 500
    # The app is registered once per instance, not per connection.
    connect(connector, context, state="state-2")
    assert fake.count("/api/v1/apps") == 1


def test_start_connect_puts_state_and_s256_challenge_in_the_authorize_url(connector, context):
    started = connector.start_connect(context, state="abc")
    query = parse_qs(urlsplit(started.authorize_url).query)
    assert query["state"] == ["abc"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [CALLBACK]
    assert started.pending["code_verifier"] not in started.authorize_url
    assert set(started.pending) >= {"instance", "client_id", "client_secret", "code_verifier"}


def test_a_wrong_pkce_verifier_is_refused(connector, context):
    started = connector.start_connect(context, state="s")
    location = context.http.get(started.authorize_url).headers["location"]
    params = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
    forged = {**started.pending, "code_verifier": "not-the-verifier"}
    with pytest.raises(ReconnectNeeded, match="invalid"):
        connector.finish_connect(context, params=params, pending=forged)


def test_publish_sends_the_idempotency_key(fake, connector, context, credential):
    first = connector.publish(context, credential, POST, idempotency_key="share-1")
    again = connector.publish(context, credential, POST, idempotency_key="share-1")
    assert first.external_id == again.external_id
    assert len(fake.statuses) == 1
    status = fake.statuses[first.external_id]
    assert status.text == f"Proud of our launch 🎉 {LINK} #launch"
    assert first.url == status.url
    assert first.published_at is not None


def test_find_post_matches_the_tracked_link(connector, context, credential):
    assert connector.find_post(context, credential, POST, idempotency_key="k") is None
    published = connector.publish(context, credential, POST, idempotency_key="k")
    found = connector.find_post(context, credential, POST, idempotency_key="k")
    assert found is not None
    assert found.external_id == published.external_id
    other = SharePost(text="x", link="https://go.clarion.example/r/other")
    assert connector.find_post(context, credential, other, idempotency_key="k2") is None


def test_fetch_metrics_maps_counts_and_skips_deleted_posts(fake, connector, context, credential):
    published = connector.publish(context, credential, POST, idempotency_key="k")
    status = fake.statuses[published.external_id]
    status.favourites_count, status.replies_count, status.reblogs_count, status.quotes_count = 7, 2, 3, 1
    snapshots = connector.fetch_metrics(context, credential, [published.external_id, "404404"])
    assert len(snapshots) == 1
    assert snapshots[0].values() == {"reactions": 7, "comments": 2, "reposts": 3, "quotes": 1}
    assert snapshots[0].impressions is None  # Mastodon has none
    # Public statuses need no token.
    assert connector.fetch_metrics(context, None, [published.external_id])[0].reactions == 7


def test_delete_post_removes_it_and_tolerates_it_being_gone(fake, connector, context, credential):
    published = connector.publish(context, credential, POST, idempotency_key="k")
    connector.delete_post(context, credential, published.external_id)
    assert fake.statuses == {}
    connector.delete_post(context, credential, published.external_id)


def test_follower_count(connector, context, credential):
    assert connector.follower_count(context, credential) == 321


def test_revoke_makes_the_token_useless(fake, connector, context, credential):
    connector.revoke(context, credential)
    assert fake.revoked == [credential.access_token]
    with pytest.raises(AuthExpired):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_a_refused_token_needs_a_reconnect_not_a_refresh(fake, connector, context, credential):
    fake.revoke_all_tokens()
    with pytest.raises(AuthExpired):
        connector.publish(context, credential, POST, idempotency_key="k")
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)


def test_403_is_a_missing_permission(fake, connector, context, credential):
    fake.fail_next("/api/v1/statuses", 403, {"error": "This action is not allowed"})
    with pytest.raises(MissingPermission, match="not allowed"):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_422_is_content_rejected_with_the_servers_message(fake, connector, context, credential):
    fake.max_characters = 40
    with pytest.raises(ContentRejected, match="character limit of 40 exceeded"):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_429_carries_the_iso_reset_as_retry_after(fake, connector, context, credential):
    fake.rate_limit_next("/api/v1/statuses", seconds=30)
    with pytest.raises(RateLimited) as caught:
        connector.publish(context, credential, POST, idempotency_key="k")
    assert caught.value.retryable
    assert 25 <= caught.value.retry_after <= 30


def test_429_falls_back_to_retry_after(fake, connector, context, credential):
    fake.fail_next("/api/v1/statuses", 429, {"error": "Too many requests"}, headers={"Retry-After": "12"})
    with pytest.raises(RateLimited) as caught:
        connector.publish(context, credential, POST, idempotency_key="k")
    assert caught.value.retry_after == 12


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_transient(fake, connector, context, credential, status):
    fake.fail_next("/api/v1/statuses", status, {"error": "oops"})
    with pytest.raises(Transient):
        connector.publish(context, credential, POST, idempotency_key="k")
    assert fake.statuses == {}


def test_an_unreachable_instance_is_transient(connector, context, credential):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gone = Credential(access_token="t", account_id="1", instance=f"http://127.0.0.1:{port}")
    with pytest.raises(Transient):
        connector.publish(context, gone, POST, idempotency_key="k")


def test_a_dropped_connection_after_sending_is_an_unknown_outcome(fake, connector, context, credential):
    fake.drop_next("/api/v1/statuses")
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key="share-9")
    assert len(fake.statuses) == 1  # it was published after all
    # Reconciling: find it, or retry safely with the same idempotency key.
    found = connector.find_post(context, credential, POST, idempotency_key="share-9")
    retried = connector.publish(context, credential, POST, idempotency_key="share-9")
    assert found is not None
    assert found.external_id == retried.external_id
    assert len(fake.statuses) == 1


def test_a_hanging_publish_is_an_unknown_outcome(fake, connector, context, credential):
    fake.hang_next("/api/v1/statuses")
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_a_hanging_read_is_transient(fake, connector, context, credential):
    fake.hang_next("/api/v1/accounts/verify_credentials")
    with pytest.raises(Transient):
        connector.follower_count(context, credential)


def test_an_instance_named_by_the_ambassador_must_be_https(connector, context):
    with pytest.raises(ValidationFailed):
        connector.start_connect(context, state="s", instance="http://10.0.0.1")


class TestMastodonKeepsThePublishingContract(PublishingContract):
    """The shared publishing contract (``clarion.testing.contract``) against the fake Mastodon."""

    publish_path = "/api/v1/statuses"
def test_a_429_reports_the_spent_budget_until_the_iso_reset(fake, connector, context, credential):
    fake.rate_limit_next("/api/v1/statuses", seconds=30)
    reported: list[RateLimitInfo] = []
    with pytest.raises(RateLimited):
        connector.publish(
            dataclasses.replace(context, rate_limit_reporter=reported.append), credential, POST, idempotency_key="k"
        )
    [spent] = reported
    assert (spent.scope, spent.remaining, spent.limit, spent.exhausted) == (RateLimitScope.ACCOUNT, 0, 300, True)
    assert spent.reset_at is not None
    assert timedelta(seconds=25) <= spent.reset_at - datetime.now(UTC) <= timedelta(seconds=30)
