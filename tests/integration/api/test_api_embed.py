"""Embedding security (rules R1 to R9 of the reference): framing, token exchange, sessions, CSRF, CORS, escaping."""

from __future__ import annotations

import gzip
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient
from sqlmodel import select

from clarion.ambassadors.widget_sessions import CSRF_HEADER, SESSION_COOKIE
from clarion.config import load_settings
from clarion.engine import Engine
from clarion.errors import ConfigError
from clarion.models import Ambassador, UsedTokenId, utcnow
from clarion.testing import TEST_SECRET, make_person
from clarion.tokens import AUDIENCE, LEEWAY_SECONDS, mint_token, signing_key
from clarion.web.app import create_app

INTRANET = "http://intranet.test"
EMBED_SCRIPT = Path(__file__).parents[3] / "core" / "clarion" / "web" / "static" / "embed.js"


def fresh_token(external_id: str = "amir", **options: Any) -> str:
    options.setdefault("ttl_seconds", 120)
    options.setdefault("jti", secrets.token_urlsafe(12))
    return mint_token(TEST_SECRET, external_id, **options)


@pytest.fixture
def embed_factory(clarion_engine_factory: Callable[..., Engine]) -> Iterator[Callable[..., TestClient[Any]]]:
    """``factory(**settings) -> TestClient`` of an app whose CORS and framing follow ``settings``."""
    clients: list[TestClient[Any]] = []

    def factory(**settings: Any) -> TestClient[Any]:
        settings.setdefault("embed_origins", (INTRANET,))
        engine = clarion_engine_factory(**settings)
        client: TestClient[Any] = TestClient(create_app(engine=engine), base_url="http://clarion.test")
        client.__enter__()
        client.app.state.engine = engine
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def embed(embed_factory: Callable[..., TestClient[Any]]) -> TestClient[Any]:
    return embed_factory()


def engine_of(client: TestClient[Any]) -> Engine:
    engine: Engine = client.app.state.engine
    return engine


def sign_in(client: TestClient[Any], external_id: str = "amir") -> dict[str, Any]:
    response = client.post("/api/v1/sessions", json={"token": fresh_token(external_id)})
    assert response.status_code == 201, response.text
    return dict(response.json())


def approved(client: TestClient[Any], **fields: Any) -> int:
    editor = make_person(engine_of(client), f"editor-{secrets.token_hex(3)}", "editor")
    body = {"title": "Hello", "url": "https://example.com/a", **fields}
    created = client.post("/api/v1/content", json=body, headers=editor.headers)
    assert created.status_code == 201, created.text
    content_id = int(created.json()["id"])
    for action in ("submit", "approve"):
        moved = client.post(
            f"/api/v1/content/{content_id}/transitions", json={"action": action}, headers=editor.headers
        )
        assert moved.status_code == 200, moved.text
    return content_id


# -- R1 framing ----------------------------------------------------------------------------


def test_frame_ancestors_embed_vs_rest(embed_factory):
    client = embed_factory(embed_origins=(INTRANET, "https://portal.example.com"))
    framed = client.get("/embed/feed")
    assert framed.status_code == 200
    policy = framed.headers["content-security-policy"]
    assert "frame-ancestors http://intranet.test https://portal.example.com" in policy
    assert "x-frame-options" not in framed.headers
    assert framed.headers["referrer-policy"] == "no-referrer"
    for path in ("/", "/api/v1/me", "/widgets/feed", "/healthz", "/embed.js", "/schema/openapi.json"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == "frame-ancestors 'none'", path
        assert response.headers["x-frame-options"] == "DENY", path


def test_embed_pages_are_framable_by_nobody_when_no_origin_is_configured(embed_factory):
    client = embed_factory(embed_origins=())
    assert "frame-ancestors 'none'" in client.get("/embed/feed").headers["content-security-policy"]


@pytest.mark.parametrize(
    "origin", ["*", "https://*.example.com", "https://intranet.example.com/path", "intranet.example.com", "ftp://x.y"]
)
def test_embed_origins_must_be_exact(tmp_path, origin):
    with pytest.raises(ConfigError, match="embed_origins"):
        load_settings({}, cwd=tmp_path, secret_key="k", embed_origins=(origin,))


def test_embed_origins_come_from_the_environment(tmp_path):
    settings = load_settings(
        {"CLARION_EMBED_ORIGINS": "https://a.example, https://b.example:8443", "CLARION_SESSION_COOKIE": "same-site"},
        cwd=tmp_path,
        secret_key="k",
    )
    assert settings.embed_origins == ("https://a.example", "https://b.example:8443")
    assert settings.session_cookie == "same-site"


# -- R3 single-use token exchange ------------------------------------------------------------


def forged(claims: dict[str, Any], *, key: bytes | None = None, algorithm: str = "HS256") -> str:
    now = int(time.time())
    body = {"sub": "amir", "aud": AUDIENCE, "iat": now, "exp": now + 60, "jti": secrets.token_urlsafe(12), **claims}
    body = {name: value for name, value in body.items() if value is not None}
    return jwt.encode(body, key if key is not None else signing_key(TEST_SECRET), algorithm=algorithm)


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (lambda: forged({"exp": int(time.time()) - 120, "iat": int(time.time()) - 180}), "expired"),
        (lambda: forged({"aud": "someone-else"}), "invalid"),
        (lambda: forged({}, key=b"not the key, and long enough for HS256"), "invalid"),
        (lambda: forged({"jti": None}), "jti"),
        (lambda: forged({"exp": int(time.time()) + 3600}), "at most 300 seconds"),
        (lambda: forged({"exp": None}), "invalid"),
        (lambda: jwt.encode({"sub": "amir", "aud": AUDIENCE}, None, algorithm="none"), "invalid"),
        (lambda: "not-a-token", "invalid"),
    ],
    ids=["expired", "audience", "signature", "no-jti", "too-long", "no-exp", "alg-none", "garbage"],
)
def test_token_exchange_refuses_bad_tokens(embed, token, detail, problem):
    response = embed.post("/api/v1/sessions", json={"token": token()})
    problem(response, 401, detail=detail)
    assert "set-cookie" not in response.headers
    with engine_of(embed).transaction() as session:
        assert session.exec(select(Ambassador)).first() is None  # nobody provisioned from a refused token


def test_a_token_is_exchanged_once(embed, problem):
    token = fresh_token("amir")
    first = embed.post("/api/v1/sessions", json={"token": token})
    assert first.status_code == 201, first.text
    replay = embed.post("/api/v1/sessions", json={"token": token})
    problem(replay, 401, detail="already used")
    body = first.json()
    assert body["session_token"].startswith("cws.")
    assert first.headers["cache-control"] == "no-store"


def test_used_token_ids_are_swept_after_they_expire(embed):
    with engine_of(embed).transaction() as session:
        session.add(UsedTokenId(jti="long-gone-token", expires_at=utcnow().replace(year=2000)))
    sign_in(embed)
    with engine_of(embed).transaction() as session:
        assert session.get(UsedTokenId, "long-gone-token") is None
        assert len(session.exec(select(UsedTokenId)).all()) == 1


def test_a_session_token_authenticates_as_bearer_and_is_not_an_identity_token(embed, problem):
    body = sign_in(embed, "newcomer")
    me = embed.get("/api/v1/me", headers={"authorization": f"Bearer {body['session_token']}"})
    assert me.status_code == 200, me.text
    assert me.json()["profile"]["external_id"] == "newcomer"
    assert me.json()["profile"]["consent"] == "invited"  # provisioned, never opted in on their behalf
    # A session token cannot be exchanged again for another session.
    problem(embed.post("/api/v1/sessions", json={"token": body["session_token"]}), 401)
    tampered = body["session_token"][:-2] + ("AA" if not body["session_token"].endswith("AA") else "BB")
    problem(embed.get("/api/v1/me", headers={"authorization": f"Bearer {tampered}"}), 401)


def test_the_embed_page_signs_in_from_the_url_fragment_only(embed, problem):
    embed.cookies.clear()
    page = embed.get("/embed/feed", params={"token": fresh_token()})
    # A token in the query string is a widget setting nobody declared, never a credential.
    problem(page, 400, field="token")
    page = embed.get("/embed/feed")
    assert page.status_code == 200
    assert "data-clarion-signin" in page.text
    assert "set-cookie" not in page.headers


# -- R4 cookie attributes ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "base_url", "expected", "absent"),
    [
        ("cross-site", "https://clarion.example.com", ["HttpOnly", "Secure", "SameSite=None", "Partitioned"], []),
        ("auto", "https://clarion.example.com", ["HttpOnly", "Secure", "SameSite=None", "Partitioned"], []),
        ("same-site", "https://clarion.example.com", ["HttpOnly", "Secure", "SameSite=Lax"], ["Partitioned"]),
        ("auto", "http://127.0.0.1:8000", ["HttpOnly", "SameSite=Lax"], ["Secure", "Partitioned"]),
    ],
)
def test_cookie_attributes_per_mode(embed_factory, mode, base_url, expected, absent):
    client = embed_factory(session_cookie=mode, base_url=base_url)
    response = client.post("/api/v1/sessions", json={"token": fresh_token()})
    attributes = [part.strip() for part in response.headers["set-cookie"].split(";")]
    assert attributes[0].startswith(f"{SESSION_COOKIE}=cws.")
    assert "Path=/" in attributes
    assert f"Max-Age={engine_of(client).settings.widget_session_seconds}" in attributes
    for attribute in expected:
        assert attribute in attributes
    for attribute in absent:
        assert attribute not in attributes


# -- R5 CSRF and Origin ---------------------------------------------------------------------


def test_csrf_required_on_cookie_borne_state_changes(embed, problem):
    body = sign_in(embed)  # the client keeps the session cookie, as the framed page does
    opt_in = {"action": "opt_in", "guidelines_version": "1"}
    problem(embed.post("/api/v1/me/consent", json=opt_in), 403, detail="csrf")
    problem(embed.post("/api/v1/me/consent", json=opt_in, headers={CSRF_HEADER: "0" * 64}), 403)
    foreign = {CSRF_HEADER: body["csrf_token"], "origin": "http://evil.test"}
    problem(embed.post("/api/v1/me/consent", json=opt_in, headers=foreign), 403, detail="evil.test")
    ok = embed.post("/api/v1/me/consent", json=opt_in, headers={CSRF_HEADER: body["csrf_token"], "origin": INTRANET})
    assert ok.status_code == 200, ok.text
    assert ok.json()["profile"]["consent"] == "opted_in"
    # Reading needs no token; the embed page carries the one for this session.
    page = embed.get("/embed/feed")
    assert f'data-csrf="{body["csrf_token"]}"' in page.text


def test_bearer_requests_need_no_csrf_token_but_still_a_friendly_origin(embed, problem):
    body = sign_in(embed)
    embed.cookies.clear()
    bearer = {"authorization": f"Bearer {body['session_token']}"}
    opt_in = {"action": "opt_in", "guidelines_version": "1"}
    assert embed.post("/api/v1/me/consent", json=opt_in, headers={**bearer, "origin": INTRANET}).status_code == 200
    problem(embed.post("/api/v1/me/consent", json={"action": "pause"}, headers={**bearer, "origin": "null"}), 403)


def test_another_sessions_csrf_token_does_not_count(embed, problem):
    mine = sign_in(embed, "amir")
    embed.cookies.clear()
    theirs = sign_in(embed, "bea")  # the client now holds bea's cookie
    response = embed.post(
        "/api/v1/me/consent",
        json={"action": "opt_in", "guidelines_version": "1"},
        headers={CSRF_HEADER: mine["csrf_token"]},
    )
    problem(response, 403)
    assert theirs["csrf_token"] != mine["csrf_token"]


# -- R6 CORS ---------------------------------------------------------------------------------


def test_cors_exact_origin(embed):
    body = sign_in(embed)
    embed.cookies.clear()
    bearer = {"authorization": f"Bearer {body['session_token']}"}
    allowed = embed.get("/widgets/feed", headers={**bearer, "origin": INTRANET})
    assert allowed.headers["access-control-allow-origin"] == INTRANET
    assert allowed.headers["access-control-allow-credentials"] == "true"
    for stranger in ("http://evil.test", "http://intranet.test.evil.test", "http://intranet.tes", "null"):
        response = embed.get("/widgets/feed", headers={**bearer, "origin": stranger})
        assert "access-control-allow-origin" not in response.headers, stranger
    preflight = {"access-control-request-method": "POST", "access-control-request-headers": "authorization"}
    ok = embed.options("/api/v1/shares", headers={**preflight, "origin": INTRANET})
    assert ok.headers["access-control-allow-origin"] == INTRANET
    refused = embed.options("/api/v1/shares", headers={**preflight, "origin": "http://evil.test"})
    assert "access-control-allow-origin" not in refused.headers


def test_no_cors_at_all_without_configured_origins(embed_factory):
    client = embed_factory(embed_origins=())
    response = client.get("/healthz", headers={"origin": INTRANET})
    assert "access-control-allow-origin" not in response.headers


def test_a_page_may_ask_whether_its_origin_may_embed_clarion(embed, caplog):
    allowed = embed.get("/embed-origin", headers={"origin": INTRANET})
    assert allowed.json() == {"origin": INTRANET, "allowed": True, "setting": "embed_origins", "detail": ""}
    assert allowed.headers["access-control-allow-origin"] in {"*", INTRANET}
    with caplog.at_level("WARNING", logger="clarion.web"):
        for _ in range(3):
            refused = embed.get("/embed-origin", headers={"origin": "https://other.test"})
    body = refused.json()
    assert body["allowed"] is False
    assert refused.headers["access-control-allow-origin"] == "*"  # the refused page can read the answer
    assert body["detail"] == "Clarion cannot be shown on this page: add https://other.test to the embed_origins setting."
    logged = [record.getMessage() for record in caplog.records if "embed_origins" in record.getMessage()]
    assert logged == ["a page on https://other.test tries to embed Clarion; add it to embed_origins to allow it"]
    dutch = embed.get("/embed-origin", headers={"origin": "https://other.test", "accept-language": "nl-NL,nl;q=0.9"})
    assert "embed_origins" in dutch.json()["detail"]
    assert "kan niet" in dutch.json()["detail"]


def test_the_embed_script_explains_a_refused_origin_once_and_renews_expired_sessions():
    script = EMBED_SCRIPT.read_text()
    assert "/embed-origin" in script
    assert "renew" in script


# -- R8 escaping, widget settings -----------------------------------------------------------


def test_fragment_and_embed_escape(embed):
    hostile = "<img src=x onerror=alert(1)>"
    approved(
        embed,
        title=hostile,
        summary='"><script>alert(2)</script>',
        share_texts=[{"network": "linkedin", "text": "</textarea><script>alert(3)</script>"}],
    )
    body = sign_in(embed)
    csrf = {CSRF_HEADER: body["csrf_token"]}
    embed.post("/api/v1/me/consent", json={"action": "opt_in", "guidelines_version": "1"}, headers=csrf)
    fragment = embed.get("/widgets/feed", headers={"authorization": f"Bearer {body['session_token']}"})
    page = embed.get("/embed/feed")
    for html in (fragment.text, page.text):
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "<img src=x" not in html
        assert "<script>alert" not in html
        assert "</textarea><script>" not in html
    assert "<script" not in fragment.text
    assert " on" + "error=" not in fragment.text.replace("onerror=alert(1)&gt;", "")


@pytest.mark.parametrize(
    ("query", "field"),
    [("?bogus=1", "bogus"), ("?limit=ten", "limit"), ("?campaign_id=0", "campaign_id"), ("?topic=a&topic=b", "topic")],
)
def test_bad_widget_settings_are_a_400(embed, query, field, problem):
    body = sign_in(embed)
    embed.cookies.clear()
    response = embed.get(f"/widgets/feed{query}", headers={"authorization": f"Bearer {body['session_token']}"})
    problem(response, 400, field=field)
    problem(embed.get(f"/embed/feed{query}"), 400, field=field)


def test_unknown_widget_and_parent_origin(embed, problem):
    body = sign_in(embed)
    problem(embed.get("/widgets/nope", headers={"authorization": f"Bearer {body['session_token']}"}), 404)
    problem(embed.get("/embed/nope"), 404)
    problem(embed.get("/embed/feed", params={"parent": "http://evil.test"}), 400, field="parent")
    assert 'data-parent-origin="http://intranet.test"' in embed.get("/embed/feed").text


def test_widgets_need_someone_to_vouch(embed, problem):
    embed.cookies.clear()
    problem(embed.get("/widgets/feed"), 401)


def test_guidelines_url_must_be_a_web_address(embed, problem):
    body = sign_in(embed)
    bearer = {"authorization": f"Bearer {body['session_token']}"}
    problem(embed.get("/widgets/onboarding?guidelines_url=javascript:alert(1)", headers=bearer), 400)
    fine = embed.get("/widgets/onboarding?guidelines_url=https://intranet.test/guidelines", headers=bearer)
    assert 'href="https://intranet.test/guidelines"' in fine.text


def test_embed_script_stays_within_its_size_budget(embed):
    response = embed.get("/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content == EMBED_SCRIPT.read_bytes()
    size = len(gzip.compress(response.content, compresslevel=9))
    # 10 KB until the composer, the connect dialog, widget events and session renewal joined it (11.2 KB).
    assert size <= 12 * 1024, f"embed.js is {size} bytes gzipped; the budget is 12 KB"


def test_a_widget_session_ends_when_the_clock_passes_its_lifetime(embed, clock, problem):
    body = sign_in(embed)
    headers = {"authorization": f"Bearer {body['session_token']}"}
    assert embed.get("/api/v1/me", headers=headers).status_code == 200
    lifetime = engine_of(embed).settings.widget_session_seconds
    clock.move(timedelta(seconds=lifetime + LEEWAY_SECONDS - 1))  # the last second it is honoured
    assert embed.get("/api/v1/me", headers=headers).status_code == 200
    clock.move(timedelta(seconds=1))
    problem(embed.get("/api/v1/me", headers=headers), 401, detail="the widget session has expired; reload the page")


def test_an_exchange_token_is_refused_once_the_clock_passes_its_expiry(embed, clock, problem):
    token = fresh_token(ttl_seconds=120)
    clock.move(timedelta(seconds=120 + LEEWAY_SECONDS))
    problem(embed.post("/api/v1/sessions", json={"token": token}), 401, detail="the identity token has expired")
    clock.move(timedelta(days=-1))  # minted "tomorrow": a clock that runs slow refuses it too
    problem(
        embed.post("/api/v1/sessions", json={"token": token}),
        401,
        detail="the identity token is invalid: The token is not yet valid (iat)",
    )
