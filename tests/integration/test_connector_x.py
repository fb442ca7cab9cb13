"""The X connector against a fake X API v2: PKCE connect, rotating refresh, publish, metrics, errors."""

from __future__ import annotations

import dataclasses
import socket
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from clarion.connectors import (
    AuthKind,
    Capability,
    ConnectorContext,
    Credential,
    RateLimitInfo,
    RateLimitScope,
    SharePost,
)
from clarion.errors import (
    AuthExpired,
    ContentRejected,
    MissingPermission,
    NotSupported,
    RateLimited,
    ReconnectNeeded,
    Transient,
    UnknownOutcome,
)
from clarion.testing.connector_checks import check_connector_contract
from clarion.testing.contract import PublishingContract
from clarion.testing.fakes import FakeX
from clarion_plugins.connectors.x import Settings, XConnector, post_text, weighted_length

REDIRECT = "http://clarion.test/api/v1/me/accounts/connect/x/callback"
LINK = "http://clarion.test/r/Ab3dEf6hJk"
POST = SharePost(text="Proud of our launch", link=LINK, title="Our launch", hashtags=("launch", "werk"))


@pytest.fixture
def fake():
    with FakeX.running() as server:
        yield server


@pytest.fixture
def settings(fake: FakeX) -> Settings:
    return Settings(
        client_id=fake.client_id,
        api_base=fake.url,
        authorize_url=f"{fake.url}/i/oauth2/authorize",
        token_url=f"{fake.url}/2/oauth2/token",
    )


@pytest.fixture
def connector(settings) -> XConnector:
    return XConnector(settings)


@pytest.fixture
def context(settings):
    with httpx.Client(timeout=httpx.Timeout(2.0, connect=1.0)) as http:
        yield ConnectorContext(http=http, settings=settings, redirect_uri=REDIRECT)


def consent(context: ConnectorContext, authorize_url: str) -> dict[str, str]:
    answer = context.http.get(authorize_url)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def connect(connector: XConnector, context: ConnectorContext) -> Credential:
    start = connector.start_connect(context, state="st-1")
    return connector.finish_connect(context, params=consent(context, start.authorize_url), pending=start.pending)


@pytest.fixture
def credential(connector, context) -> Credential:
    return connect(connector, context)


# -- capabilities -------------------------------------------------------------------------


def test_intent_only_without_a_client_id():
    connector = XConnector()
    assert connector.capabilities == frozenset({Capability.INTENT})
    assert connector.auth_kind is AuthKind.NONE
    check_connector_contract(connector)


def test_api_capabilities_with_a_client_id(connector):
    assert connector.capabilities == frozenset(
        {Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS, Capability.DELETE}
    )
    assert connector.auth_kind is AuthKind.OAUTH2
    assert connector.supports(Capability.METRICS)
    check_connector_contract(connector)


def test_unconfigured_connector_refuses_api_calls(context):
    with pytest.raises(NotSupported):
        XConnector().publish(
            ConnectorContext(http=context.http), Credential(access_token="t"), POST, idempotency_key="k"
        )


def test_engine_builds_an_intent_only_x_by_default(clarion_engine):
    connector = clarion_engine.connector("x")
    assert connector.plugin_name == "connector-x"
    assert connector.capabilities == frozenset({Capability.INTENT})
    assert isinstance(clarion_engine.plugin_config("connector-x"), Settings)


# -- connect with PKCE ----------------------------------------------------------------------


def test_authorize_url_carries_state_scopes_and_an_s256_challenge(connector, context, settings):
    start = connector.start_connect(context, state="st-1")
    query = {key: values[0] for key, values in parse_qs(urlsplit(start.authorize_url).query).items()}
    assert start.authorize_url.startswith(settings.authorize_url + "?")
    assert query["response_type"] == "code"
    assert query["client_id"] == settings.client_id
    assert query["redirect_uri"] == REDIRECT
    assert query["state"] == "st-1"
    assert query["scope"] == "tweet.read tweet.write users.read offline.access"
    assert query["code_challenge_method"] == "S256"
    verifier = start.pending["code_verifier"]
    assert 43 <= len(verifier) <= 128
    assert verifier not in start.authorize_url, "the verifier stays server-side"


def test_connect_end_to_end(credential, fake):
    assert credential.account_id == fake.user_id
    assert credential.handle == fake.username
    assert credential.refresh_token
    assert "offline.access" in credential.scopes
    assert credential.expires_at is not None


def test_fake_refuses_a_wrong_pkce_verifier(connector, context):
    start = connector.start_connect(context, state="st-1")
    params = consent(context, start.authorize_url)
    with pytest.raises(ReconnectNeeded, match="code verifier"):
        connector.finish_connect(context, params=params, pending={**start.pending, "code_verifier": "x" * 64})


def test_connect_refuses_a_mismatched_state(connector, context):
    start = connector.start_connect(context, state="st-1")
    params = consent(context, start.authorize_url) | {"state": "forged"}
    with pytest.raises(ReconnectNeeded):
        connector.finish_connect(context, params=params, pending=start.pending)


def test_connect_declined(connector, context):
    with pytest.raises(MissingPermission, match="access_denied"):
        connector.finish_connect(context, params={"error": "access_denied", "state": "s"}, pending={"state": "s"})


def test_confidential_client_authenticates_with_basic(fake, settings, context):
    fake.client_secret = "x-secret"
    confidential = settings.model_copy(update={"client_secret": "x-secret"})
    connector = XConnector(confidential)
    with httpx.Client(timeout=2.0) as http:
        ctx = ConnectorContext(http=http, settings=confidential, redirect_uri=REDIRECT)
        assert connect(connector, ctx).account_id == fake.user_id
        wrong = ConnectorContext(
            http=http, settings=confidential.model_copy(update={"client_secret": "nope"}), redirect_uri=REDIRECT
        )
        start = connector.start_connect(wrong, state="s")
        with pytest.raises(ReconnectNeeded):
            connector.finish_connect(wrong, params=consent(wrong, start.authorize_url), pending=start.pending)


def test_follower_count(connector, context, credential, fake):
    assert connector.follower_count(context, credential) == fake.followers


# -- rotating refresh ----------------------------------------------------------------------


def test_two_refreshes_in_a_row_each_use_the_latest_token(connector, context, credential, fake):
    first = connector.refresh(context, credential)
    assert first.refresh_token != credential.refresh_token
    assert first.access_token != credential.access_token
    second = connector.refresh(context, first)
    assert second.refresh_token not in (first.refresh_token, credential.refresh_token)
    assert (second.account_id, second.handle) == (credential.account_id, credential.handle)
    fake.expire_access_tokens()
    third = connector.refresh(context, second)
    assert connector.publish(context, third, POST, idempotency_key="k").external_id


def test_reusing_a_rotated_refresh_token_needs_a_reconnect(connector, context, credential):
    newer = connector.refresh(context, credential)
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)
    # Replaying killed the whole family: the newest token is dead too.
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, newer)
    with pytest.raises(AuthExpired):
        connector.publish(context, newer, POST, idempotency_key="k")


def test_refresh_without_a_refresh_token_needs_a_reconnect(connector, context):
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, Credential(access_token="t"))


def test_refresh_when_x_is_down_is_transient(connector, context, credential, fake):
    fake.unavailable_next("/2/oauth2/token", method="POST")
    with pytest.raises(Transient):
        connector.refresh(context, credential)
    assert connector.refresh(context, credential).refresh_token, "the unspent token still works"


def test_revoke_kills_the_tokens(connector, context, credential):
    connector.revoke(context, credential)
    with pytest.raises(AuthExpired):
        connector.publish(context, credential, POST, idempotency_key="k")
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)


# -- publish -------------------------------------------------------------------------------


def test_publish_sends_text_link_and_hashtags(connector, context, credential, fake):
    published = connector.publish(context, credential, POST, idempotency_key="share-1")
    tweet = fake.tweets[published.external_id]
    assert tweet["text"] == f"Proud of our launch {LINK} #launch #werk"
    assert published.url == f"https://x.com/{fake.username}/status/{published.external_id}"
    assert published.published_at is not None


def test_a_post_of_exactly_280_weighted_is_sent(connector, context, credential, fake):
    room = 280 - 1 - 23 - len(" #go")
    post = SharePost(text="日" * (room // 2), link=LINK, hashtags=("go",))
    assert weighted_length(post_text(post)) <= 280
    published = connector.publish(context, credential, post, idempotency_key="k")
    assert published.external_id in fake.tweets


def test_a_post_over_280_weighted_is_rejected_before_sending(connector, context, credential, fake):
    post = SharePost(text="a" * (280 - 1 - 23 - len(" #go") + 1), link=LINK, hashtags=("go",))
    with pytest.raises(ContentRejected, match="280"):
        connector.publish(context, credential, post, idempotency_key="k")
    assert fake.count("/2/tweets", method="POST") == 0


def test_duplicate_content_is_content_rejected(connector, context, credential):
    connector.publish(context, credential, POST, idempotency_key="k1")
    with pytest.raises(ContentRejected, match="duplicate"):
        connector.publish(context, credential, POST, idempotency_key="k2")


def test_find_post_matches_the_tracked_link(connector, context, credential, fake):
    fake.add_tweet("something else entirely")
    published = connector.publish(context, credential, POST, idempotency_key="k")
    fake.add_tweet("a later post http://clarion.test/r/Other")
    found = connector.find_post(context, credential, POST, idempotency_key="k")
    assert found is not None
    assert found.external_id == published.external_id
    assert found.published_at is not None
    assert (
        connector.find_post(
            context, credential, SharePost(text="x", link="http://clarion.test/r/Missing"), idempotency_key="k"
        )
        is None
    )


def test_unknown_outcome_then_reconcile_finds_the_post(connector, context, credential, fake):
    fake.drop_next("/2/tweets", method="POST")
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key="k")
    found = connector.find_post(context, credential, POST, idempotency_key="k")
    assert found is not None
    assert found.external_id in fake.tweets


def test_timeout_after_sending_is_an_unknown_outcome(connector, settings, credential, fake, context):
    fake.hang_next("/2/tweets", method="POST", work=False)
    with httpx.Client(timeout=httpx.Timeout(0.3, connect=1.0)) as http:
        hurried = ConnectorContext(http=http, settings=settings, redirect_uri=REDIRECT)
        with pytest.raises(UnknownOutcome):
            connector.publish(hurried, credential, POST, idempotency_key="k")
    assert connector.find_post(context, credential, POST, idempotency_key="k") is None


def test_a_read_timeout_is_transient(connector, settings, credential, fake):
    fake.hang_next("/2/tweets", method="GET", work=False)
    with httpx.Client(timeout=httpx.Timeout(0.3, connect=1.0)) as http:
        context = ConnectorContext(http=http, settings=settings)
        with pytest.raises(Transient):
            connector.fetch_metrics(context, credential, ["1"])


def test_unreachable_x_is_transient(connector, credential):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = Settings(client_id="c", api_base=f"http://127.0.0.1:{port}")
    with httpx.Client(timeout=1.0) as http, pytest.raises(Transient):
        connector.publish(ConnectorContext(http=http, settings=settings), credential, POST, idempotency_key="k")


# -- errors --------------------------------------------------------------------------------


def test_expired_token_is_auth_expired(connector, context, credential, fake):
    fake.expire_access_tokens()
    with pytest.raises(AuthExpired):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_other_403_is_missing_permission(connector, context, credential, fake):
    fake.forbid_next("/2/tweets", method="POST")
    with pytest.raises(MissingPermission):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_rate_limit_gives_retry_after_from_the_epoch_reset(connector, context, credential, fake):
    fake.rate_limit_reset = int(time.time()) + 600
    fake.rate_limit_next("/2/tweets", method="POST")
    with pytest.raises(RateLimited) as caught:
        connector.publish(context, credential, POST, idempotency_key="k")
    assert caught.value.retryable
    assert caught.value.retry_after is not None
    assert 595 <= caught.value.retry_after <= 601


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_is_transient(connector, context, credential, fake, status):
    fake.unavailable_next("/2/tweets", status, method="POST")
    with pytest.raises(Transient):
        connector.publish(context, credential, POST, idempotency_key="k")
    assert not fake.tweets


# -- metrics and delete ----------------------------------------------------------------------


def test_fetch_metrics_maps_public_metrics(connector, context, credential, fake):
    tweet_id = fake.add_tweet(
        "hello", like_count=5, reply_count=2, retweet_count=3, quote_count=1, impression_count=400, bookmark_count=9
    )
    [snapshot] = connector.fetch_metrics(context, credential, [tweet_id])
    assert snapshot.external_id == tweet_id
    assert snapshot.values() == {"impressions": 400, "reactions": 5, "comments": 2, "reposts": 3, "quotes": 1}
    assert snapshot.clicks is None


def test_fetch_metrics_batches_by_100(connector, context, credential, fake):
    ids = [fake.add_tweet(f"post {n}", like_count=n) for n in range(150)]
    snapshots = connector.fetch_metrics(context, credential, ids)
    assert len(fake.metrics_calls()) == 2
    assert [len(parse_qs(query)["ids"][0].split(",")) for query in fake.metrics_calls()] == [100, 50]
    assert {s.external_id: s.reactions for s in snapshots} == {tweet_id: n for n, tweet_id in enumerate(ids)}


def test_fetch_metrics_skips_deleted_posts(connector, context, credential, fake):
    kept = fake.add_tweet("kept", like_count=1)
    snapshots = connector.fetch_metrics(context, credential, [kept, "999"])
    assert [s.external_id for s in snapshots] == [kept]


def test_fetch_metrics_needs_a_credential(connector, context):
    with pytest.raises(NotSupported):
        connector.fetch_metrics(context, None, ["1"])


def test_fetch_metrics_rate_limited(connector, context, credential, fake):
    fake.rate_limit_next("/2/tweets", method="GET")
    with pytest.raises(RateLimited):
        connector.fetch_metrics(context, credential, ["1"])


def test_delete_post(connector, context, credential, fake):
    published = connector.publish(context, credential, POST, idempotency_key="k")
    connector.delete_post(context, credential, published.external_id)
    assert published.external_id not in fake.tweets
    connector.delete_post(context, credential, published.external_id)  # already gone: nothing to do


def test_delete_someone_elses_post_is_missing_permission(connector, context, credential, fake):
    theirs = fake.add_tweet("not mine", user_id="42")
    with pytest.raises(MissingPermission):
        connector.delete_post(context, credential, theirs)


class TestXKeepsThePublishingContract(PublishingContract):
    """The shared publishing contract (``clarion.testing.contract``) against the fake X."""

    publish_path = "/2/tweets"
# -- rate limits reported to the engine ----------------------------------------------------


def test_publish_reports_the_user_window_and_the_app_day(connector, context, credential, fake):
    fake.rate_limit_reset = int(time.time()) + 600
    fake.app_limit_remaining = 0
    reported: list[RateLimitInfo] = []
    connector.publish(
        dataclasses.replace(context, rate_limit_reporter=reported.append), credential, POST, idempotency_key="k"
    )
    user, app = reported
    assert (user.scope, user.remaining, user.limit) == (RateLimitScope.ACCOUNT, 99, 100)
    assert user.reset_at is not None
    assert int(user.reset_at.timestamp()) == fake.rate_limit_reset
    assert not user.exhausted
    assert (app.scope, app.remaining, app.limit, app.exhausted) == (RateLimitScope.APP, 0, 10000, True)


def test_a_429_reports_the_spent_user_window(connector, context, credential, fake):
    fake.rate_limit_reset = int(time.time()) + 600
    fake.rate_limit_next("/2/tweets", method="POST")
    reported: list[RateLimitInfo] = []
    with pytest.raises(RateLimited):
        connector.publish(
            dataclasses.replace(context, rate_limit_reporter=reported.append), credential, POST, idempotency_key="k"
        )
    [spent] = reported
    assert (spent.scope, spent.remaining, spent.exhausted) == (RateLimitScope.ACCOUNT, 0, True)
    assert spent.reset_at is not None
    assert int(spent.reset_at.timestamp()) == fake.rate_limit_reset
