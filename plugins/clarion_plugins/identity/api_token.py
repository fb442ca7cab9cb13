"""API tokens for automation (``Authorization: Bearer clr_…``), created with ``clarion api-token``."""

from __future__ import annotations

from clarion import hookimpl
from clarion.ambassadors.api_tokens import TOKEN_PREFIX, authenticate_api_token
from clarion.errors import CredentialRefused
from clarion.identity import Identity, RequestInfo
from clarion.models import Ambassador

PLUGIN_NAME = "identity-api-token"


@hookimpl(trylast=True)  # a company's own provider answers first
def clarion_identity_compute(engine, request: RequestInfo):
    token = request.bearer_token()
    if token is None or not token.startswith(TOKEN_PREFIX):
        return None
    with engine.db.session() as session:
        stored = authenticate_api_token(session, token)
        if stored is None:
            raise CredentialRefused("the API token is unknown or revoked")
        ambassador = session.get(Ambassador, stored.ambassador_id)
        assert ambassador is not None  # cascade deletes tokens with their ambassador
        return Identity(
            external_id=ambassador.external_id,
            provider=PLUGIN_NAME,
            ambassador_id=ambassador.id,
            credential=stored.prefix,
        )
