"""OIDC sign-in against a fake provider on 127.0.0.1: the happy path, every refusal, and no open redirect."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import TestClient
from sqlmodel import select

from clarion.ambassadors.widget_sessions import SESSION_COOKIE
from clarion.errors import ConfigError
from clarion.models import Ambassador
from clarion.testing.fakes.oidc import FakeOidcProvider
from clarion.testing.people import make_person
from clarion.web.app import create_app
from clarion_plugins.oidc import PLUGIN_NAME

SECRET_ENV = "CLARION_TEST_OIDC_CLIENT_SECRET"


@pytest.fixture
def idp():
    with FakeOidcProvider.running(client_id="clarion-intranet", client_secret="s3cret") as fake:
        yield fake


@pytest.fixture
def make_client(clarion_engine_factory, idp, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "s3cret")
    clients = []

    def factory(core=None, **overrides):
        """An application whose ``[plugins.identity-oidc]`` is ``overrides`` over a working section."""
        section = {"issuer": idp.url, "client_id": "clarion-intranet", "client_secret": {"$env": SECRET_ENV}}
        engine = clarion_engine_factory(plugin_settings={PLUGIN_NAME: {**section, **overrides}}, **(core or {}))
        client = TestClient(create_app(engine=engine))
        client.__enter__()
        clients.append(client)
        return client, engine

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client):
    return make_client()[0]


def begin(client, next_path="/embed/feed"):
    response = client.get("/auth/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def consent(location):
    """The browser at the provider: it answers with a redirect to Clarion's callback."""
    response = httpx.get(location, follow_redirects=False)
    assert response.status_code == 302, response.text
    return response.headers["location"]


def callback(client, url):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}", follow_redirects=False)


def sign_in(client, next_path="/embed/feed"):
    return callback(client, consent(begin(client, next_path)))


def ambassadors(engine):
    with engine.transaction() as session:
        return {a.external_id: a for a in session.exec(select(Ambassador)).all()}


def test_sign_in_opens_a_widget_session_and_returns_to_next(make_client, idp):
    client, engine = make_client()
    location = begin(client, "/embed/feed?topic=news")
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(f"{idp.url}/authorize?")
    assert query["client_id"] == ["clarion-intranet"]
    assert query["redirect_uri"] == ["http://clarion.test/auth/oidc/callback"]
    assert query["scope"] == ["openid email profile"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    assert query["state"] != query["nonce"]

    response = callback(client, consent(location))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/embed/feed?topic=news"
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith(f"{SESSION_COOKIE}=cws.") and "HttpOnly" in c for c in cookies)
    assert any(c.startswith("clarion_oidc=") and "Max-Age=0" in c for c in cookies)

    me = client.get("/api/v1/me")
    assert me.status_code == 200, me.text
    assert me.json()["profile"]["external_id"] == "alice"
    alice = ambassadors(engine)["alice"]
    assert (alice.name, alice.email) == ("Alice Example", "alice@example.com")
    # The provider saw the PKCE verifier and Clarion's client credentials (HTTP Basic).
    token_request = next(r for r in idp.requests if r.path == "/token")
    assert token_request.form["code_verifier"]
    assert token_request.headers["authorization"].startswith("Basic ")


def test_the_external_id_can_be_the_email_claim(make_client, idp):
    client, engine = make_client(external_id_claim="email")
    idp.sign_in_as("00u1", email="Bob@Example.com", email_verified=True, name="Bob")
    assert sign_in(client).status_code == 303
    assert "Bob@Example.com" in ambassadors(engine)

    idp.sign_in_as("00u2", email="eve@example.com", email_verified=False)
    response = sign_in(client)
    assert response.status_code == 401
    assert "not verified" in response.text
    assert "eve@example.com" not in ambassadors(engine)


def test_without_provisioning_only_known_people_sign_in(make_client, idp):
    client, engine = make_client(core={"provision_ambassadors": False})
    idp.sign_in_as("stranger", email="s@example.com")
    response = sign_in(client)
    assert response.status_code == 403
    assert "not an ambassador" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert "stranger" not in ambassadors(engine)

    make_person(engine, "known")
    idp.sign_in_as("known")
    assert sign_in(client).status_code == 303


@pytest.mark.parametrize(
    ("arrange", "reason"),
    [
        (lambda idp: idp.next_claims(aud="another-client"), "another client"),
        (lambda idp: idp.next_claims(aud=["clarion-intranet", "other"]), "authorized party"),
        (lambda idp: idp.next_claims(exp=int(time.time()) - 3600, iat=int(time.time()) - 4000), "expired"),
        (lambda idp: idp.next_claims(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200), "future"),
        (lambda idp: idp.next_claims(nonce="not-the-nonce"), "nonce"),
        (lambda idp: idp.next_claims(nonce=None), "nonce"),
        (lambda idp: idp.next_claims(iss="https://evil.example"), "another issuer"),
        (lambda idp: idp.next_token_alg_none(), "invalid"),
        (lambda idp: idp.next_token_foreign_key(), "invalid"),
    ],
    ids=["audience", "azp", "expired", "future", "nonce", "no-nonce", "issuer", "alg-none", "bad-signature"],
)
def test_a_bad_id_token_is_refused(make_client, idp, arrange, reason):
    client, engine = make_client()
    arrange(idp)
    response = sign_in(client)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert reason in response.text
    assert "Sign in again" in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    assert ambassadors(engine) == {}


def test_pinned_algorithms_refuse_a_token_signed_otherwise(make_client, idp):
    client, _ = make_client(algorithms=("ES256",))
    response = sign_in(client)
    assert response.status_code == 401
    assert "invalid" in response.text


def test_signing_key_rotation_is_followed(client, idp):
    assert sign_in(client).status_code == 303
    idp.rotate_keys()
    assert sign_in(client).status_code == 303
    assert idp.count("/jwks") == 2  # fetched once, then again for the unknown kid
    assert sign_in(client).status_code == 303
    assert idp.count("/jwks") == 2  # cached
    assert idp.count("/.well-known/openid-configuration") == 1


def test_declined_consent_is_a_clear_403(client, idp):
    idp.deny_next()
    response = sign_in(client)
    assert response.status_code == 403
    assert "cancelled or refused" in response.text
    assert 'href="/auth/oidc/login?next=/"' in response.text


def test_a_forged_or_foreign_state_is_refused(client, idp, make_client):
    url = consent(begin(client))
    forged = url.replace("state=", "state=x")
    response = callback(client, forged)
    assert response.status_code == 400
    assert "does not belong" in response.text

    other_browser, _ = make_client()
    response = callback(other_browser, consent(begin(client)))
    assert response.status_code == 400
    assert "no sign-in is under way" in response.text


def test_a_callback_is_single_use(client):
    url = consent(begin(client))
    assert callback(client, url).status_code == 303
    assert callback(client, url).status_code == 400  # the state cookie was spent


def test_a_callback_without_code_is_refused(client):
    location = begin(client)
    state = parse_qs(urlsplit(location).query)["state"][0]
    response = client.get("/auth/oidc/callback", params={"state": state}, follow_redirects=False)
    assert response.status_code == 400
    assert "no code" in response.text


def test_a_refused_code_is_401(client, idp):
    url = consent(begin(client))
    idp.grants.clear()  # the provider forgot the code (expired, or used)
    response = callback(client, url)
    assert response.status_code == 401
    assert "invalid_grant" in response.text


def test_the_provider_being_down_is_a_502_page(make_client, idp):
    client, _ = make_client()
    idp.fail_next("/.well-known/openid-configuration", 503)
    response = client.get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 502
    assert "answered 503" in response.text

    url = consent(begin(client))
    idp.fail_next("/token", 500)
    response = callback(client, url)
    assert response.status_code == 502

    url = consent(begin(client))
    idp.fail_next("/jwks", 503)
    assert callback(client, url).status_code == 502

    unreachable, _ = make_client(issuer="http://127.0.0.1:9", timeout_seconds=2)
    response = unreachable.get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 502
    assert "cannot be reached" in response.text


def test_an_issuer_on_a_private_address_needs_outbound_allow_networks(make_client, idp):
    refused, _ = make_client(core={"outbound_allow_networks": ()})
    response = refused.get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 502
    assert "outbound_allow_networks" in response.text
    assert idp.requests == []
    allowed, _ = make_client(core={"outbound_allow_networks": ("127.0.0.1/32",)})
    assert allowed.get("/auth/oidc/login", follow_redirects=False).status_code == 302


def test_a_discovery_document_of_another_issuer_is_refused(client, idp):
    idp.issuer = "https://impostor.example"
    response = client.get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 502
    assert "impostor" in response.text


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "http://clarion.test.evil.example/",
        "javascript:x",
    ],
)
def test_next_never_leads_off_site(client, next_path):
    response = client.get("/auth/oidc/login", params={"next": next_path}, follow_redirects=False)
    assert response.status_code == 400
    assert "location" not in response.headers


def test_next_on_clarions_own_origin_is_reduced_to_a_path(client):
    response = sign_in(client, "http://clarion.test/embed/feed#top")
    assert response.headers["location"] == "/embed/feed#top"
    assert sign_in(client, "").headers["location"] == "/"


def test_logout_forgets_the_session(client):
    assert sign_in(client).status_code == 303
    copied = client.cookies.get(SESSION_COOKIE)
    refused = client.post("/auth/oidc/logout", headers={"origin": "https://evil.example"}, follow_redirects=False)
    assert refused.status_code == 403
    response = client.post("/auth/oidc/logout", params={"next": "/embed/feed"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/embed/feed"
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.set(SESSION_COOKIE, copied)  # a copy of the cookie opens nothing: the session has ended
    assert client.get("/api/v1/me").status_code == 401


def test_without_oidc_settings_the_routes_are_404(clarion_client):
    response = clarion_client.get("/auth/oidc/login", follow_redirects=False)
    assert response.status_code == 404
    assert "not configured" in response.text


def test_settings_are_checked_when_the_engine_starts(clarion_engine_factory, monkeypatch):
    def start(**section):
        return clarion_engine_factory(plugin_settings={PLUGIN_NAME: section})

    with pytest.raises(ConfigError, match=r"^\[plugins\.identity-oidc\] issuer is set: set client_id too$"):
        start(issuer="https://idp.example")
    with pytest.raises(ConfigError, match=r"\[plugins\.identity-oidc\] algorithms: 'HS256' is not an accepted"):
        start(algorithms=["HS256"])
    with pytest.raises(ConfigError, match=r"\[plugins\.identity-oidc\] issuer: 'idp\.example' is not an http"):
        start(issuer="idp.example", client_id="c")
    with pytest.raises(ConfigError, match=r"\[plugins\.identity-oidc\] timeout_seconds"):
        start(timeout_seconds=0)
    # An unset $env reference stops the start, not the first sign-in.
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(ConfigError, match=SECRET_ENV):
        start(issuer="https://idp.example", client_id="c", client_secret={"$env": SECRET_ENV})
    monkeypatch.setenv(SECRET_ENV, "from-the-environment")
    engine = start(issuer="https://idp.example", client_id="c", client_secret={"$env": SECRET_ENV})
    config = engine.plugin_config(PLUGIN_NAME)
    assert config.enabled
    assert config.secret() == "from-the-environment"
    assert "from-the-environment" not in repr(config)


def test_a_wrong_client_secret_is_refused_by_the_provider(make_client, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, "not-the-secret")
    client, _ = make_client()
    response = sign_in(client)
    assert response.status_code == 401
    assert "invalid_client" in response.text


def test_a_public_client_sends_no_secret(make_client, idp):
    idp.client_secret = None
    client, _ = make_client(client_secret=None)
    assert sign_in(client).status_code == 303
    token_request = next(r for r in idp.requests if r.path == "/token")
    assert "authorization" not in token_request.headers
    assert token_request.form["client_id"] == "clarion-intranet"


def test_each_browser_gets_the_session_of_the_person_who_signed_in(make_client, idp):
    alices_browser, engine = make_client()
    assert sign_in(alices_browser).status_code == 303
    bobs_browser, _ = make_client()  # another browser (and another process) on the same database
    idp.sign_in_as("bob", name="Bob")
    assert sign_in(bobs_browser).status_code == 303
    assert bobs_browser.get("/api/v1/me").json()["profile"]["external_id"] == "bob"
    assert alices_browser.get("/api/v1/me").json()["profile"]["external_id"] == "alice"
    # Bob's OIDC session gives him no way into Alice's record.
    alice_id = ambassadors(engine)["alice"].id
    assert bobs_browser.get(f"/api/v1/ambassadors/{alice_id}").status_code == 403
