"""Who is calling: the trusted proxy header, signed tokens and API tokens, refused cleanly."""

from __future__ import annotations

import time
import warnings

import jwt
import pytest
from sqlmodel import select

from clarion.ambassadors.api_tokens import create_api_token, revoke_api_token
from clarion.models import Ambassador
from clarion.testing import TEST_SECRET
from clarion.tokens import AUDIENCE, mint_token, signing_key

PROXY = {"proxies": ["10.0.0.0/8", "192.0.2.7"], "secret": "proxy-secret"}


def from_proxy(user: str | None = "tina", *, peer: str | None = "10.1.2.3", secret: str | None = "proxy-secret"):
    headers = {}
    if peer is not None:
        headers["x-test-peer"] = peer
    if user is not None:
        headers["x-clarion-user"] = user
    if secret is not None:
        headers["x-clarion-proxy-secret"] = secret
    return headers


@pytest.fixture
def proxied(api_factory):
    return api_factory(plugin_config={"identity-trusted-header": PROXY})


# -- trusted header -------------------------------------------------------------------------------


@pytest.mark.parametrize("peer", ["10.1.2.3", "10.255.0.1", "192.0.2.7"])
def test_the_proxy_header_is_believed_from_a_proxy_with_the_secret(proxied, peer):
    headers = {
        **from_proxy(peer=peer),
        "x-clarion-user-name": "Tina Tester",
        "x-clarion-user-email": "tina@example.com",
    }
    response = proxied.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    profile = response.json()["profile"]
    assert (profile["external_id"], profile["name"], profile["email"]) == ("tina", "Tina Tester", "tina@example.com")
    # Just-in-time provisioning: an ambassador who has not opted in.
    assert (profile["role"], profile["consent"]) == ("ambassador", "invited")
    again = proxied.get("/api/v1/me", headers=from_proxy(peer=peer))
    assert again.json()["profile"]["id"] == profile["id"]


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        pytest.param(from_proxy(peer="192.168.1.5"), "did not come through the trusted proxy", id="other-address"),
        pytest.param(from_proxy(peer="192.0.2.8"), "did not come through the trusted proxy", id="next-to-proxy"),
        pytest.param(from_proxy(peer=None), "did not come through the trusted proxy", id="testclient-peer"),
        pytest.param(from_proxy(secret="wrong"), "secret does not match", id="wrong-secret"),
        pytest.param(from_proxy(secret=None), "secret does not match", id="no-secret"),
        pytest.param(from_proxy(secret="proxy-secret-and-more"), "secret does not match", id="longer-secret"),
        pytest.param(from_proxy(user="   "), "empty", id="blank-user"),
    ],
)
def test_a_spoofed_or_unproven_header_is_401(proxied, headers, detail):
    response = proxied.get("/api/v1/me", headers=headers)
    proxied.problem(response, 401, detail=detail)
    assert response.headers["www-authenticate"] == 'Bearer realm="clarion"'
    with proxied.engine.transaction() as session:
        assert session.exec(select(Ambassador)).all() == []  # nobody was provisioned


def test_the_header_is_refused_when_no_proxy_is_configured(api):
    response = api.get("/api/v1/me", headers=from_proxy())
    api.problem(response, 401, detail="no trusted proxy is configured")


def test_a_spoofed_header_beside_a_token_never_acts_as_the_header_user(proxied, cast):
    headers = {**from_proxy(peer="192.168.1.5", user="ada"), **cast.amir.headers}
    response = proxied.get("/api/v1/me", headers=headers)
    assert response.status_code in (200, 401), response.text
    if response.status_code == 200:
        assert response.json()["profile"]["external_id"] == "amir"


def test_header_names_come_from_the_configuration(api_factory):
    custom = api_factory(
        plugin_config={
            "identity-trusted-header": {**PROXY, "user_header": "X-Remote-User", "secret_header": "X-Proxy-Key"}
        }
    )
    headers = {"x-test-peer": "10.0.0.1", "x-remote-user": "rita", "x-proxy-key": "proxy-secret"}
    response = custom.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["profile"]["external_id"] == "rita"


# -- signed tokens -----------------------------------------------------------------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def claims(**overrides):
    now = int(time.time())
    values = {"sub": "tom", "aud": AUDIENCE, "iat": now, "exp": now + 600}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


def signed(payload, key=None, algorithm="HS256"):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about short keys for HS512; that token is refused anyway
        return jwt.encode(payload, signing_key(TEST_SECRET) if key is None else key, algorithm=algorithm)


def test_a_signed_token_provisions_a_new_ambassador_who_has_not_opted_in(api, cast):
    content = api.approved_content(cast.erin)
    token = mint_token(TEST_SECRET, "newbie", name="New Bie", email="newbie@example.com")
    me = api.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200, me.text
    profile = me.json()["profile"]
    assert (profile["external_id"], profile["name"], profile["email"]) == ("newbie", "New Bie", "newbie@example.com")
    assert (profile["role"], profile["consent"], profile["opted_in_at"]) == ("ambassador", "invited", None)
    assert api.get("/api/v1/me/feed", headers=bearer(token)).json()["items"] == []
    share = api.post("/api/v1/shares", json={"content_id": content["id"], "network": "x"}, headers=bearer(token))
    api.problem(share, 409, detail="opt in")
    events = api.get("/api/v1/me/events", headers=bearer(token)).json()
    assert events[0]["kind"] == "ambassador.joined"
    assert events[0]["payload"] == {"provider": "identity-signed-token"}


def test_a_known_person_is_not_provisioned_again(api, cast):
    token = mint_token(TEST_SECRET, cast.amir.external_id, name="Other Name")
    profile = api.get("/api/v1/me", headers=bearer(token)).json()["profile"]
    assert profile["id"] == cast.amir.id
    assert profile["name"] == "Amir"


def test_without_provisioning_strangers_are_refused(api_factory):
    closed = api_factory(provision_ambassadors=False)
    response = closed.get("/api/v1/me", headers=bearer(mint_token(TEST_SECRET, "stranger")))
    closed.problem(response, 403, detail="not an ambassador of this programme")


REFUSED_TOKENS = [
    pytest.param(
        lambda: signed(claims(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)), "expired", id="expired"
    ),
    pytest.param(
        lambda: signed(claims(), key=signing_key("another-secret-key-0123456789abcdef")), "invalid", id="forged"
    ),
    pytest.param(lambda: signed(claims(), key=TEST_SECRET.encode()), "invalid", id="underived-key"),
    pytest.param(lambda: signed(claims(aud="someone-else")), "invalid", id="wrong-audience"),
    pytest.param(lambda: signed(claims(aud=None)), "invalid", id="no-audience"),
    pytest.param(lambda: jwt.encode(claims(), None, algorithm="none"), "invalid", id="alg-none"),
    pytest.param(lambda: signed(claims(), algorithm="HS512"), "invalid", id="alg-hs512"),
    pytest.param(lambda: signed(claims(sub=None)), "sub", id="missing-sub"),
    pytest.param(lambda: signed(claims(sub="")), "names nobody", id="empty-sub"),
    pytest.param(lambda: signed(claims(sub="   ")), "names nobody", id="blank-sub"),
    pytest.param(lambda: signed(claims(sub=42)), "invalid", id="numeric-sub"),
    pytest.param(lambda: signed(claims(exp=None)), "exp", id="missing-exp"),
    pytest.param(lambda: signed(claims(iat=None)), "iat", id="missing-iat"),
    pytest.param(lambda: signed(claims(exp=int(time.time()) + 3 * 86400)), "24 hours", id="lives-too-long"),
    pytest.param(lambda: "abc.def.ghi", "invalid", id="garbage"),
    pytest.param(lambda: signed(claims())[:-4] + "AAAA", "invalid", id="tampered-signature"),
]


@pytest.mark.parametrize(("make_token", "detail"), REFUSED_TOKENS)
def test_refused_tokens_are_401_with_a_reason(api, make_token, detail):
    response = api.get("/api/v1/me", headers=bearer(make_token()))
    api.problem(response, 401, detail=detail)
    assert response.headers["www-authenticate"] == 'Bearer realm="clarion"'


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer    "},
        {"Authorization": "Basic YWRhOnNlY3JldA=="},
        {"Authorization": "Bearer not-a-token-at-all"},
        {"X-Clarion-Proxy-Secret": "proxy-secret"},
    ],
    ids=["none", "empty-bearer", "blank-bearer", "basic", "opaque", "secret-only"],
)
def test_no_usable_credentials_is_401(api, headers):
    response = api.get("/api/v1/me", headers=headers)
    api.problem(response, 401, detail="sign in")
    assert response.headers["www-authenticate"] == 'Bearer realm="clarion"'


def test_an_overlong_subject_is_refused_not_a_server_error(api):
    # external ids are at most 200 characters; a token naming a longer one names nobody we can store.
    response = api.get("/api/v1/me", headers=bearer(mint_token(TEST_SECRET, "x" * 201)))
    api.problem(response, 401)


def test_a_subject_with_a_nul_byte_is_refused_not_a_server_error(api):
    response = api.get("/api/v1/me", headers=bearer(mint_token(TEST_SECRET, "a\x00b")))
    api.problem(response, 401)


def test_an_overlong_name_claim_does_not_break_sign_in(api):
    response = api.get("/api/v1/me", headers=bearer(mint_token(TEST_SECRET, "longname", name="N" * 500)))
    assert response.status_code in (200, 401), response.text
    if response.status_code == 200:
        assert len(response.json()["profile"]["name"]) <= 200


# -- API tokens --------------------------------------------------------------------------------


def make_api_token(api, person, name="automation"):
    with api.engine.transaction() as session:
        token, clear = create_api_token(session, session.get(Ambassador, person.id), name)
        return token.prefix, clear


def test_an_api_token_acts_as_its_ambassador(api, cast):
    _, clear = make_api_token(api, cast.ada)
    assert clear.startswith("clr_")
    me = api.get("/api/v1/me", headers=bearer(clear))
    assert me.status_code == 200
    assert me.json()["profile"]["id"] == cast.ada.id
    assert api.get("/api/v1/plugins", headers=bearer(clear)).status_code == 200


def test_an_ambassadors_api_token_has_their_role(api, cast):
    _, clear = make_api_token(api, cast.amir)
    api.problem(api.get("/api/v1/plugins", headers=bearer(clear)), 403)


def test_revoked_and_unknown_api_tokens_are_401(api, cast):
    prefix, clear = make_api_token(api, cast.ada)
    with api.engine.transaction() as session:
        revoke_api_token(session, prefix)
    api.problem(api.get("/api/v1/me", headers=bearer(clear)), 401, detail="unknown or revoked")
    api.problem(api.get("/api/v1/me", headers=bearer(clear[:-1] + "x")), 401, detail="unknown or revoked")
    api.problem(api.get("/api/v1/me", headers=bearer("clr_")), 401)
