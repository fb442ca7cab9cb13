"""The LinkedIn connector against a fake LinkedIn: connect, refresh, publish and every error mapping."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
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
from clarion.testing.fakes import FakeLinkedIn
from clarion_plugins.connectors.linkedin import LinkedInConnector, Settings, escape_commentary

REDIRECT = "http://clarion.test/api/v1/me/accounts/connect/linkedin/callback"
LINK = "http://clarion.test/r/Ab3dEf6hJk"
POST = SharePost(text="Proud of our launch", link=LINK, title="Our launch", hashtags=("launch",))


@pytest.fixture
def fake():
    with FakeLinkedIn.running() as server:
        yield server


@pytest.fixture
def settings(fake: FakeLinkedIn) -> Settings:
    return Settings(
        client_id=fake.client_id,
        client_secret=fake.client_secret,
        api_base=fake.url,
        auth_base=f"{fake.url}/oauth/v2",
    )


@pytest.fixture
def connector(settings) -> LinkedInConnector:
    return LinkedInConnector(settings)


@pytest.fixture
def context(settings):
    with httpx.Client(timeout=httpx.Timeout(2.0, connect=1.0)) as http:
        yield ConnectorContext(http=http, settings=settings, redirect_uri=REDIRECT)


def connect(connector: LinkedInConnector, context: ConnectorContext) -> Credential:
    start = connector.start_connect(context, state="st-1")
    consent = context.http.get(start.authorize_url)
    assert consent.status_code == 302
    location = urlsplit(consent.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    params = {key: values[0] for key, values in parse_qs(location.query).items()}
    return connector.finish_connect(context, params=params, pending=start.pending)


@pytest.fixture
def credential(connector, context) -> Credential:
    return connect(connector, context)


# -- capabilities -------------------------------------------------------------------------


def test_intent_only_without_a_client_id():
    connector = LinkedInConnector()
    assert connector.capabilities == frozenset({Capability.INTENT})
    assert connector.auth_kind is AuthKind.NONE
    assert not connector.supports(Capability.API_PUBLISH)
    check_connector_contract(connector)


def test_oauth_and_publishing_with_a_client_id(connector):
    assert connector.capabilities == frozenset({Capability.INTENT, Capability.API_PUBLISH})
    assert connector.auth_kind is AuthKind.OAUTH2
    assert connector.supports(Capability.API_PUBLISH)
    assert not connector.supports(Capability.METRICS), "member metrics need an approved product and its scope"
    check_connector_contract(connector)


def test_settings_refuse_unknown_keys():
    with pytest.raises(ValueError, match="extra"):
        Settings.model_validate({"client_id": "a", "clientid": "b"})


def test_unconfigured_connector_refuses_to_connect(context):
    with pytest.raises(NotSupported):
        LinkedInConnector().start_connect(ConnectorContext(http=context.http, redirect_uri=REDIRECT), state="s")


# -- connect ------------------------------------------------------------------------------


def test_authorize_url_carries_state_scopes_and_no_pkce(connector, context, settings):
    start = connector.start_connect(context, state="st-1")
    parts = urlsplit(start.authorize_url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert start.authorize_url.startswith(f"{settings.auth_base}/authorization?")
    assert query == {
        "response_type": "code",
        "client_id": settings.client_id,
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "scope": "openid profile w_member_social",
    }


def test_connect_end_to_end_gives_the_person_urn_and_name(credential, fake):
    assert credential.account_id == f"urn:li:person:{fake.member_sub}"
    assert credential.handle == fake.member_name
    assert credential.refresh_token is None, "only approved partners get refresh tokens"
    assert set(credential.scopes) == {"openid", "profile", "w_member_social"}
    assert credential.expires_at is not None
    assert timedelta(days=59) < credential.expires_at - datetime.now(UTC) <= timedelta(days=60)


def test_connect_refuses_a_mismatched_state(connector, context):
    start = connector.start_connect(context, state="st-1")
    with pytest.raises(ReconnectNeeded):
        connector.finish_connect(context, params={"code": "x", "state": "other"}, pending=start.pending)


def test_connect_declined_by_the_member(connector, context):
    params = {"error": "user_cancelled_authorize", "error_description": "The user cancelled", "state": "st-1"}
    with pytest.raises(MissingPermission, match="cancelled"):
        connector.finish_connect(context, params=params, pending={"state": "st-1"})


def test_a_used_code_is_refused(connector, context):
    start = connector.start_connect(context, state="st-1")
    location = context.http.get(start.authorize_url).headers["location"]
    params = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    connector.finish_connect(context, params=params, pending=start.pending)
    with pytest.raises(ReconnectNeeded):
        connector.finish_connect(context, params=params, pending=start.pending)


# -- refresh ------------------------------------------------------------------------------


def test_refresh_without_a_refresh_token_needs_a_reconnect(connector, context, credential):
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)


def test_partner_refresh_keeps_the_refresh_token(connector, context, fake):
    fake.issue_refresh_tokens = True
    credential = connect(connector, context)
    assert credential.refresh_token
    refreshed = connector.refresh(context, credential)
    assert refreshed.access_token != credential.access_token
    assert refreshed.refresh_token == credential.refresh_token, "LinkedIn does not rotate refresh tokens"
    assert refreshed.account_id == credential.account_id
    assert refreshed.handle == credential.handle
    assert connector.publish(context, refreshed, POST, idempotency_key="k").external_id


def test_refused_refresh_token_needs_a_reconnect(connector, context, credential):
    stale = Credential(access_token="gone", refresh_token="li-rt-unknown", account_id=credential.account_id)
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, stale)


def test_refresh_when_linkedin_is_down_is_transient(connector, context, fake):
    fake.unavailable_next("/oauth/v2/accessToken", method="POST")
    with pytest.raises(Transient):
        connector.refresh(context, Credential(access_token="a", refresh_token="li-rt-x"))


# -- publish ------------------------------------------------------------------------------


def test_publish_creates_an_article_post(connector, context, credential, fake):
    published = connector.publish(context, credential, POST, idempotency_key="share-1")
    assert published.external_id.startswith("urn:li:share:")
    assert published.url == f"https://www.linkedin.com/feed/update/{published.external_id}/"
    assert published.published_at is not None
    sent = fake.posts[published.external_id]
    assert sent == {
        "author": credential.account_id,
        "commentary": r"Proud of our launch \#launch",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [], "thirdPartyDistributionChannels": []},
        "content": {"article": {"source": LINK, "title": "Our launch"}},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("plain words, nothing odd.", "plain words, nothing odd."),
        ("a|b{c}d@e[f]g(h)i<j>k#l\\m*n_o~p", r"a\|b\{c\}d\@e\[f\]g\(h\)i\<j\>k\#l\\m\*n\_o\~p"),
        ("snake_case (really) #1 ~ ok", r"snake\_case \(really\) \#1 \~ ok"),
        ("café 🎉 — ok", "café 🎉 — ok"),
    ],
)
def test_reserved_characters_are_escaped(text, escaped):
    assert escape_commentary(text) == escaped


def test_publish_with_every_reserved_character_is_accepted(connector, context, credential, fake):
    text = "We did it (finally) @team: 50% <faster> [beta] {v2} a|b *wow* _yes_ ~ok~ back\\slash #win"
    published = connector.publish(context, credential, SharePost(text=text, link=LINK), idempotency_key="k")
    assert fake.posts[published.external_id]["commentary"] == escape_commentary(text)


def test_publish_without_a_title_uses_the_link(connector, context, credential, fake):
    published = connector.publish(context, credential, SharePost(text="Hi", link=LINK), idempotency_key="k")
    assert fake.posts[published.external_id]["content"]["article"] == {"source": LINK, "title": LINK}


def test_find_post_is_not_supported(connector, context, credential):
    # Without r_member_social a member's own posts cannot be listed: a human checks instead.
    with pytest.raises(NotSupported):
        connector.find_post(context, credential, POST, idempotency_key="k")


def test_fetch_metrics_is_not_supported_without_the_analytics_scope(connector, context, credential):
    with pytest.raises(NotSupported, match="r_member_postAnalytics"):
        connector.fetch_metrics(context, credential, ["urn:li:share:1"])


@pytest.fixture
def analytics_settings(settings) -> Settings:
    return settings.model_copy(update={"scopes": "openid profile w_member_social r_member_postAnalytics"})


def test_metrics_capability_only_with_the_analytics_scope(analytics_settings):
    connector = LinkedInConnector(analytics_settings)
    assert connector.capabilities == frozenset({Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS})
    check_connector_contract(connector)


def test_fetch_metrics_one_metric_per_call(analytics_settings, fake):
    connector = LinkedInConnector(analytics_settings)
    with httpx.Client(timeout=2.0) as http:
        context = ConnectorContext(http=http, settings=analytics_settings, redirect_uri=REDIRECT)
        credential = connect(connector, context)
        share = connector.publish(context, credential, POST, idempotency_key="k").external_id
        fake.analytics[share] = {"IMPRESSION": 120, "REACTION": 7, "COMMENT": 2, "RESHARE": 1}
        fake.analytics["urn:li:ugcPost:99"] = {"IMPRESSION": 5}
        first, second = connector.fetch_metrics(context, credential, [share, "urn:li:ugcPost:99"])
    assert first.external_id == share
    assert first.values() == {"impressions": 120, "reactions": 7, "comments": 2, "reposts": 1}
    assert second.values() == {"impressions": 5, "reactions": 0, "comments": 0, "reposts": 0}
    assert first.clicks is None
    assert fake.count("/rest/memberCreatorPostAnalytics") == 8


def test_fetch_metrics_without_the_product_is_missing_permission(analytics_settings, fake):
    # The app asks for the scope but LinkedIn has not approved the product: the token lacks it.
    connector = LinkedInConnector(analytics_settings)
    token = fake.issue_token(scopes=("openid", "profile", "w_member_social"))
    with httpx.Client(timeout=2.0) as http:
        context = ConnectorContext(http=http, settings=analytics_settings)
        with pytest.raises(MissingPermission, match="ACCESS_DENIED"):
            connector.fetch_metrics(context, Credential(access_token=token), ["urn:li:share:1"])


def test_fetch_metrics_rate_limited(analytics_settings, fake):
    connector = LinkedInConnector(analytics_settings)
    token = fake.issue_token(scopes=("openid", "r_member_postAnalytics"))
    fake.rate_limit_next("/rest/memberCreatorPostAnalytics", method="GET")
    with httpx.Client(timeout=2.0) as http:
        context = ConnectorContext(http=http, settings=analytics_settings)
        with pytest.raises(RateLimited):
            connector.fetch_metrics(context, Credential(access_token=token), ["urn:li:share:1"])


# -- errors -------------------------------------------------------------------------------


def test_expired_token_is_auth_expired(connector, context, credential, fake):
    fake.expire_tokens()
    with pytest.raises(AuthExpired):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_missing_scope_is_missing_permission(connector, context, fake):
    token = fake.issue_token(scopes=("openid", "profile"))
    credential = Credential(access_token=token, account_id=f"urn:li:person:{fake.member_sub}")
    with pytest.raises(MissingPermission, match="ACCESS_DENIED"):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_too_long_commentary_is_content_rejected(connector, context, credential):
    with pytest.raises(ContentRejected, match="FIELD_LENGTH_TOO_LONG"):
        connector.publish(context, credential, SharePost(text="a" * 3001, link=LINK), idempotency_key="k")


def test_rate_limit_without_headers_resets_at_utc_midnight(connector, context, credential, fake):
    fake.rate_limit_next("/rest/posts", method="POST")
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        connector.publish(context, credential, POST, idempotency_key="k")
    midnight = (before + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert caught.value.retryable
    assert caught.value.retry_after is not None
    assert abs(before + timedelta(seconds=caught.value.retry_after) - midnight) < timedelta(seconds=5)


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_is_transient(connector, context, credential, fake, status):
    fake.unavailable_next("/rest/posts", status, method="POST")
    with pytest.raises(Transient):
        connector.publish(context, credential, POST, idempotency_key="k")
    assert not fake.posts


def test_timeout_after_sending_is_an_unknown_outcome(connector, settings, credential, fake):
    fake.hang_next("/rest/posts", method="POST", work=False)
    with httpx.Client(timeout=httpx.Timeout(0.3, connect=1.0)) as http:
        context = ConnectorContext(http=http, settings=settings, redirect_uri=REDIRECT)
        with pytest.raises(UnknownOutcome):
            connector.publish(context, credential, POST, idempotency_key="k")


def test_dropped_connection_after_storing_is_an_unknown_outcome(connector, context, credential, fake):
    fake.drop_next("/rest/posts", method="POST")
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key="k")
    assert len(fake.posts) == 1, "the post exists although no answer came back"


def test_unreachable_linkedin_is_transient(connector, credential):
    with socket_free_port() as port, httpx.Client(timeout=1.0) as http:
        settings = Settings(client_id="c", api_base=f"http://127.0.0.1:{port}", auth_base=f"http://127.0.0.1:{port}")
        context = ConnectorContext(http=http, settings=settings, redirect_uri=REDIRECT)
        with pytest.raises(Transient):
            connector.publish(context, credential, POST, idempotency_key="k")


def test_userinfo_timeout_is_transient(connector, settings, fake):
    with httpx.Client(timeout=httpx.Timeout(0.3, connect=1.0)) as http:
        context = ConnectorContext(http=http, settings=settings, redirect_uri=REDIRECT)
        start = connector.start_connect(context, state="s")
        location = http.get(start.authorize_url).headers["location"]
        params = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
        fake.hang_next("/v2/userinfo", method="GET", work=False)
        with pytest.raises(Transient):
            connector.finish_connect(context, params=params, pending=start.pending)


class socket_free_port:
    """A port nothing listens on, for the duration of a ``with`` block."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    def __exit__(self, *exc: object) -> None:
        return None


# -- through the engine ---------------------------------------------------------------------


def test_engine_builds_an_intent_only_linkedin_by_default(clarion_engine):
    connector = clarion_engine.connector("linkedin")
    assert connector.plugin_name == "connector-linkedin"
    assert connector.capabilities == frozenset({Capability.INTENT})
    assert isinstance(clarion_engine.plugin_config("connector-linkedin"), Settings)


class TestLinkedInKeepsThePublishingContract(PublishingContract):
    """The shared publishing contract (``clarion.testing.contract``) against the fake LinkedIn."""

    publish_path = "/rest/posts"
    network_sends_retry_after = False  # LinkedIn's 429 says nothing; the connector waits until midnight UTC
def test_a_429_reports_the_members_day_spent_until_midnight_utc(connector, context, credential, fake):
    fake.rate_limit_next("/rest/posts", method="POST")
    reported: list[RateLimitInfo] = []
    before = datetime.now(UTC)
    with pytest.raises(RateLimited):
        connector.publish(
            dataclasses.replace(context, rate_limit_reporter=reported.append), credential, POST, idempotency_key="k"
        )
    [spent] = reported
    assert (spent.scope, spent.remaining, spent.exhausted) == (RateLimitScope.ACCOUNT, 0, True)
    assert spent.reset_at == (before + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
