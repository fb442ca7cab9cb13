"""Personal daily caps: an ambassador may set a lower daily limit per network than the programme's.

The cadence guardrail enforces the lower of the two. The table belongs to the cadence guardrail's
own migration history (``alembic_version_cadence``); the person reads and changes their own caps
at ``/api/v1/me/daily-limits``, nobody else's.
"""

from __future__ import annotations

from typing import Annotated

import sqlalchemy as sa
from litestar import get, patch
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Field as Column
from sqlmodel import Session, SQLModel, select

import clarion.models  # noqa: F401  # the core's tables and naming convention first  # isort: skip
from clarion.engine import Engine
from clarion.errors import ValidationFailed
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import problems

MAX_PERSONAL_LIMIT = 50


class PersonalDailyLimit(SQLModel, table=True):
    """At most ``daily_limit`` shares a local day on ``network``, by the ambassador's own choice."""

    __tablename__ = "cadence_personal_limit"
    __table_args__ = (sa.CheckConstraint("daily_limit >= 1", name="daily_limit_positive"),)

    ambassador_id: int = Column(
        sa_column=sa.Column(sa.ForeignKey("ambassador.id", ondelete="CASCADE"), primary_key=True)
    )
    network: str = Column(max_length=40, primary_key=True)
    daily_limit: int


TABLES = [PersonalDailyLimit.__table__]  # type: ignore[attr-defined]


def personal_limits(session: Session, ambassador_id: int) -> dict[str, int]:
    rows = session.exec(select(PersonalDailyLimit).where(PersonalDailyLimit.ambassador_id == ambassador_id))
    return {row.network: row.daily_limit for row in rows}


def personal_limit(session: Session, ambassador_id: int, network: str) -> int | None:
    row = session.get(PersonalDailyLimit, (ambassador_id, network))
    return row.daily_limit if row else None


def set_personal_limits(engine: Engine, session: Session, ambassador_id: int, limits: dict[str, int | None]) -> None:
    """Change the caps named in ``limits`` (the others stay); ``None`` removes one (the programme's limit applies)."""
    networks = engine.connectors()
    for network, limit in limits.items():
        if network not in networks:
            raise ValidationFailed(f"unknown network {network!r}", field="limits")
        row = session.get(PersonalDailyLimit, (ambassador_id, network))
        if limit is None:
            if row is not None:
                session.delete(row)
            continue
        if not 1 <= limit <= MAX_PERSONAL_LIMIT:
            raise ValidationFailed(f"a daily limit is between 1 and {MAX_PERSONAL_LIMIT}", field="limits")
        session.add(PersonalDailyLimit(ambassador_id=ambassador_id, network=network, daily_limit=limit))
        if row is not None:
            session.delete(row)
            session.flush()
    session.flush()


Limit = Annotated[int | None, Field(ge=1, le=MAX_PERSONAL_LIMIT)]


class DailyLimits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limits: dict[str, Limit] = Field(
        description="Shares per local day, per network; null removes my own limit.", examples=[{"linkedin": 1}]
    )


class DailyLimitsController(ClarionController):
    path = "/api/v1/me/daily-limits"
    tags = ["me"]

    @get("/", sync_to_thread=True, opt={"role": Role.AMBASSADOR.value}, summary="My daily limits", responses=problems())
    def my_limits(self, engine: EngineDep, actor: ActorDep) -> DailyLimits:
        with engine.transaction() as session:
            return DailyLimits(limits=dict(personal_limits(session, actor.ambassador_id)))

    @patch(
        "/",
        sync_to_thread=True,
        opt={"role": Role.AMBASSADOR.value},
        summary="Set my daily limits",
        description="Lower than the programme's limit to share less often; the lower of the two applies.",
        responses=problems(422),
    )
    def set_limits(self, engine: EngineDep, actor: ActorDep, data: JSONBody[DailyLimits]) -> DailyLimits:
        with engine.transaction() as session:
            set_personal_limits(engine, session, actor.ambassador_id, data.limits)
            return DailyLimits(limits=dict(personal_limits(session, actor.ambassador_id)))
