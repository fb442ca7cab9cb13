"""``/api/v1/me``: the calling ambassador's profile, consent, accounts, feed and history."""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody, QueryParameter
from sqlmodel import Session

from clarion.engine import Engine
from clarion.models import Ambassador, Role
from clarion.services import ambassadors as ambassador_service
from clarion.services import content as content_service
from clarion.services.actors import Actor
from clarion.services.events import list_events
from clarion.web.ambassadors.schemas import AccountOut, AmbassadorOut
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import MAX_ID, IdPath, IdQuery, PageDep, page_meta, page_request, problems
from clarion.web.content.schemas import ContentOut
from clarion.web.me.schemas import AccountCreate, ConsentChange, EventOut, FeedPage, MeOut, MeUpdate

AMBASSADOR = {"role": Role.AMBASSADOR.value}


def _me(engine: Engine, session: Session, actor: Actor) -> MeOut:
    ambassador = session.get(Ambassador, actor.ambassador_id)
    assert ambassador is not None
    accounts = ambassador_service.list_accounts(session, actor, actor.ambassador_id)
    return MeOut(
        profile=AmbassadorOut.of(ambassador),
        accounts=[AccountOut.of(account) for account in accounts],
        current_guidelines_version=engine.settings.guidelines_version,
    )


class MeController(ClarionController):
    path = "/api/v1/me"
    tags = ["me"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @get("/", sync_to_thread=True, opt=AMBASSADOR, summary="My profile, consent and accounts", responses=problems())
    def me(self, engine: EngineDep, actor: ActorDep) -> MeOut:
        with engine.transaction() as session:
            return _me(engine, session, actor)

    @patch("/", sync_to_thread=True, opt=AMBASSADOR, summary="Change my preferences", responses=problems(422))
    def update_me(self, engine: EngineDep, actor: ActorDep, data: JSONBody[MeUpdate]) -> MeOut:
        with engine.transaction() as session:
            ambassador_service.update_ambassador(
                session, actor, actor.ambassador_id, data.model_dump(exclude_unset=True)
            )
            return _me(engine, session, actor)

    @post(
        "/consent",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Opt in, pause, resume or leave",
        description="Participation is voluntary: opting in means accepting the current guidelines version.",
        responses=problems(409, 422),
    )
    def consent(self, engine: EngineDep, actor: ActorDep, data: JSONBody[ConsentChange]) -> MeOut:
        with engine.transaction() as session:
            ambassador_service.change_consent(
                engine, session, actor, data.action, guidelines_version=data.guidelines_version
            )
            return _me(engine, session, actor)

    @get("/accounts", sync_to_thread=True, opt=AMBASSADOR, summary="My network accounts", responses=problems())
    def accounts(self, engine: EngineDep, actor: ActorDep) -> list[AccountOut]:
        with engine.transaction() as session:
            return [AccountOut.of(a) for a in ambassador_service.list_accounts(session, actor, actor.ambassador_id)]

    @post(
        "/accounts", sync_to_thread=True, opt=AMBASSADOR, summary="Add a network account", responses=problems(409, 422)
    )
    def add_account(self, engine: EngineDep, actor: ActorDep, data: JSONBody[AccountCreate]) -> AccountOut:
        with engine.transaction() as session:
            account = ambassador_service.add_account(
                engine, session, actor, network=data.network, handle=data.handle, follower_count=data.follower_count
            )
            return AccountOut.of(account)

    @delete(
        "/accounts/{account_id:int}",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Remove a network account",
        responses=problems(404),
    )
    def remove_account(self, engine: EngineDep, actor: ActorDep, account_id: IdPath) -> None:
        with engine.transaction() as session:
            ambassador_service.remove_account(session, actor, account_id)

    @get(
        "/feed",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="What I may share now",
        description="Approved, inside its window and targeted to me; featured first. Empty until I opt in.",
        responses=problems(422),
    )
    def feed(
        self,
        engine: EngineDep,
        actor: ActorDep,
        page: PageDep,
        topic: FromQuery[str | None] = None,
        campaign_id: IdQuery = None,
    ) -> FeedPage:
        with engine.transaction() as session:
            result = content_service.shareable_content(session, actor, page, topic=topic, campaign_id=campaign_id)
            return FeedPage(items=[ContentOut.of(item) for item in result.items], **page_meta(result))

    @get(
        "/events",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="My event history",
        description="Everything recorded about me, oldest first; page with after_id.",
        responses=problems(),
    )
    def events(
        self,
        engine: EngineDep,
        actor: ActorDep,
        after_id: Annotated[int, QueryParameter(ge=0, le=MAX_ID)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[EventOut]:
        with engine.transaction() as session:
            return [
                EventOut.of(event)
                for event in list_events(session, ambassador_id=actor.ambassador_id, after_id=after_id, limit=limit)
            ]
