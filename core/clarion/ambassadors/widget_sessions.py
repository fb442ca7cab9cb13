"""Widget sessions: a single-use identity token from the intranet, exchanged for a session.

The intranet backend mints a short-lived token with a unique ``jti``
(:func:`clarion.tokens.mint_token`); the widget posts it once and receives a session token
that the iframe keeps as a cookie and ``embed.js`` keeps in memory as a bearer token. The
session token is not a bare JWT (it carries :data:`SESSION_PREFIX`), so the signed-token
provider never mistakes one for the other.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
import sqlalchemy as sa
from sqlmodel import Session, delete

from clarion.actors import Actor
from clarion.ambassadors.ambassadors import resolve_identity
from clarion.engine import Engine
from clarion.errors import NotAuthenticated
from clarion.identity import Identity
from clarion.models import UsedTokenId, utcnow
from clarion.tokens import (
    ALGORITHM,
    EXCHANGE_MAX_TTL_SECONDS,
    LEEWAY_SECONDS,
    check_lifetime,
    decode_options,
    verify_token,
)

SESSION_PREFIX = "cws."
SESSION_AUDIENCE = "clarion-widget-session"
SESSION_COOKIE = "clarion_session"
CSRF_HEADER = "x-clarion-csrf"
PROVIDER = "widget-session"


@dataclass(frozen=True)
class WidgetSession:
    """A session handed to a widget.

    Attributes:
        token: The session token (``cws.…``): a bearer token, or the cookie's value.
        expires_at: When it stops working.
        csrf_token: What cookie-borne requests of this session send in ``X-Clarion-CSRF``.
        actor: Whom it stands for.
    """

    token: str
    expires_at: datetime
    csrf_token: str
    actor: Actor


def _session_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), b"clarion widget sessions v1", hashlib.sha256).digest()


def csrf_token(secret_key: str, session_id: str) -> str:
    """The CSRF token bound to one session: a keyed hash of its id, so it needs no storage."""
    return hmac.new(_session_key(secret_key), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def _claim_token_id(session: Session, jti: str, expires_at: datetime) -> None:
    """Record ``jti`` as used, refusing it when it already is; sweeps ids past their expiry."""
    session.exec(delete(UsedTokenId).where(UsedTokenId.expires_at < utcnow()))  # type: ignore[arg-type]
    session.add(UsedTokenId(jti=jti, expires_at=expires_at))
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise NotAuthenticated("this identity token was already used; mint a new one for every exchange") from None


def exchange(engine: Engine, session: Session, identity_token: str) -> WidgetSession:
    """Turn a single-use identity token into a widget session, provisioning the person if new.

    Raises:
        NotAuthenticated: the token is forged, expired, lacks a ``jti``, lives longer than
            :data:`~clarion.tokens.EXCHANGE_MAX_TTL_SECONDS`, or was used before.
        PermissionDenied: the person is unknown and provisioning is off.
    """
    claims = verify_token(engine.settings.secret_key, identity_token, now=engine.clock.now().timestamp())
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 8 <= len(jti) <= 128:
        raise NotAuthenticated("a token exchanged for a widget session needs a unique jti (8 to 128 characters)")
    if claims["exp"] - claims["iat"] > EXCHANGE_MAX_TTL_SECONDS:
        raise NotAuthenticated(
            f"a token exchanged for a widget session may live at most {EXCHANGE_MAX_TTL_SECONDS} seconds"
        )
    _claim_token_id(session, jti, datetime.fromtimestamp(claims["exp"] + LEEWAY_SECONDS, UTC))
    identity = Identity(
        external_id=claims["sub"], provider="identity-signed-token", name=claims.get("name"), email=claims.get("email")
    )
    ambassador = resolve_identity(session, identity, provision=engine.settings.provision_ambassadors)
    actor = Actor.of(ambassador)
    return issue(
        engine.settings.secret_key, actor, engine.settings.widget_session_seconds, now=engine.clock.now().timestamp()
    )


def issue(secret_key: str, actor: Actor, ttl_seconds: int, *, now: float | None = None) -> WidgetSession:
    """A fresh session token for ``actor``."""
    issued = int(utcnow().timestamp() if now is None else now)
    session_id = secrets.token_urlsafe(16)
    claims: dict[str, Any] = {
        "sub": actor.external_id,
        "aid": actor.ambassador_id,
        "sid": session_id,
        "aud": SESSION_AUDIENCE,
        "iat": issued,
        "exp": issued + ttl_seconds,
    }
    token = SESSION_PREFIX + jwt.encode(claims, _session_key(secret_key), algorithm=ALGORITHM)
    return WidgetSession(
        token=token,
        expires_at=datetime.fromtimestamp(issued + ttl_seconds, UTC),
        csrf_token=csrf_token(secret_key, session_id),
        actor=actor,
    )


def is_session_token(token: str) -> bool:
    return token.startswith(SESSION_PREFIX)


def verify_session(secret_key: str, token: str, *, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid session token (``sub``, ``aid``, ``sid``), checked at ``now`` (the clock's when omitted).

    Raises:
        NotAuthenticated: forged, expired or malformed.
    """
    if not is_session_token(token):
        raise NotAuthenticated("not a widget session token")
    try:
        claims: dict[str, Any] = jwt.decode(
            token.removeprefix(SESSION_PREFIX),
            _session_key(secret_key),
            algorithms=[ALGORITHM],
            audience=SESSION_AUDIENCE,
            options=decode_options("sub", "aid", "sid", "exp", "iat", "aud"),
        )
        check_lifetime(claims, utcnow().timestamp() if now is None else now)
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("the widget session has expired; reload the page") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(f"the widget session is invalid: {exc}") from exc
    if not isinstance(claims["aid"], int) or not isinstance(claims["sub"], str):
        raise NotAuthenticated("the widget session is invalid")
    return claims


def check_csrf(secret_key: str, session_token: str, presented: str | None, *, now: float | None = None) -> bool:
    """Whether ``presented`` is the CSRF token of the (valid at ``now``) session ``session_token``."""
    if not presented:
        return False
    try:
        claims = verify_session(secret_key, session_token, now=now)
    except NotAuthenticated:
        return False
    return hmac.compare_digest(csrf_token(secret_key, claims["sid"]), presented)
