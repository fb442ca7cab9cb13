"""How an intranet backend written in Python mints Clarion identity tokens with PyJWT alone.

The backend knows who is signed in; it mints a short-lived token and the intranet page sends it
to Clarion as ``Authorization: Bearer <token>``. Clarion's ``identity-signed-token`` plugin
accepts a JWT that is

* signed with HS256 (the only algorithm accepted),
* keyed with HMAC-SHA256(CLARION_SECRET_KEY, "clarion identity tokens v1") — a key derived from
  the secret, never the secret itself,
* carrying ``sub`` (the person's intranet id), ``aud`` = ``"clarion"``, ``iat`` and ``exp``
  at most 24 hours after ``iat``, and optionally ``name`` and ``email`` (used when the person is
  new to Clarion).

Nothing here imports Clarion except ``main()``, which checks the token against Clarion itself.

Run it: ``python examples/mint_token.py``
"""

from __future__ import annotations

import hashlib
import hmac
import time

import jwt

TOKEN_KEY_CONTEXT = b"clarion identity tokens v1"
MAX_TTL_SECONDS = 24 * 3600


def clarion_signing_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), TOKEN_KEY_CONTEXT, hashlib.sha256).digest()


def mint_clarion_token(
    secret_key: str, external_id: str, *, name: str | None = None, email: str | None = None, ttl: int = 900
) -> str:
    """A token for the signed-in person; keep ``ttl`` short, the page can ask for a new one."""
    if not 0 < ttl <= MAX_TTL_SECONDS:
        raise ValueError("Clarion refuses tokens that live longer than 24 hours")
    now = int(time.time())
    claims = {"sub": external_id, "aud": "clarion", "iat": now, "exp": now + ttl}
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
    return jwt.encode(claims, clarion_signing_key(secret_key), algorithm="HS256")


def main() -> None:
    from clarion.bootstrap import build_engine
    from clarion.config import Settings
    from clarion.identity import RequestInfo
    from clarion.tokens import verify_token

    secret_key = "the-same-secret-as-CLARION_SECRET_KEY"
    token = mint_clarion_token(secret_key, "amir@corp", name="Amir Haddad", email="amir@example.com")
    print("token:", token[:24] + "…")
    print("clarion.tokens.verify_token:", verify_token(secret_key, token)["sub"])
    # The identity hook, as Clarion runs it for a request (no database needed for this provider).
    engine = build_engine(Settings(database_url="sqlite://", secret_key=secret_key, plugin_autoload=False))
    try:
        request = RequestInfo("GET", "/api/v1/me", {"authorization": f"Bearer {token}"}, client_host="10.0.0.5")
        identity = engine.identify(request)
    finally:
        engine.close()
    assert identity is not None
    print(f"identified: {identity.external_id} ({identity.name}, {identity.email}) by {identity.provider}")


if __name__ == "__main__":
    main()
