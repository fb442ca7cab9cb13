"""Who is calling: the identity hook turned into an Actor, and the role guard on every route."""

from __future__ import annotations

import logging
from typing import Any

import anyio.to_thread
from litestar import Controller, Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler

from clarion.actors import Actor
from clarion.ambassadors import throttle
from clarion.ambassadors.ambassadors import resolve_identity
from clarion.ambassadors.throttle import Door
from clarion.engine import Engine
from clarion.errors import BadRequest, CredentialRefused, NotAuthenticated
from clarion.identity import RequestInfo, client_address
from clarion.models import Role
from clarion.shares.clicks import click_capture
from clarion.web.embed.security import origin_guard

logger = logging.getLogger("clarion.web.auth")

PUBLIC = "public"

# Handler parameters injected by name (Litestar 3 stops inferring dependencies).
EngineDep = NamedDependency[Engine]
ActorDep = NamedDependency[Actor]


def request_info(connection: ASGIConnection[Any, Any, Any, Any]) -> RequestInfo:
    headers: dict[str, str] = {}
    repeated: set[str] = set()
    for raw_name, raw_value in connection.scope["headers"]:  # raw: the parsed headers join repeats with commas
        name = raw_name.decode("latin-1").lower()
        if name in headers:
            repeated.add(name)
        headers[name] = raw_value.decode("latin-1")
    return RequestInfo(
        method=str(connection.scope.get("method", "GET")),
        path=connection.url.path,
        headers=headers,
        client_host=connection.client.host if connection.client else None,
        cookies=dict(connection.cookies),
        repeated=frozenset(repeated),
    )


def client_address_of(engine: Engine, connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    """The caller's address, read from ``X-Forwarded-For`` only when the peer is one of ``trusted_proxies``."""
    peer = connection.client.host if connection.client else None
    return client_address(peer, connection.headers.getall("x-forwarded-for", []), engine.settings.trusted_proxies)


def authenticate(engine: Engine, connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """The actor behind a request, provisioning them on first sight.

    Raises:
        NotAuthenticated: nobody vouches for the request.
    """
    info = request_info(connection)
    if "authorization" in info.repeated:
        raise BadRequest("send one Authorization header, not several")
    bearer = info.bearer_token() is not None
    address = client_address_of(engine, connection)
    if bearer:
        throttle.check(engine, Door.TOKEN, address)
    try:
        identity = engine.identify(info)
    except CredentialRefused:
        if bearer:  # a guess; an expired or signed-out token is no guess and is not counted
            throttle.failed(engine, Door.TOKEN, address)
        raise
    if identity is None:
        raise NotAuthenticated(
            "sign in: send 'Authorization: Bearer <token>' (see `clarion token`) "
            "or come through the intranet's trusted proxy"
        )
    with engine.transaction() as session:
        ambassador = resolve_identity(session, identity, provision=engine.settings.provision_ambassadors)
        door = ":".join(filter(None, ("api", identity.provider, identity.credential)))
        via = "admin" if connection.url.path.startswith("/admin") else door
        return Actor.of(ambassador, via, identity.session_id)


def _authenticate_and_remember(engine: Engine, connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    """:func:`authenticate`, then note the caller's visitor hash of the day so their own clicks are known."""
    actor = authenticate(engine, connection)
    try:
        click_capture(engine).remember_ambassador(
            actor.ambassador_id,
            client_address_of(engine, connection),
            connection.headers.get("user-agent"),
        )
    except Exception:  # self-click detection is best effort; the caller's request goes on
        logger.exception("could not note ambassador %s's visitor hash", actor.ambassador_id)
    return actor


async def role_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Every route declares ``opt={"role": …}``; this guard enforces it before the handler runs."""
    if getattr(handler, "http_methods", None) == {"OPTIONS"}:
        return  # Litestar's automatic OPTIONS answer (CORS preflight) reveals nothing
    required = handler.opt.get("role")
    if required is None:
        raise RuntimeError(f"route {handler} declares no role")  # a programming error, caught by tests
    if required == PUBLIC:
        return
    actor: Actor | None = getattr(connection.state, "actor", None)  # set already by an outer router's guard
    if actor is None:
        engine: Engine = connection.app.state.engine
        # Identity providers may touch the database: keep that off the event loop.
        actor = await anyio.to_thread.run_sync(_authenticate_and_remember, engine, connection)
    actor.require(Role(required), f"{connection.scope.get('method', 'GET')} {connection.url.path}")
    connection.state.actor = actor


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    actor: Actor = request.state.actor
    return actor


def provide_engine(request: Request[Any, Any, Any]) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


class ClarionController(Controller):
    """Base of every Clarion controller: its routes pass the origin/CSRF check and the role guard."""

    guards = [origin_guard, role_guard]
