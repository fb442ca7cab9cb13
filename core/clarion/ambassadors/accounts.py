"""Connecting network accounts for API publishing: OAuth states, app-password sessions, disconnecting."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.actors import Actor
from clarion.ambassadors import ambassadors as ambassador_service
from clarion.ambassadors.credentials import connector_context, load_credential, store_credential
from clarion.connectors import AuthKind, Connector, Credential
from clarion.crypto import decrypt_json, encrypt_json
from clarion.engine import Engine
from clarion.errors import (
    ClarionError,
    ConfigError,
    ConnectorError,
    NotFound,
    PermissionDenied,
    ReconnectNeeded,
    ValidationFailed,
)
from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.models import ConnectState, NetworkAccount

logger = logging.getLogger(__name__)

STATE_TTL = timedelta(minutes=10)
MAX_RETURN_TO = 500


@dataclass(frozen=True)
class Connected:
    """A finished connection: the account, and where the ambassador's browser goes next."""

    account: NetworkAccount
    return_to: str | None = None


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def _checked_return_to(return_to: str | None) -> str | None:
    # Only a path on this Clarion: an absolute or protocol-relative URL would make the callback an
    # open redirect.
    if return_to is None:
        return None
    if not return_to.startswith("/") or return_to.startswith("//") or "\\" in return_to:
        raise ValidationFailed("return_to must be a path on this site, such as /me", field="return_to")
    if len(return_to) > MAX_RETURN_TO or any(ord(character) < 32 for character in return_to):
        raise ValidationFailed("return_to is not a usable path", field="return_to")
    return return_to


def _connector(engine: Engine, network: str, kind: AuthKind) -> Connector:
    connector = engine.connector(network)
    if connector.auth_kind is not kind:
        how = {
            AuthKind.NONE: "cannot be connected: share to it with its share link",
            AuthKind.OAUTH2: "connects through the network's consent page",
            AuthKind.APP_PASSWORD: "connects with a handle and an app password",
        }[connector.auth_kind]
        raise ValidationFailed(f"{connector.label} {how}", field="network")
    return connector


def start_connect(
    engine: Engine, actor: Actor, network: str, *, instance: str | None = None, return_to: str | None = None
) -> str:
    """Begin an OAuth connection for ``actor``; returns the network's consent URL.

    The state sent to the network is stored hashed with what finishing needs (PKCE verifier,
    per-instance app), encrypted, for :data:`STATE_TTL`, and can be used once.
    """
    connector = _connector(engine, network, AuthKind.OAUTH2)
    return_to = _checked_return_to(return_to)
    if instance is not None and not instance.strip():
        raise ValidationFailed("instance must not be empty", field="instance")
    state = secrets.token_urlsafe(32)
    with connector_context(engine, connector) as context:
        started = connector.start_connect(context, state=state, instance=instance)
    pending = {"connector": dict(started.pending), "return_to": return_to}
    now = engine.clock.now()
    with engine.transaction() as session:
        session.execute(sa.delete(ConnectState).where(col(ConnectState.expires_at) < now))
        session.add(
            ConnectState(
                state_hash=_state_hash(state),
                ambassador_id=actor.ambassador_id,
                network=network,
                pending_encrypted=encrypt_json(engine.settings.secret_key, pending),
                expires_at=now + STATE_TTL,
            )
        )
    return started.authorize_url


def _take_state(engine: Engine, network: str, state: str) -> tuple[int, dict[str, Any]]:
    """Consume a pending state: ``(ambassador id, pending data)``. Used or not, it is gone after this."""
    refused = ValidationFailed(
        "this connection request is unknown, expired or already used; start connecting again", field="state"
    )
    if not state:
        raise refused
    with engine.transaction() as session:
        row = session.exec(select(ConnectState).where(ConnectState.state_hash == _state_hash(state))).first()
        if row is None:
            raise refused
        # Whoever deletes the row owns the state: a replay racing this request deletes nothing.
        deleted = cast(
            "sa.CursorResult[Any]", session.execute(sa.delete(ConnectState).where(col(ConnectState.id) == row.id))
        )
        usable = deleted.rowcount == 1 and row.network == network and row.expires_at > engine.clock.now()
        ambassador_id, pending_encrypted = row.ambassador_id, row.pending_encrypted
    if not usable:
        raise refused
    try:
        pending = decrypt_json(engine.settings.secret_key, pending_encrypted)
    except ConfigError:
        raise refused from None
    return ambassador_id, pending


def _save_account(
    engine: Engine, session: Session, ambassador_id: int, network: str, credential: Credential, followers: int | None
) -> NetworkAccount:
    handle = (credential.handle or credential.account_id or "").strip()[:200]
    if not handle:
        raise ValidationFailed("the network did not say who the account belongs to", field="network")
    mine = select(NetworkAccount).where(
        NetworkAccount.ambassador_id == ambassador_id, NetworkAccount.network == network
    )
    match = sa.or_(col(NetworkAccount.handle) == handle, col(NetworkAccount.account_id) == credential.account_id)
    account = session.exec(mine.where(match)).first()
    if account is None:
        account = NetworkAccount(ambassador_id=ambassador_id, network=network, handle=handle)
    store_credential(engine, session, account, credential)
    if followers is not None:
        account.follower_count, account.followers_read_at = followers, engine.clock.now()
    session.add(account)
    session.flush()
    assert account.id is not None
    record_event(
        session,
        EventKind.ACCOUNT_CONNECTED,
        idempotency_key=f"account.connected:{account.id}:{account.credentials_version}",
        ambassador_id=ambassador_id,
        payload={"network": network, "api": True},
    )
    return account


def _followers(engine: Engine, connector: Connector, credential: Credential) -> int | None:
    try:
        with connector_context(engine, connector) as context:
            return connector.follower_count(context, credential)
    except ConnectorError as exc:  # reach is a nicety: never fail a connection over it
        logger.warning("%s follower count unavailable: %s", connector.key, exc.detail)
        return None


def finish_connect(
    engine: Engine,
    network: str,
    state: str,
    params: Mapping[str, str],
    *,
    caller_ambassador_id: int | None = None,
) -> Connected:
    """Finish an OAuth connection from the network's redirect.

    The state says who started it; the callback needs no other credential. When the browser
    does present an identity, it must be the same person.

    Raises:
        ValidationFailed: the state is unknown, expired, used, or for another network; or the
            ambassador declined on the network's consent page.
        PermissionDenied: someone else started this connection.
    """
    connector = _connector(engine, network, AuthKind.OAUTH2)
    ambassador_id, pending = _take_state(engine, network, state)
    if caller_ambassador_id is not None and caller_ambassador_id != ambassador_id:
        raise PermissionDenied("this connection was started by someone else")
    if params.get("error"):
        reason = params.get("error_description") or params["error"]
        raise ValidationFailed(f"{connector.label} did not grant access: {reason}", field="code")
    if not params.get("code"):
        raise ValidationFailed(f"{connector.label} sent no authorization code", field="code")
    with connector_context(engine, connector) as context:
        credential = connector.finish_connect(context, params=params, pending=pending["connector"])
    followers = _followers(engine, connector, credential)
    with engine.transaction() as session:
        account = _save_account(engine, session, ambassador_id, network, credential, followers)
    return Connected(account, pending.get("return_to"))


def connect_with_password(
    engine: Engine, actor: Actor, network: str, *, identifier: str, password: str, instance: str | None = None
) -> NetworkAccount:
    """Connect with an app password; only the session it opens is stored, never the password."""
    connector = _connector(engine, network, AuthKind.APP_PASSWORD)
    if not identifier.strip() or not password:
        raise ValidationFailed("identifier and password are required", field="identifier")
    try:
        with connector_context(engine, connector) as context:
            credential = connector.connect_with_password(
                context, identifier=identifier.strip(), password=password, instance=instance
            )
    except ReconnectNeeded as exc:
        raise ValidationFailed(exc.detail, field="password") from exc
    followers = _followers(engine, connector, credential)
    with engine.transaction() as session:
        return _save_account(engine, session, actor.ambassador_id, network, credential, followers)


def disconnect(engine: Engine, actor: Actor, account_id: int) -> None:
    """Revoke the account's credential on the network (best effort), then forget the account.

    Raises:
        NotFound: the account is not the actor's (ids of others cannot be probed).
    """
    with engine.transaction() as session:
        account = session.get(NetworkAccount, account_id)
        if account is None or account.ambassador_id != actor.ambassador_id:
            raise NotFound(f"account {account_id} not found")
        network = account.network
        try:
            credential = load_credential(engine, account)
        except ConfigError:
            credential = None  # encrypted with a retired key: nothing usable to revoke
    if credential is not None:
        try:
            connector = engine.connector(network)
            with connector_context(engine, connector) as context:
                connector.revoke(context, credential)
        except ClarionError as exc:  # the network may be down or the plugin gone: forget locally anyway
            logger.warning("could not revoke the %s credential of account %s: %s", network, account_id, exc.detail)
    with engine.transaction() as session:
        ambassador_service.remove_account(session, actor, account_id)
