"""The Bluesky connector against a fake PDS on 127.0.0.1, including single-flight session rotation."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from clarion.actors import Actor
from clarion.ambassadors import accounts as account_service
from clarion.ambassadors.credentials import fresh_credential, load_credential
from clarion.connectors import ConnectorContext, Credential, RateLimitInfo, RateLimitScope, SharePost
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
from clarion.models import AccountStatus, NetworkAccount
from clarion.testing.connector_checks import check_connector_contract
from clarion.testing.contract import PublishingContract
from clarion.testing.fakes import FakeBluesky
from clarion_plugins.connectors import bluesky
from clarion_plugins.connectors.bluesky import BlueskyConnector, Settings, link_display, post_record_text

LINK = "https://go.clarion.example/r/Ab3dEf6hJk?via=bluesky&n=1"
POST = SharePost(text="Proud of our launch", link=LINK, title="Our launch", hashtags=("launch",))
PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def fake() -> Iterator[FakeBluesky]:
    with FakeBluesky.running() as server:
        yield server


@pytest.fixture
def context(fake: FakeBluesky) -> Iterator[ConnectorContext]:
    with httpx.Client(timeout=httpx.Timeout(1.0, connect=1.0)) as http:
        yield ConnectorContext(http=http, settings=Settings(default_service=fake.url, public_appview=fake.appview_url))


@pytest.fixture
def connector(fake: FakeBluesky) -> BlueskyConnector:
    return BlueskyConnector(Settings(default_service=fake.url, public_appview=fake.appview_url))


@pytest.fixture
def credential(connector: BlueskyConnector, context: ConnectorContext) -> Credential:
    return connector.connect_with_password(context, identifier="jan.bsky.social", password=PASSWORD)


def facet_texts(text: str, facets: list[dict]) -> list[str]:
    encoded = text.encode("utf-8")
    return [encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8") for f in facets]


def test_keeps_the_connector_contract():
    check_connector_contract(BlueskyConnector())


@pytest.mark.parametrize(
    "words",
    ["plain words", "Grüße aus Köln 🎉", "日本語のテキストです", "👨‍👩‍👧‍👦 and 🇳🇱 flags", "", "e\u0301 combining"],
)
def test_facets_use_utf8_byte_offsets(words):
    text, facets = post_record_text(SharePost(text=words, link=LINK, hashtags=("launch", "日本")))
    assert facet_texts(text, facets) == [link_display(LINK), "#launch", "#日本"]
    assert facets[0]["features"] == [{"$type": "app.bsky.richtext.facet#link", "uri": LINK}]
    assert facets[2]["features"] == [{"$type": "app.bsky.richtext.facet#tag", "tag": "日本"}]
    if words:
        assert facets[0]["index"]["byteStart"] == len(f"{words} ".encode())


def test_the_link_is_shown_short_but_carried_in_full():
    assert link_display("https://go.example/r/abc") == "go.example/r/abc"
    shown = link_display(LINK)
    assert len(shown) == bluesky.LINK_DISPLAY_LIMIT
    assert shown.endswith("…")
    assert LINK.split("://")[1].startswith(shown[:-1])


def test_check_text_counts_the_visible_graphemes():
    connector = BlueskyConnector()
    # 300 graphemes of visible text: the words, a space, the 32-character link.
    words = "👨‍👩‍👧‍👦" * (300 - 1 - 32)
    fits = connector.check_text(SharePost(text=words, link=LINK))
    assert fits.ok
    assert fits.length == 300
    over = connector.check_text(SharePost(text=words + "日", link=LINK))
    assert not over.ok
    assert over.limit == 300


def test_share_intent_puts_the_full_link_in_the_text():
    url = BlueskyConnector().share_intent_url(POST)
    assert url.startswith("https://bsky.app/intent/compose?")
    assert parse_qs(urlsplit(url).query)["text"] == [f"Proud of our launch {LINK} #launch"]


def test_connect_with_an_app_password(connector, context, credential):
    assert credential.account_id == "did:plc:jan"
    assert credential.handle == "jan.bsky.social"
    assert credential.refresh_token
    assert credential.expires_at is not None  # read from the access token's exp claim
    assert PASSWORD not in repr(credential)


def test_a_wrong_app_password_is_refused(connector, context):
    with pytest.raises(ReconnectNeeded):
        connector.connect_with_password(context, identifier="jan.bsky.social", password="wrong")


def test_a_server_named_by_the_ambassador_must_be_https(connector, context):
    with pytest.raises(ValidationFailed):
        connector.connect_with_password(context, identifier="jan", password=PASSWORD, instance="http://10.0.0.1")


def test_publish_builds_a_post_with_facets_and_a_link_card(fake, connector, context, credential):
    post = SharePost(text="Grüße 🎉 日本語", link=LINK, title="Our launch", hashtags=("launch",))
    published = connector.publish(context, credential, post, idempotency_key="share-1")
    record = fake.records[published.external_id].value
    assert record["$type"] == "app.bsky.feed.post"
    assert record["createdAt"].endswith("Z")
    assert facet_texts(record["text"], record["facets"]) == [link_display(LINK), "#launch"]
    assert record["facets"][0]["features"][0]["uri"] == LINK
    assert record["embed"] == {
        "$type": "app.bsky.embed.external",
        "external": {"uri": LINK, "title": "Our launch", "description": "Grüße 🎉 日本語"},
    }
    assert published.external_id.startswith("at://did:plc:jan/app.bsky.feed.post/")
    assert published.url == f"https://bsky.app/profile/jan.bsky.social/post/{published.external_id.rsplit('/', 1)[1]}"


def test_find_post_matches_the_tracked_link(connector, context, credential):
    assert connector.find_post(context, credential, POST, idempotency_key="k") is None
    published = connector.publish(context, credential, POST, idempotency_key="k")
    found = connector.find_post(context, credential, POST, idempotency_key="k")
    assert found is not None
    assert found.external_id == published.external_id


def test_fetch_metrics_in_batches_of_25(fake, connector, context, credential):
    uris = [connector.publish(context, credential, POST, idempotency_key=str(n)).external_id for n in range(30)]
    record = fake.records[uris[0]]
    record.likes, record.replies, record.reposts, record.quotes = 9, 4, 2, 1
    snapshots = connector.fetch_metrics(context, credential, [*uris, "at://did:plc:jan/app.bsky.feed.post/gone"])
    assert fake.count("/xrpc/app.bsky.feed.getPosts") == 2
    assert len(snapshots) == 30
    first = next(s for s in snapshots if s.external_id == uris[0])
    assert first.values() == {"reactions": 9, "comments": 4, "reposts": 2, "quotes": 1}


def test_follower_count(connector, context, credential):
    assert connector.follower_count(context, credential) == 210


def test_delete_post(fake, connector, context, credential):
    published = connector.publish(context, credential, POST, idempotency_key="k")
    connector.delete_post(context, credential, published.external_id)
    assert fake.records == {}


def test_refresh_rotates_the_pair_and_the_old_refresh_token_dies(clock, fake, connector, context, credential):
    refreshed = connector.refresh(context, credential)
    assert refreshed.refresh_token != credential.refresh_token
    assert refreshed.access_token != credential.access_token
    assert refreshed.account_id == credential.account_id
    clock.move(timedelta(seconds=fake.refresh_grace + 1))
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)  # rotated: gone once its grace period is over
    assert connector.refresh(context, refreshed).account_id == credential.account_id


def test_a_refused_refresh_needs_a_reconnect(fake, connector, context, credential):
    fake.refuse_refresh = True
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)


def test_revoke_ends_the_session(fake, connector, context, credential):
    connector.revoke(context, credential)
    assert fake.refresh_tokens == {}
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)  # the access token lives on until it expires: see below


def test_an_expired_token_is_auth_expired(fake, connector, context, credential):
    fake.expire_access_tokens()
    with pytest.raises(AuthExpired):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_invalid_request_on_a_post_is_content_rejected(fake, connector, context, credential):
    fake.fail_next(
        "/xrpc/com.atproto.repo.createRecord",
        400,
        {"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record: Record/text too long"},
    )
    with pytest.raises(ContentRejected, match="Record/text too long"):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_403_is_a_missing_permission(fake, connector, context, credential):
    fake.fail_next("/xrpc/com.atproto.repo.createRecord", 403, {"error": "Forbidden", "message": "takendown"})
    with pytest.raises(MissingPermission):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_429_carries_the_epoch_reset_as_retry_after(fake, connector, context, credential):
    fake.rate_limit_next("/xrpc/com.atproto.repo.createRecord", seconds=40)
    with pytest.raises(RateLimited) as caught:
        connector.publish(context, credential, POST, idempotency_key="k")
    assert 35 <= caught.value.retry_after <= 40


def test_5xx_is_transient(fake, connector, context, credential):
    fake.fail_next("/xrpc/com.atproto.repo.createRecord", 502, {"error": "UpstreamFailure", "message": "x"})
    with pytest.raises(Transient):
        connector.publish(context, credential, POST, idempotency_key="k")


def test_a_dropped_create_is_an_unknown_outcome_found_by_reconciling(fake, connector, context, credential):
    fake.drop_next("/xrpc/com.atproto.repo.createRecord")
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key="k")
    found = connector.find_post(context, credential, POST, idempotency_key="k")
    assert found is not None
    assert found.external_id in fake.records


def test_a_hanging_create_is_an_unknown_outcome(fake, connector, context, credential):
    fake.hang_next("/xrpc/com.atproto.repo.createRecord")
    with pytest.raises(UnknownOutcome):
        connector.publish(context, credential, POST, idempotency_key="k")


# -- through the engine: rotation stored before use, one refresh for two workers ---------------


@pytest.fixture
def engine(clarion_engine_factory, fake):
    return clarion_engine_factory(
        plugin_settings={"connector-bluesky": {"default_service": fake.url}},
    )


@pytest.fixture
def account_id(engine, clarion_people, fake) -> int:
    fake.access_ttl = 60  # inside the refresh margin: the next use refreshes
    person = clarion_people("jan")
    actor = Actor(person.id, person.external_id, person.role)
    account = account_service.connect_with_password(
        engine, actor, "bluesky", identifier="jan.bsky.social", password=PASSWORD
    )
    fake.access_ttl = 7200
    assert account.id is not None
    return account.id


def stored(engine, account_id: int) -> Credential:
    with engine.transaction() as session:
        account = session.get(NetworkAccount, account_id)
        credential = load_credential(engine, account)
    assert credential is not None
    return credential


def test_a_refreshed_session_is_stored_before_it_is_used(engine, fake, account_id):
    before = stored(engine, account_id)
    fresh = fresh_credential(engine, account_id)
    assert fresh.refresh_token != before.refresh_token
    assert stored(engine, account_id) == fresh  # saved before being handed out
    assert fake.refresh_tokens == {fresh.refresh_token: "did:plc:jan"}


def test_two_workers_refreshing_at_once_refresh_once(engine, fake, account_id):
    fake.refresh_delay = 0.3
    results: list[Credential] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            results.append(fresh_credential(engine, account_id))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert fake.count("/xrpc/com.atproto.server.refreshSession") == 1
    assert results[0] == results[1] == stored(engine, account_id)


def test_a_refused_refresh_marks_the_account(engine, fake, account_id):
    fake.refuse_refresh = True
    with pytest.raises(ReconnectNeeded):
        fresh_credential(engine, account_id)
    with engine.transaction() as session:
        assert session.get(NetworkAccount, account_id).status is AccountStatus.RECONNECT_NEEDED


class TestBlueskyKeepsThePublishingContract(PublishingContract):
    """The shared publishing contract (``clarion.testing.contract``) against the fake Bluesky."""

    publish_path = "/xrpc/com.atproto.repo.createRecord"


def test_a_429_reports_the_spent_budget_until_the_epoch_reset(fake, connector, context, credential):
    fake.rate_limit_next("/xrpc/com.atproto.repo.createRecord", seconds=40)
    reported: list[RateLimitInfo] = []
    with pytest.raises(RateLimited):
        connector.publish(
            dataclasses.replace(context, rate_limit_reporter=reported.append), credential, POST, idempotency_key="k"
        )
    [spent] = reported
    assert (spent.scope, spent.remaining, spent.limit, spent.exhausted) == (RateLimitScope.ACCOUNT, 0, 3000, True)
    assert spent.reset_at is not None
    assert timedelta(seconds=35) <= spent.reset_at - datetime.now(UTC) <= timedelta(seconds=41)


def test_posts_carry_the_contents_language(fake, connector, context, credential):
    dutch = connector.publish(context, credential, dataclasses.replace(POST, language="nl"), idempotency_key="nl")
    assert fake.records[dutch.external_id].value["langs"] == ["nl"]
    unknown = connector.publish(context, credential, POST, idempotency_key="none")
    assert "langs" not in fake.records[unknown.external_id].value


def test_metrics_without_a_session_are_read_from_the_public_appview(fake, connector, context, credential):
    """A verified intent share has no stored session: a real PDS refuses the read, the AppView answers."""
    uri = connector.publish(context, credential, POST, idempotency_key="k").external_id
    fake.records[uri].likes = 5
    assert httpx.get(f"{fake.url}/xrpc/app.bsky.feed.getPosts", params={"uris": uri}).status_code == 401
    snapshots = connector.fetch_metrics(context, None, [uri])
    assert [snapshot.reactions for snapshot in snapshots] == [5]
    assert fake.count("/appview/xrpc/app.bsky.feed.getPosts") == 1
    assert fake.count("/xrpc/app.bsky.feed.getPosts") == 1  # only the refused probe above


def test_the_public_appview_is_a_setting(fake):
    assert Settings().public_appview == "https://public.api.bsky.app"
    connector = BlueskyConnector(Settings(default_service=fake.url, public_appview="https://appview.example"))
    assert connector.settings.public_appview == "https://appview.example"


def test_an_old_refresh_token_works_for_the_grace_period_like_the_reference_pds(clock, connector, context, credential):
    first = connector.refresh(context, credential)
    again = connector.refresh(context, credential)  # the answer to the first was lost, say
    assert first.refresh_token != again.refresh_token
    clock.move(timedelta(hours=2, seconds=1))
    with pytest.raises(ReconnectNeeded, match="revoked"):
        connector.refresh(context, credential)


def test_access_tokens_outlive_the_revoked_session_until_they_expire(clock, fake, connector, context, credential):
    connector.revoke(context, credential)
    assert connector.follower_count(context, credential) == 210
    with pytest.raises(ReconnectNeeded):
        connector.refresh(context, credential)
    clock.move(timedelta(seconds=fake.access_ttl + 1))
    with pytest.raises(AuthExpired):
        connector.follower_count(context, credential)


def test_a_token_the_server_never_issued_is_a_400_invalid_token(fake, connector, context, credential):
    answer = httpx.get(
        f"{fake.url}/xrpc/app.bsky.actor.getProfile",
        params={"actor": "jan.bsky.social"},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert (answer.status_code, answer.json()["error"]) == (400, "InvalidToken")
    forged = dataclasses.replace(credential, access_token="not-a-token", refresh_token="not-a-token")
    with pytest.raises(AuthExpired):
        connector.follower_count(context, forged)
    with pytest.raises(ReconnectNeeded, match="could not be verified"):
        connector.refresh(context, forged)
