"""Ambassadors for tests, with the headers that authenticate as them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clarion.engine import Engine
from clarion.models import AdvocacyLevel, Ambassador, Role
from clarion.tokens import mint_token


@dataclass
class Person:
    """An ambassador created for a test, with the headers that authenticate as them."""

    id: int
    external_id: str
    role: Role
    headers: dict[str, str]


def make_person(
    engine: Engine, external_id: str, role: Role | str = Role.AMBASSADOR, *, opted_in: bool = True, **fields: Any
) -> Person:
    """An ambassador in ``engine``'s database and the headers that authenticate as them."""
    with engine.transaction() as session:
        ambassador = Ambassador(
            external_id=external_id,
            name=fields.pop("name", external_id.title()),
            role=Role(role),
            advocacy_level=fields.pop("advocacy_level", AdvocacyLevel.ENGAGEMENT),
            opted_in_at=engine.clock.now() if opted_in else None,
            guidelines_version=engine.settings.guidelines_version if opted_in else None,
            **fields,
        )
        session.add(ambassador)
        session.flush()
        assert ambassador.id is not None
        ambassador_id = ambassador.id
    token = mint_token(engine.settings.secret_key, external_id, now=engine.clock.now().timestamp())
    return Person(ambassador_id, external_id, Role(role), {"Authorization": f"Bearer {token}"})
