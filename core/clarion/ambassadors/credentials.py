"""Network credentials: stored encrypted, refreshed before expiry by one worker at a time, saved before use."""

from __future__ import annotations

import functools
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
import sqlalchemy as sa
from sqlmodel import Session, col

from clarion.connectors import Connector, ConnectorContext, Credential, RateLimitInfo
from clarion.crypto import decrypt_json, encrypt_json
from clarion.engine import Engine
from clarion.errors import AuthExpired, NotFound, NotSupported, ReconnectNeeded
from clarion.models import AccountStatus, NetworkAccount
from clarion.outbound import outbound_client

# Refresh this long before the access token expires, so a publish never starts with a token
# that dies mid-request.
REFRESH_MARGIN = timedelta(minutes=5)
HTTP_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

T = TypeVar("T")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default certificate checks, loaded once per process.

    Loading the certificate store costs tens of milliseconds, more than a post to a network takes;
    every connector call opens a client, so they share this context instead of loading it again.
    """
    return httpx.create_ssl_context()


def callback_url(engine: Engine, network: str) -> str:
    """Where the network sends the ambassador back after consenting."""
    return f"{engine.settings.base_url.rstrip('/')}/api/v1/me/accounts/connect/{network}/callback"


@contextmanager
def connector_context(
    engine: Engine,
    connector: Connector,
    *,
    rate_limit_reporter: Callable[[RateLimitInfo], None] | None = None,
) -> Iterator[ConnectorContext]:
    """An HTTP client with Clarion's timeouts plus the connector's settings, for one unit of work.

    The client is :func:`clarion.outbound.outbound_client`: instances and servers are addresses
    an ambassador or admin gives, so only public ones (or ``outbound_allow_networks``) are reached.

    ``rate_limit_reporter`` receives the budgets the connector reports during it.
    """
    settings = engine.plugin_config(connector.plugin_name) if connector.plugin_name else None
    allow = engine.settings.outbound_allow_networks
    with outbound_client(allow, timeout=HTTP_TIMEOUT, verify=tls_context()) as http:
        yield ConnectorContext(
            http=http,
            settings=settings,
            redirect_uri=callback_url(engine, connector.key),
            rate_limit_reporter=rate_limit_reporter,
        )


def _to_stored(credential: Credential) -> dict[str, Any]:
    stored = asdict(credential)
    stored["expires_at"] = credential.expires_at.isoformat() if credential.expires_at else None
    stored["scopes"] = list(credential.scopes)
    stored["extra"] = dict(credential.extra)
    return stored


def _from_stored(stored: dict[str, Any]) -> Credential:
    expires = stored.get("expires_at")
    return Credential(
        access_token=stored["access_token"],
        refresh_token=stored.get("refresh_token"),
        expires_at=datetime.fromisoformat(expires) if expires else None,
        account_id=stored.get("account_id"),
        handle=stored.get("handle"),
        instance=stored.get("instance"),
        scopes=tuple(stored.get("scopes") or ()),
        extra=stored.get("extra") or {},
    )


def load_credential(engine: Engine, account: NetworkAccount) -> Credential | None:
    """The account's decrypted credential, or ``None`` for intent-only accounts."""
    if account.credentials_encrypted is None:
        return None
    return _from_stored(decrypt_json(engine.settings.secret_key, account.credentials_encrypted))


def store_credential(engine: Engine, session: Session, account: NetworkAccount, credential: Credential) -> None:
    """Encrypt and save ``credential`` on ``account`` (in the caller's transaction), bumping its version."""
    account.credentials_encrypted = encrypt_json(engine.settings.secret_key, _to_stored(credential))
    account.credentials_version += 1
    account.token_expires_at = credential.expires_at
    account.account_id = credential.account_id or account.account_id
    account.instance = credential.instance or account.instance
    if credential.handle:
        account.handle = credential.handle
    account.status = AccountStatus.ACTIVE
    account.last_error = None
    session.add(account)
    session.flush()


def _lock_account(session: Session, account_id: int) -> NetworkAccount:
    # A no-op UPDATE: the row lock on PostgreSQL, the write lock on SQLite. Whoever holds it is
    # the one worker refreshing; the others wait, then read the refreshed credential.
    session.execute(
        sa.update(NetworkAccount).where(col(NetworkAccount.id) == account_id).values(id=col(NetworkAccount.id))
    )
    account = session.get(NetworkAccount, account_id, populate_existing=True)
    if account is None:
        raise NotFound(f"account {account_id} not found")
    return account


def mark_reconnect_needed(engine: Engine, account_id: int, reason: str) -> None:
    """Record that the network refused this account's credentials; the ambassador must connect again."""
    with engine.transaction() as session:
        account = session.get(NetworkAccount, account_id)
        if account is not None:
            account.status = AccountStatus.RECONNECT_NEEDED
            account.last_error = reason[:2000]
            session.add(account)


def fresh_credential(engine: Engine, account_id: int, *, force: bool = False) -> Credential:
    """A credential that will not expire within :data:`REFRESH_MARGIN`, refreshing it if needed.

    Single-flight: the account row is locked while refreshing, the credential re-read after the
    lock is taken (another worker may have refreshed it), and the new credential committed
    before it is returned — essential where refresh tokens are single-use (X, Bluesky).

    Args:
        engine: The engine.
        account_id: The network account.
        force: Refresh even if not near expiry (after the network answered 401).

    Raises:
        ReconnectNeeded: the account has no credential, was already marked, or the network
            refused the refresh (the account is then marked "reconnect needed").
    """
    with engine.transaction() as session:
        account = _lock_account(session, account_id)
        connector = engine.connector(account.network)
        if account.status is AccountStatus.RECONNECT_NEEDED:
            raise ReconnectNeeded(f"reconnect your {connector.label} account", network=account.network)
        credential = load_credential(engine, account)
        if credential is None:
            raise ReconnectNeeded(f"connect your {connector.label} account first", network=account.network)
        due = credential.expires_at is not None and credential.expires_at - engine.clock.now() < REFRESH_MARGIN
        if not (force or due):
            return credential
        seen_version = account.credentials_version
        try:
            with connector_context(engine, connector) as context:
                refreshed = connector.refresh(context, credential)
        except ReconnectNeeded as exc:
            failure: ReconnectNeeded | None = exc
        else:
            failure = None
            assert account.credentials_version == seen_version  # we hold the lock: nobody else wrote
            store_credential(engine, session, account, refreshed)
            return refreshed
    assert failure is not None
    mark_reconnect_needed(engine, account_id, failure.detail)
    raise failure


def call_with_credential(
    engine: Engine,
    account_id: int,
    call: Callable[[Connector, ConnectorContext, Credential], T],
    *,
    rate_limit_reporter: Callable[[RateLimitInfo], None] | None = None,
) -> T:
    """Run ``call`` with the account's fresh credential; on AuthExpired refresh once and try once more.

    ``rate_limit_reporter`` receives the budgets the connector reports meanwhile.

    Raises:
        ReconnectNeeded: the network refused the credential even after a refresh (or cannot
            refresh it); the account is marked "reconnect needed" first.
    """
    with engine.transaction() as session:
        account = session.get(NetworkAccount, account_id)
        if account is None:
            raise NotFound(f"account {account_id} not found")
        connector = engine.connector(account.network)
    credential = fresh_credential(engine, account_id)
    with connector_context(engine, connector, rate_limit_reporter=rate_limit_reporter) as context:
        try:
            return call(connector, context, credential)
        except AuthExpired:
            try:
                credential = fresh_credential(engine, account_id, force=True)
            except NotSupported as exc:
                reason = f"reconnect your {connector.label} account: it no longer accepts the saved sign-in"
                mark_reconnect_needed(engine, account_id, reason)
                raise ReconnectNeeded(reason, network=connector.key) from exc
            try:
                return call(connector, context, credential)
            except AuthExpired as again:
                reason = f"reconnect your {connector.label} account: it refuses the sign-in even after a refresh"
                mark_reconnect_needed(engine, account_id, reason)
                raise ReconnectNeeded(reason, network=connector.key) from again
