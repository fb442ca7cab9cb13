"""Signed tokens the intranet backend mints (``Authorization: Bearer <jwt>``)."""

from __future__ import annotations

from clarion import hookimpl
from clarion.identity import Identity, RequestInfo
from clarion.tokens import looks_like_jwt, verify_token

PLUGIN_NAME = "identity-signed-token"


@hookimpl(trylast=True)  # a company's own provider answers first
def clarion_identity_compute(engine, request: RequestInfo):
    token = request.bearer_token()
    if token is None or not looks_like_jwt(token):
        return None
    claims = verify_token(engine.settings.secret_key, token, now=engine.clock.now().timestamp())
    return Identity(
        external_id=claims["sub"],
        provider=PLUGIN_NAME,
        name=claims.get("name"),
        email=claims.get("email"),
    )
