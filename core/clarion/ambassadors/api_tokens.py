"""Long-lived API tokens for automation: shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from clarion import audit
from clarion.errors import NotFound, ValidationFailed
from clarion.models import Ambassador, ApiToken, utcnow

TOKEN_PREFIX = "clr_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(session: Session, ambassador: Ambassador, name: str) -> tuple[ApiToken, str]:
    """A new token acting as ``ambassador``; the clear token is returned once and never stored."""
    if not name.strip():
        raise ValidationFailed("an API token needs a name", field="name")
    assert ambassador.id is not None
    public = secrets.token_hex(4)
    clear = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        name=name.strip(), ambassador_id=ambassador.id, token_hash=_hash(clear), prefix=f"{TOKEN_PREFIX}{public}"
    )
    session.add(token)
    session.flush()
    audit.record(session, None, "api_token.created", token.prefix, after={"name": token.name}, via="cli")
    return token, clear


def authenticate_api_token(session: Session, clear: str) -> ApiToken | None:
    """The live token matching ``clear``, its use time updated; ``None`` if unknown or revoked."""
    if not clear.startswith(TOKEN_PREFIX):
        return None
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == _hash(clear))).first()
    if token is None or token.revoked_at is not None:
        return None
    token.last_used_at = utcnow()
    session.add(token)
    return token


def list_api_tokens(session: Session) -> list[ApiToken]:
    return list(session.exec(select(ApiToken).order_by(ApiToken.id)).all())  # type: ignore[arg-type]


def revoke_api_token(session: Session, prefix: str) -> ApiToken:
    token = session.exec(select(ApiToken).where(ApiToken.prefix == prefix)).first()
    if token is None:
        raise NotFound(f"no API token {prefix!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        audit.record(session, None, "api_token.revoked", prefix, after={"name": token.name}, via="cli")
    return token
