"""The demo's sections of the core's pages: tokens on the home page, one-click sign-in on the admin's."""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request
from sqlmodel import col, select

from clarion.engine import Engine
from clarion.models import Ambassador, Role
from clarion.tokens import EXCHANGE_MAX_TTL_SECONDS, mint_token
from clarion.web.sections import render_section

HOME_TOKEN_TTL = 8 * 3600


def _first(engine: Engine, role: Role, *, opted_in: bool) -> Ambassador | None:
    query = select(Ambassador).where(Ambassador.role == role)
    if opted_in:
        query = query.where(col(Ambassador.opted_in_at).is_not(None))
    with engine.transaction() as session:
        return session.exec(query.order_by(col(Ambassador.id))).first()


def home_people(engine: Engine) -> list[dict[str, str]]:
    """The first opted-in admin, editor and ambassador, each with a token for the API valid for eight hours."""
    people = []
    for role in (Role.ADMIN, Role.EDITOR, Role.AMBASSADOR):
        person = _first(engine, role, opted_in=True)
        if person is not None:
            token = mint_token(engine.settings.secret_key, person.external_id, ttl_seconds=HOME_TOKEN_TTL)
            people.append({"role": role.value, "name": person.name, "token": token})
    return people


def signin_people(engine: Engine) -> list[dict[str, str]]:
    """The first admin and editor, each with a fresh single-use token the sign-in form exchanges."""
    people = []
    for role in (Role.ADMIN, Role.EDITOR):
        person = _first(engine, role, opted_in=False)
        if person is not None:
            token = mint_token(
                engine.settings.secret_key,
                person.external_id,
                ttl_seconds=EXCHANGE_MAX_TTL_SECONDS,
                jti=secrets.token_urlsafe(16),
            )
            people.append({"role": role.value, "name": person.name, "token": token})
    return people


def sections(engine: Engine, page: str, slot: str, request: Request[Any, Any, Any], language: str) -> list[str]:
    if (page, slot) == ("home", "intro"):
        return [render_section(request, "demo/home_intro.html")]
    if (page, slot) == ("home", "try-api"):
        people = home_people(engine)
        base_url = str(request.base_url).rstrip("/")
        return [render_section(request, "demo/home_try_api.html", people=people, base_url=base_url)] if people else []
    if (page, slot) == ("admin-signin", "after-form"):
        people = signin_people(engine)
        return [render_section(request, "demo/signin_people.html", people=people, language=language)] if people else []
    return []
