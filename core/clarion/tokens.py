"""Short-lived signed identity tokens the intranet backend mints (JWT, HS256 pinned).

Any language with a JWT library can mint one: HS256 over the claims ``sub`` (external id),
``aud`` = ``"clarion"``, ``iat``, ``exp`` (at most :data:`MAX_TTL_SECONDS` after ``iat``) and
optionally ``name`` and ``email``, signed with the key :func:`signing_key` derives. Tokens a
widget exchanges for a session (:mod:`clarion.ambassadors.widget_sessions`) also carry a unique
``jti`` and live at most :data:`EXCHANGE_MAX_TTL_SECONDS`.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import jwt
from jwt.types import Options

from clarion.clock import utcnow
from clarion.errors import CredentialRefused, NotAuthenticated, ValidationFailed

ALGORITHM = "HS256"
AUDIENCE = "clarion"
MAX_TTL_SECONDS = 24 * 3600
LEEWAY_SECONDS = 30
EXCHANGE_MAX_TTL_SECONDS = 300


def signing_key(secret_key: str) -> bytes:
    """The token key, derived from ``CLARION_SECRET_KEY`` so it differs from other uses of it."""
    return hmac.new(secret_key.encode(), b"clarion identity tokens v1", hashlib.sha256).digest()


def mint_token(
    secret_key: str,
    external_id: str,
    *,
    ttl_seconds: int = 900,
    name: str | None = None,
    email: str | None = None,
    jti: str | None = None,
    now: float | None = None,
) -> str:
    """A signed token for ``external_id``, valid ``ttl_seconds``.

    Pass a fresh random ``jti`` (and at most :data:`EXCHANGE_MAX_TTL_SECONDS`) for a token a
    widget exchanges for a session: Clarion accepts each ``jti`` once.

    Raises:
        ValidationFailed: for an empty id or a lifetime outside 1 s … 24 h.
    """
    if not external_id:
        raise ValidationFailed("a token needs the person's external id", field="external_id")
    if not 0 < ttl_seconds <= MAX_TTL_SECONDS:
        raise ValidationFailed(f"token lifetime must be between 1 and {MAX_TTL_SECONDS} seconds", field="ttl")
    issued = int(utcnow().timestamp() if now is None else now)
    claims: dict[str, Any] = {"sub": external_id, "aud": AUDIENCE, "iat": issued, "exp": issued + ttl_seconds}
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
    if jti:
        claims["jti"] = jti
    return jwt.encode(claims, signing_key(secret_key), algorithm=ALGORITHM)


def verify_token(secret_key: str, token: str, *, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid token, its lifetime checked at ``now`` (epoch seconds; the clock's when omitted).

    Raises:
        NotAuthenticated: for a forged, expired, over-long or malformed token.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            signing_key(secret_key),
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options=decode_options("sub", "exp", "iat", "aud"),
        )
        check_lifetime(claims, utcnow().timestamp() if now is None else now)
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("the identity token has expired") from exc
    except jwt.DecodeError as exc:  # a bad signature or no token at all: someone guessing
        raise CredentialRefused(f"the identity token is invalid: {exc}") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated(f"the identity token is invalid: {exc}") from exc
    if claims["exp"] - claims["iat"] > MAX_TTL_SECONDS:
        raise NotAuthenticated("the identity token lives longer than Clarion allows (24 hours)")
    if not isinstance(claims["sub"], str) or not claims["sub"].strip():
        raise NotAuthenticated("the identity token names nobody")
    return claims


def decode_options(*required: str) -> Options:
    """PyJWT options requiring ``required`` claims, its time checks off: it reads the system clock.

    Clarion checks ``exp``, ``iat`` and ``nbf`` with :func:`check_lifetime` at the clock's time.
    """
    return {"require": list(required), "verify_exp": False, "verify_iat": False, "verify_nbf": False}


def check_lifetime(claims: dict[str, Any], now: float, leeway: float = LEEWAY_SECONDS) -> None:
    """PyJWT's time checks, at ``now`` from Clarion's clock instead of the system's.

    Raises:
        jwt.ExpiredSignatureError: ``exp`` has passed (beyond ``leeway``).
        jwt.ImmatureSignatureError: ``iat`` or ``nbf`` lies in the future (beyond ``leeway``).
        jwt.DecodeError: a time claim is not an integer (``InvalidIssuedAtError`` for ``iat``).
    """
    not_integers = {  # PyJWT's own errors, so a malformed token reads as it always did
        "exp": jwt.DecodeError("Expiration Time claim (exp) must be an integer."),
        "iat": jwt.InvalidIssuedAtError("Issued At claim (iat) must be an integer."),
        "nbf": jwt.DecodeError("Not Before claim (nbf) must be an integer."),
    }
    times = {}
    for name, error in not_integers.items():
        if name in claims:
            try:
                times[name] = int(claims[name])
            except (ValueError, TypeError, OverflowError):
                raise error from None
    if "iat" in times and times["iat"] > now + leeway:
        raise jwt.ImmatureSignatureError("The token is not yet valid (iat)")
    if "nbf" in times and times["nbf"] > now + leeway:
        raise jwt.ImmatureSignatureError("The token is not yet valid (nbf)")
    if "exp" in times and times["exp"] <= now - leeway:
        raise jwt.ExpiredSignatureError("Signature has expired")


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2
