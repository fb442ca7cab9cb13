"""Connecting accounts through the API: Mastodon OAuth against a fake instance, Bluesky app passwords."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from clarion.ambassadors.credentials import fresh_credential
from clarion.errors import ReconnectNeeded
from clarion.models import AccountStatus, ConnectState, NetworkAccount, metadata, utcnow
from clarion.testing.fakes import FakeBluesky, FakeMastodon

CONNECT = "/api/v1/me/accounts/connect"
PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def mastodon_fake() -> Iterator[FakeMastodon]:
    with FakeMastodon.running() as server:
        yield server


@pytest.fixture
def bluesky_fake() -> Iterator[FakeBluesky]:
    with FakeBluesky.running() as server:
        yield server


@pytest.fixture
def clarion_engine(clarion_engine_factory, mastodon_fake, bluesky_fake):
    # Overrides the default engine, so clarion_client and clarion_people use these connectors.
    return clarion_engine_factory(
        plugin_settings={
            "connector-mastodon": {"default_instance": mastodon_fake.url},
            "connector-bluesky": {"default_service": bluesky_fake.url},
        },
    )


@pytest.fixture
def jan(clarion_people):
    return clarion_people("jan")


@pytest.fixture
def eva(clarion_people):
    return clarion_people("eva")


def consent(authorize_url: str) -> str:
    """What the ambassador's browser does at the network: consent, get sent to the callback."""
    answer = httpx.get(authorize_url, timeout=5)
    assert answer.status_code == 302
    location = urlsplit(answer.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == "http://clarion.test"
    return f"{location.path}?{location.query}"


def start(client, person, **body) -> str:
    answer = client.post(f"{CONNECT}/mastodon", json=body, headers=person.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["account"] is None
    return answer.json()["authorize_url"]


def all_rows_text(engine) -> str:
    with engine.transaction() as session:
        present = set(sa.inspect(session.connection()).get_table_names())  # not a test plugin's tables
        return "\n".join(
            repr(row)
            for table in metadata.sorted_tables
            if table.name in present
            for row in session.execute(sa.select(table)).all()
        )


def database_bytes(engine) -> bytes:
    url = make_url(str(engine.settings.database_url))
    if not url.drivername.startswith("sqlite"):
        return b""
    path = Path(str(url.database))
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def test_full_oauth_connect_and_disconnect(clarion_client, clarion_engine, mastodon_fake, jan):
    authorize_url = start(clarion_client, jan)
    assert authorize_url.startswith(f"{mastodon_fake.url}/oauth/authorize?")
    callback = clarion_client.get(consent(authorize_url))
    assert callback.status_code == 200, callback.text
    account = callback.json()
    host = urlsplit(mastodon_fake.url).netloc
    assert account["network"] == "mastodon"
    assert account["handle"] == f"@jan@{host}"
    assert account["api_connected"] is True
    assert account["status"] == "active"
    assert account["follower_count"] == 321

    token = next(iter(mastodon_fake.tokens))
    client_secret = next(iter(mastodon_fake.apps.values()))["secret"]
    assert token not in callback.text
    listed = clarion_client.get("/api/v1/me/accounts", headers=jan.headers)
    assert token not in listed.text
    assert [a["handle"] for a in listed.json()] == [f"@jan@{host}"]
    # Stored encrypted: neither the token nor the app secret is anywhere in clear.
    for secret in (token, client_secret):
        assert secret not in all_rows_text(clarion_engine)
        assert secret.encode() not in database_bytes(clarion_engine)
    with clarion_engine.transaction() as session:
        stored = session.exec(sa.select(NetworkAccount)).scalars().one()  # type: ignore[call-overload]
        assert stored.credentials_encrypted is not None
        assert stored.account_id == "1"
        assert stored.instance == mastodon_fake.url
        assert session.exec(sa.select(sa.func.count()).select_from(ConnectState)).scalar_one() == 0  # type: ignore[call-overload]

    removed = clarion_client.delete(f"/api/v1/me/accounts/{account['id']}", headers=jan.headers)
    assert removed.status_code == 204
    assert mastodon_fake.revoked == [token]
    assert clarion_client.get("/api/v1/me/accounts", headers=jan.headers).json() == []


def test_connecting_again_updates_the_same_account(clarion_client, mastodon_fake, jan):
    first = clarion_client.get(consent(start(clarion_client, jan))).json()
    again = clarion_client.get(consent(start(clarion_client, jan))).json()
    assert first["id"] == again["id"]
    assert len(clarion_client.get("/api/v1/me/accounts", headers=jan.headers).json()) == 1


def test_the_callback_redirects_to_return_to(clarion_client, jan):
    callback = clarion_client.get(
        consent(start(clarion_client, jan, return_to="/me?connected=mastodon")), follow_redirects=False
    )
    assert callback.status_code == 303
    assert callback.headers["location"] == "/me?connected=mastodon"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "me", "/\\evil"])
def test_return_to_must_be_a_local_path(clarion_client, jan, target):
    answer = clarion_client.post(f"{CONNECT}/mastodon", json={"return_to": target}, headers=jan.headers)
    assert answer.status_code == 422
    assert answer.json()["field"] == "return_to"


def test_a_forged_state_is_refused(clarion_client, jan):
    answer = clarion_client.get(f"{CONNECT}/mastodon/callback", params={"state": "forged", "code": "abc"})
    assert answer.status_code == 422
    assert answer.json()["field"] == "state"
    assert clarion_client.get(f"{CONNECT}/mastodon/callback", params={"code": "abc"}).status_code == 422


def test_a_replayed_state_is_refused(clarion_client, jan):
    callback = consent(start(clarion_client, jan))
    assert clarion_client.get(callback).status_code == 200
    replay = clarion_client.get(callback)
    assert replay.status_code == 422
    assert replay.json()["field"] == "state"


def test_an_expired_state_is_refused(clarion_client, clarion_engine, jan):
    callback = consent(start(clarion_client, jan))
    with clarion_engine.transaction() as session:
        session.execute(sa.update(ConnectState).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert clarion_client.get(callback).status_code == 422


def test_a_state_only_works_for_its_network(clarion_client, jan):
    callback = consent(start(clarion_client, jan))
    wrong = callback.replace("/connect/mastodon/", "/connect/bluesky/")
    assert clarion_client.get(wrong).status_code == 422  # Bluesky takes no OAuth callback
    assert clarion_client.get(callback).status_code == 200


def test_declining_on_the_consent_page_connects_nothing(clarion_client, mastodon_fake, jan):
    mastodon_fake.deny_next = True
    answer = clarion_client.get(consent(start(clarion_client, jan)))
    assert answer.status_code == 422
    assert "did not grant access" in answer.json()["detail"]
    assert clarion_client.get("/api/v1/me/accounts", headers=jan.headers).json() == []


def test_one_ambassador_cannot_finish_anothers_connect(clarion_client, jan, eva):
    callback = consent(start(clarion_client, jan))
    answer = clarion_client.get(callback, headers=eva.headers)
    assert answer.status_code == 403
    assert clarion_client.get("/api/v1/me/accounts", headers=eva.headers).json() == []
    assert clarion_client.get("/api/v1/me/accounts", headers=jan.headers).json() == []


def test_one_ambassador_cannot_disconnect_anothers_account(clarion_client, mastodon_fake, jan, eva):
    account = clarion_client.get(consent(start(clarion_client, jan)), headers=jan.headers).json()
    answer = clarion_client.delete(f"/api/v1/me/accounts/{account['id']}", headers=eva.headers)
    assert answer.status_code == 404
    assert mastodon_fake.revoked == []
    assert len(clarion_client.get("/api/v1/me/accounts", headers=jan.headers).json()) == 1


def test_disconnecting_works_when_the_network_is_down(clarion_client, mastodon_fake, jan):
    account = clarion_client.get(consent(start(clarion_client, jan))).json()
    mastodon_fake.fail_next("/oauth/revoke", 503, {"error": "down"})
    assert clarion_client.delete(f"/api/v1/me/accounts/{account['id']}", headers=jan.headers).status_code == 204
    assert clarion_client.get("/api/v1/me/accounts", headers=jan.headers).json() == []


def test_a_token_refused_after_it_worked_asks_for_a_reconnect(clarion_client, clarion_engine, mastodon_fake, jan):
    account = clarion_client.get(consent(start(clarion_client, jan))).json()
    mastodon_fake.revoke_all_tokens()
    with pytest.raises(ReconnectNeeded):
        fresh_credential(clarion_engine, account["id"], force=True)  # what the engine does after a 401
    listed = clarion_client.get("/api/v1/me/accounts", headers=jan.headers).json()
    assert listed[0]["status"] == AccountStatus.RECONNECT_NEEDED.value


def test_connect_needs_a_signed_in_ambassador(clarion_client):
    assert clarion_client.post(f"{CONNECT}/mastodon", json={}).status_code == 401


def test_unknown_network_is_refused(clarion_client, jan):
    answer = clarion_client.post(f"{CONNECT}/myspace", json={}, headers=jan.headers)
    assert answer.status_code == 422
    assert answer.json()["field"] == "network"


def test_bluesky_connects_with_an_app_password(clarion_client, clarion_engine, bluesky_fake, jan):
    answer = clarion_client.post(
        f"{CONNECT}/bluesky", json={"identifier": "jan.bsky.social", "password": PASSWORD}, headers=jan.headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["authorize_url"] is None
    account = answer.json()["account"]
    assert account["handle"] == "jan.bsky.social"
    assert account["api_connected"] is True
    assert account["status"] == "active"
    assert account["follower_count"] == 210
    # Only the session is kept: the app password is nowhere, the tokens not in clear.
    refresh_token = next(iter(bluesky_fake.refresh_tokens))
    for secret in (PASSWORD, refresh_token):
        assert secret not in all_rows_text(clarion_engine)
        assert secret.encode() not in database_bytes(clarion_engine)
    removed = clarion_client.delete(f"/api/v1/me/accounts/{account['id']}", headers=jan.headers)
    assert removed.status_code == 204
    assert bluesky_fake.refresh_tokens == {}  # the session was deleted on the PDS


def test_bluesky_refuses_a_wrong_app_password(clarion_client, jan):
    answer = clarion_client.post(
        f"{CONNECT}/bluesky", json={"identifier": "jan.bsky.social", "password": "wrong"}, headers=jan.headers
    )
    assert answer.status_code == 422
    assert answer.json()["field"] == "password"


def test_bluesky_needs_identifier_and_password(clarion_client, jan):
    answer = clarion_client.post(f"{CONNECT}/bluesky", json={}, headers=jan.headers)
    assert answer.status_code == 422
    assert answer.json()["field"] == "identifier"
