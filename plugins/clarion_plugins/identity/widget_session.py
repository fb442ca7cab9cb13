"""Widget sessions: the bearer token ``embed.js`` holds, or the cookie the iframe page carries."""

from __future__ import annotations

from clarion import hookimpl
from clarion.ambassadors.widget_sessions import SESSION_COOKIE, is_session_token, open_session
from clarion.errors import NotAuthenticated
from clarion.identity import Identity, RequestInfo

PLUGIN_NAME = "identity-widget-session"


@hookimpl(trylast=True)  # a company's own provider answers first
def clarion_identity_compute(engine, request: RequestInfo):
    token = request.bearer_token()
    if token is not None:
        if not is_session_token(token):
            return None
        claims, _ = open_session(engine, token)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            claims, _ = open_session(engine, cookie)
        except NotAuthenticated:
            return None  # a stale or ended cookie: let another provider (or the sign-in answer) speak
    return Identity(
        external_id=claims["sub"], provider=PLUGIN_NAME, ambassador_id=claims["aid"], session_id=claims["sid"]
    )
