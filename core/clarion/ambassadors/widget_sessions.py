"""Widget sessions: a single-use identity token from the intranet, exchanged for a session.

The intranet backend mints a short-lived token with a unique ``jti``
(:func:`clarion.tokens.mint_token`); the widget posts it once and receives a session token
that the iframe keeps as a cookie and ``embed.js`` keeps in memory as a bearer token. The
session token is not a bare JWT (it carries :data:`SESSION_PREFIX`), so the signed-token
provider never mistakes one for the other.

Every session also has a row (:class:`~clarion.models.AuthSession`): a token is good only while
its row is neither ended (sign-out, "sign out everywhere", an admin's revocation) nor expired, and
the row holds the session's own random CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from clarion.actors import Actor
from clarion.ambassadors.ambassadors import resolve_identity
from clarion.engine import Engine
from clarion.errors import CredentialRefused, NotAuthenticated
from clarion.identity import Identity
from clarion.models import AuthSession, SessionKind, UsedTokenId, utcnow
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
LAST_SEEN_STEP_SECONDS = 60  # "last seen" is written at most once a minute per session


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


def _claim_token_id(session: Session, jti: str, expires_at: datetime) -> None:
    """Record ``jti`` as used, refusing it when it already is; sweeps ids past their expiry."""
    session.exec(delete(UsedTokenId).where(UsedTokenId.expires_at < utcnow()))  # type: ignore[arg-type]
    session.add(UsedTokenId(jti=jti, expires_at=expires_at))
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        raise NotAuthenticated("this identity token was already used; mint a new one for every exchange") from None


def exchange(
    engine: Engine,
    session: Session,
    identity_token: str,
    *,
    kind: SessionKind = SessionKind.WIDGET,
    user_agent: str | None = None,
) -> WidgetSession:
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
        session,
        engine.settings.secret_key,
        actor,
        engine.settings.widget_session_seconds,
        now=engine.clock.now().timestamp(),
        kind=kind,
        user_agent=user_agent,
    )


def issue(
    session: Session,
    secret_key: str,
    actor: Actor,
    ttl_seconds: int,
    *,
    now: float | None = None,
    kind: SessionKind = SessionKind.WIDGET,
    user_agent: str | None = None,
) -> WidgetSession:
    """A fresh session token for ``actor``, its row added to ``session``'s transaction."""
    issued = int(utcnow().timestamp() if now is None else now)
    session_id = secrets.token_urlsafe(16)
    issued_at = datetime.fromtimestamp(issued, UTC)
    row = AuthSession(
        id=session_id,
        ambassador_id=actor.ambassador_id,
        kind=kind.value,
        csrf_secret=secrets.token_urlsafe(32),
        user_agent=summarise_user_agent(user_agent),
        created_at=issued_at,
        last_seen_at=issued_at,
        expires_at=datetime.fromtimestamp(issued + ttl_seconds, UTC),
    )
    # Sessions a day past their end are forgotten, so the table holds about one lifetime of sign-ins.
    session.exec(delete(AuthSession).where(col(AuthSession.expires_at) < issued_at - timedelta(days=1)))
    session.add(row)
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
        csrf_token=row.csrf_secret,
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
    except jwt.DecodeError as exc:  # a bad signature or no token at all: someone guessing
        raise CredentialRefused(f"the widget session is invalid: {exc}") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(f"the widget session is invalid: {exc}") from exc
    if not isinstance(claims["aid"], int) or not isinstance(claims["sub"], str):
        raise NotAuthenticated("the widget session is invalid")
    return claims


def live_session(session: Session, claims: dict[str, Any], now: datetime) -> AuthSession | None:
    """The row of a verified token's session while it lasts (noting "last seen"); ``None`` once ended or expired."""
    row = session.get(AuthSession, claims["sid"])
    expired = row is not None and row.expires_at + timedelta(seconds=LEEWAY_SECONDS) < now  # as the token's own check
    if row is None or expired or row.ambassador_id != claims["aid"] or row.ended_at is not None:
        return None
    if (now - row.last_seen_at).total_seconds() >= LAST_SEEN_STEP_SECONDS:
        row.last_seen_at = now
        session.add(row)
    return row


def open_session(engine: Engine, token: str) -> tuple[dict[str, Any], AuthSession]:
    """The claims and row of a session token that is valid and not ended.

    Raises:
        NotAuthenticated: forged, expired, malformed, signed out or revoked.
    """
    now = engine.clock.now()
    claims = verify_session(engine.settings.secret_key, token, now=now.timestamp())
    with engine.transaction() as session:
        row = live_session(session, claims, now)
        if row is None:
            raise NotAuthenticated("this session has ended; sign in again")
        session.expunge(row)
    return claims, row


def check_csrf(engine: Engine, session_token: str, presented: str | None) -> bool:
    """Whether ``presented`` is the CSRF token of the live session ``session_token``."""
    if not presented:
        return False
    try:
        _, row = open_session(engine, session_token)
    except NotAuthenticated:
        return False
    return hmac.compare_digest(row.csrf_secret.encode(), presented.encode())


def end_sessions(session: Session, ambassador_id: int, *, session_id: str | None = None) -> int:
    """End one session of a person (``session_id``) or all of them; how many were still open."""
    query = select(AuthSession).where(AuthSession.ambassador_id == ambassador_id, col(AuthSession.ended_at).is_(None))
    if session_id is not None:
        query = query.where(AuthSession.id == session_id)
    rows = list(session.exec(query).all())
    now = utcnow()
    for row in rows:
        row.ended_at = now
        session.add(row)
    return len(rows)


def end_token_session(engine: Engine, token: str | None) -> None:
    """Sign-out: end the session of ``token`` on the server, so a copy of the cookie opens nothing."""
    try:
        claims, _ = open_session(engine, token or "")
    except NotAuthenticated:
        return  # nothing left to end
    with engine.transaction() as session:
        end_sessions(session, claims["aid"], session_id=claims["sid"])


_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (
    ("Windows", "Windows"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def summarise_user_agent(user_agent: str | None) -> str:
    """ "Firefox on Windows": enough for a person to recognise a session, nothing to fingerprint them by."""
    text = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in text), "")
    system = next((name for marker, name in _SYSTEMS if marker in text), "")
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or text[:40]
