"""Throttled guessing (429 with Retry-After) and forwarded headers believed only from trusted proxies (issue 13)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import anyio
import httpx
import pytest
from sqlmodel import select

from clarion.identity import client_address
from clarion.models import Click, Content, ContentStatus, RateLimit
from clarion.shares.clicks import ingest_clicks
from clarion.tokens import mint_token

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
PROXY = {"proxies": ["10.0.0.0/8"], "secret": "proxy-secret"}


def wrong_token(api: Any) -> str:
    return mint_token("not-the-secret-key-at-all-0123456789", "amir", ttl_seconds=300, jti=secrets.token_urlsafe(12))


def test_wrong_sign_ins_are_throttled_with_retry_after_until_the_window_ends(api_factory, clock):
    api = api_factory(signin_failures_allowed=5, failure_window_seconds=300)
    peer = {"x-test-peer": "198.51.100.7"}
    statuses = [
        api.post("/admin/signin", data={"token": wrong_token(api)}, headers=peer, follow_redirects=False).status_code
        for _ in range(150)
    ]
    assert statuses[:5] == [401] * 5
    assert set(statuses[5:]) == {429}
    blocked = api.post("/admin/signin", data={"token": wrong_token(api)}, headers=peer, follow_redirects=False)
    assert blocked.headers["retry-after"] == "300"
    # Another address is not held back, and the window's end lifts the block.
    elsewhere = {"x-test-peer": "198.51.100.8"}
    assert api.post("/admin/signin", data={"token": "x"}, headers=elsewhere).status_code == 401
    clock.move(timedelta(seconds=120))
    exchange = api.post("/api/v1/sessions", json={"token": wrong_token(api)}, headers=peer)
    api.problem(exchange, 429, detail="try again in 180 seconds")
    assert exchange.headers["retry-after"] == "180"
    clock.move(timedelta(seconds=181))
    assert api.post("/admin/signin", data={"token": "x"}, headers=peer).status_code == 401
    with api.engine.transaction() as session:
        scopes = [row.scope for row in session.exec(select(RateLimit)).all()]
    assert scopes
    assert all("198.51.100" not in scope for scope in scopes)  # no address is stored


def test_guessed_api_tokens_are_throttled_but_good_tokens_from_elsewhere_are_not(api_factory):
    api = api_factory(token_failures_allowed=20)
    amir = api.person("amir")
    guesser = {"x-test-peer": "203.0.113.9"}
    statuses = [
        api.get(
            "/api/v1/me", headers={**guesser, "authorization": f"Bearer clr_{secrets.token_urlsafe(24)}"}
        ).status_code
        for _ in range(150)
    ]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    response = api.get("/api/v1/me", headers={**guesser, **amir.headers})
    api.problem(response, 429)
    assert int(response.headers["retry-after"]) > 0
    assert api.get("/api/v1/me", amir, headers={"x-test-peer": "203.0.113.10"}).status_code == 200


def test_successful_sign_ins_are_not_counted(api_factory):
    api = api_factory(signin_failures_allowed=2)
    erin = api.person("erin", "editor")
    for _ in range(5):
        token = mint_token(
            api.engine.settings.secret_key, erin.external_id, ttl_seconds=300, jti=secrets.token_urlsafe(12)
        )
        assert api.post("/admin/signin", data={"token": token}, follow_redirects=False).status_code == 303


def raw_get(api: Any, path: str, headers: list[tuple[str, str]], peer: str = "10.1.2.3") -> httpx.Response:
    """A request whose repeated headers reach the app as sent (the test client joins them with commas)."""
    api.app.state.engine = api.engine

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=api.app, client=(peer, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://clarion.test") as client:
            return await client.get(path, headers=headers)

    return anyio.run(send)


def test_a_duplicated_identity_header_is_refused_with_400(api_factory):
    api = api_factory(plugin_config={"identity-trusted-header": PROXY})
    headers = [("x-clarion-proxy-secret", "proxy-secret"), ("x-clarion-user", "tina"), ("x-clarion-user", "mallory")]
    api.problem(raw_get(api, "/api/v1/me", headers), 400, detail="x-clarion-user")
    amir = api.person("amir")
    twice = [("authorization", amir.headers["Authorization"]), ("authorization", "Bearer clr_other")]
    api.problem(raw_get(api, "/api/v1/me", twice), 400, detail="authorization")
    once = [("x-clarion-proxy-secret", "proxy-secret"), ("x-clarion-user", "tina")]
    assert raw_get(api, "/api/v1/me", once).status_code == 200


def test_forwarded_for_naming_the_proxy_does_not_make_a_client_the_proxy(api_factory):
    api = api_factory(trusted_proxies=("10.0.0.0/8",), plugin_config={"identity-trusted-header": PROXY})
    spoofed = {
        "x-test-peer": "192.168.1.5",
        "x-forwarded-for": "10.1.2.3",
        "x-clarion-user": "tina",
        "x-clarion-proxy-secret": "proxy-secret",
    }
    api.problem(api.get("/api/v1/me", headers=spoofed), 401, detail="trusted proxy")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("192.168.1.5", ["10.1.2.3"], "192.168.1.5"),  # an untrusted peer's header is never read
        ("10.1.2.3", ["198.51.100.1"], "198.51.100.1"),
        ("10.1.2.3", ["6.6.6.6, 198.51.100.1"], "198.51.100.1"),  # the client's own prefix is ignored
        ("10.1.2.3", ["6.6.6.6", "198.51.100.1, 10.9.9.9"], "198.51.100.1"),  # through two trusted hops
        ("10.1.2.3", ["not-an-address"], "10.1.2.3"),
        ("10.1.2.3", [], "10.1.2.3"),
        (None, ["198.51.100.1"], None),
    ],
)
def test_the_client_address_is_read_from_the_right_through_trusted_proxies_only(peer, forwarded, client):
    assert client_address(peer, forwarded, ("10.0.0.0/8",)) == client


def _share_code(api: Any) -> str:
    amir = api.person("amir")
    with api.engine.transaction() as session:
        content = Content(title="Join us", url="https://example.com/jobs", status=ContentStatus.APPROVED)
        session.add(content)
        session.flush()
        content_id = content.id
    response = api.post("/api/v1/shares", amir, {"content_id": content_id, "network": "x", "text": "Look"})
    assert response.status_code == 201, response.text
    return str(response.json()["tracked_url"].rsplit("/", 1)[1])


@pytest.mark.parametrize("trusted", [(), ("10.0.0.0/8",)])
def test_forwarded_for_values_from_an_untrusted_client_are_one_visitor(api_factory, trusted):
    api = api_factory(trusted_proxies=trusted)
    code = _share_code(api)
    for fake in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        headers = {"x-test-peer": "192.168.1.5", "x-forwarded-for": fake, "user-agent": BROWSER}
        assert api.get(f"/r/{code}", headers=headers, follow_redirects=False).status_code == 302
    ingest_clicks(api.engine)
    with api.engine.transaction() as session:
        counted = [click.counted for click in session.exec(select(Click)).all()]
    assert counted == [True, False, False, False, False]


def test_clients_behind_a_trusted_proxy_are_told_apart(api_factory):
    api = api_factory(trusted_proxies=("10.0.0.0/8",))
    code = _share_code(api)
    for client in ("198.51.100.1", "198.51.100.2"):
        headers = {"x-test-peer": "10.1.2.3", "x-forwarded-for": client, "user-agent": BROWSER}
        assert api.get(f"/r/{code}", headers=headers, follow_redirects=False).status_code == 302
    ingest_clicks(api.engine)
    with api.engine.transaction() as session:
        assert [click.counted for click in session.exec(select(Click)).all()] == [True, True]


def test_expired_or_reused_genuine_tokens_are_no_guesses(api_factory, clock):
    """An office behind one address must not be blocked by its own stale widget sessions."""
    api = api_factory(token_failures_allowed=2, signin_failures_allowed=2)
    amir = api.person("amir")
    office = {"x-test-peer": "198.51.100.20"}
    sessions = [
        api.post("/api/v1/sessions", json={"token": good_token(api, amir)}, headers=office).json() for _ in range(5)
    ]
    used = good_token(api, amir)
    assert api.post("/api/v1/sessions", json={"token": used}, headers=office).status_code == 201
    for _ in range(5):
        api.problem(api.post("/api/v1/sessions", json={"token": used}, headers=office), 401, detail="already used")
    clock.move(timedelta(seconds=api.engine.settings.widget_session_seconds + 3600))
    for body in sessions:
        expired = {**office, "authorization": f"Bearer {body['session_token']}"}
        api.problem(api.get("/api/v1/me", headers=expired), 401)
    bea = api.person("bea")  # her token is minted now, after the clock moved
    assert api.get("/api/v1/me", bea, headers=office).status_code == 200
    assert api.post("/api/v1/sessions", json={"token": good_token(api, bea)}, headers=office).status_code == 201


def good_token(api: Any, who: Any) -> str:
    return mint_token(api.engine.settings.secret_key, who.external_id, ttl_seconds=300, jti=secrets.token_urlsafe(12))
