"""Identity from the intranet portal's own header, answering before the built-in providers."""

from __future__ import annotations

from clarion import hookimpl
from clarion.errors import NotAuthenticated
from clarion.identity import Identity, RequestInfo


@hookimpl(tryfirst=True)
def clarion_identity_compute(request: RequestInfo):
    user = request.headers.get("x-portal-user")
    if user is None:
        return None
    if user == "mallory":
        raise NotAuthenticated("the portal has locked this account")
    return Identity(external_id=user, provider="portal", name=request.headers.get("x-portal-name"))
