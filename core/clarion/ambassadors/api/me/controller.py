"""``/api/v1/me``: the calling ambassador's profile, consent, accounts, feed and history."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter
from litestar.response import Redirect
from sqlmodel import Session

from clarion.actors import Actor
from clarion.ambassadors import accounts as account_service
from clarion.ambassadors import ambassadors as ambassador_service
from clarion.ambassadors.api.ambassadors.schemas import AccountOut, AmbassadorOut
from clarion.ambassadors.api.me.schemas import (
    AccountCreate,
    ConnectOut,
    ConnectRequest,
    ConsentChange,
    EraseRequest,
    EventOut,
    FeedPage,
    MeOut,
    MeUpdate,
)
from clarion.connectors import AuthKind
from clarion.content import content as content_service
from clarion.content import guidelines
from clarion.content.api.content.schemas import ContentOut
from clarion.engine import Engine
from clarion.errors import NotAuthenticated, ValidationFailed
from clarion.event_log import list_events
from clarion.models import Ambassador, Role
from clarion.web.auth import PUBLIC, ActorDep, ClarionController, EngineDep, authenticate
from clarion.web.common import MAX_ID, IdPath, IdQuery, PageDep, page_meta, page_request, problems

AMBASSADOR = {"role": Role.AMBASSADOR.value}
NetworkPath = Annotated[str, PathParameter(min_length=1, max_length=40)]
CallbackValue = Annotated[str | None, QueryParameter(max_length=2000)]
# ``state`` is a reserved handler argument in Litestar: the query parameter arrives under another name.
StateQuery = Annotated[str | None, QueryParameter(name="state", max_length=2000)]


def _caller_id(engine: Engine, request: Request[Any, Any, Any]) -> int | None:
    """Who the browser says it is on the OAuth callback, if it says anything at all."""
    try:
        return authenticate(engine, request).ambassador_id
    except NotAuthenticated:
        return None


def _me(engine: Engine, session: Session, actor: Actor) -> MeOut:
    ambassador = session.get(Ambassador, actor.ambassador_id)
    assert ambassador is not None
    accounts = ambassador_service.list_accounts(session, actor, actor.ambassador_id)
    return MeOut(
        profile=AmbassadorOut.of(ambassador),
        accounts=[AccountOut.of(account) for account in accounts],
        current_guidelines_version=guidelines.current_version(engine, session),
    )


class MeController(ClarionController):
    path = "/api/v1/me"
    tags = ["me"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @get("/", sync_to_thread=True, opt=AMBASSADOR, summary="My profile, consent and accounts", responses=problems())
    def me(self, engine: EngineDep, actor: ActorDep) -> MeOut:
        with engine.transaction() as session:
            return _me(engine, session, actor)

    @delete(
        "/",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=204,
        summary="Erase my account and my data",
        description=(
            "Every plugin erases its rows about you; you stay in totals only as a pseudonym, and your tracked "
            "links keep working for readers but score nothing. Cannot be undone. Export first (`/me/export`)."
        ),
        responses=problems(409, 422),
    )
    def erase_me(self, engine: EngineDep, actor: ActorDep, data: JSONBody[EraseRequest]) -> None:
        ambassador_service.erase_ambassador(engine, actor.ambassador_id)

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
        account_service.disconnect(engine, actor, account_id)

    @post(
        "/accounts/connect/{network:str}",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Connect an account for API publishing",
        description=(
            "OAuth networks answer with the consent page to open (`authorize_url`); the network then "
            "sends the browser to the callback. App-password networks (Bluesky) take `identifier` and "
            "`password` and answer with the connected account."
        ),
        responses=problems(404, 422),
    )
    def connect(
        self, engine: EngineDep, actor: ActorDep, network: NetworkPath, data: JSONBody[ConnectRequest]
    ) -> ConnectOut:
        if engine.connector(network).auth_kind is AuthKind.APP_PASSWORD:
            if data.identifier is None or data.password is None:
                raise ValidationFailed("identifier and password are required", field="identifier")
            account = account_service.connect_with_password(
                engine, actor, network, identifier=data.identifier, password=data.password, instance=data.instance
            )
            return ConnectOut(authorize_url=None, account=AccountOut.of(account))
        url = account_service.start_connect(engine, actor, network, instance=data.instance, return_to=data.return_to)
        return ConnectOut(authorize_url=url, account=None)

    @get(
        "/accounts/connect/{network:str}/callback",
        sync_to_thread=True,
        opt={"role": PUBLIC},
        summary="Where the network sends the browser back",
        description=(
            "Reached by the ambassador's browser, so the stored `state` (single use, 10 minutes) says who "
            "connects, not a token; a browser that does identify itself must be that person. Redirects "
            "(303) to the `return_to` given when connecting, else answers with the account."
        ),
        responses=problems(404, 422),
    )
    def connect_callback(
        self,
        engine: EngineDep,
        request: Request[Any, Any, Any],
        network: NetworkPath,
        oauth_state: StateQuery = None,
        code: CallbackValue = None,
        error: CallbackValue = None,
        error_description: CallbackValue = None,
    ) -> Response[AccountOut]:
        params = {
            name: value
            for name, value in (("code", code), ("error", error), ("error_description", error_description))
            if value is not None
        }
        connected = account_service.finish_connect(
            engine, network, oauth_state or "", params, caller_ambassador_id=_caller_id(engine, request)
        )
        if connected.return_to:
            return Redirect(path=connected.return_to, status_code=303)
        return Response(content=AccountOut.of(connected.account))

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
