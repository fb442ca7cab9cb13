"""``/api/v1/shares``: create and follow my shares."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import Provide
from litestar.params import FromQuery, JSONBody

from clarion.engine import Engine
from clarion.i18n import localise
from clarion.models import Role, Share, ShareStatus
from clarion.shares import sharing
from clarion.shares.api.shares.schemas import (
    GuardrailWarning,
    ShareCreate,
    ShareCreated,
    ShareOut,
    SharePage,
    ShareReschedule,
    ShareVerify,
)
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath, IdQuery, PageDep, page_meta, page_request, problems
from clarion.web.problems import reader_catalog

AMBASSADOR = {"role": Role.AMBASSADOR.value}


def _out(engine: Engine, share: Share) -> ShareOut:
    return ShareOut.of(share, sharing.tracked_url(engine, share.link_code))


class ShareController(ClarionController):
    path = "/api/v1/shares"
    tags = ["shares"]
    dependencies = {"page": Provide(page_request, sync_to_thread=False)}

    @post(
        "/",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="Share content",
        description=(
            "Checks consent, that the content is open to me, the network's text rules and the guardrails; "
            "returns my tracked link and, for intent shares, the URL that opens the network's composer."
        ),
        responses=problems(404, 409, 422),
    )
    def create_share(
        self, engine: EngineDep, actor: ActorDep, data: JSONBody[ShareCreate], request: Request[Any, Any, Any]
    ) -> ShareCreated:
        catalog = reader_catalog(request)
        with engine.transaction() as session:
            created = sharing.create_share(
                engine,
                session,
                actor,
                content_id=data.content_id,
                network=data.network,
                text=data.text,
                method=data.method,
                scheduled_at=data.scheduled_at,
            )
            out = ShareOut.of(created.share, created.tracked_url)
            return ShareCreated(
                **out.model_dump(),
                share_intent_url=created.share_intent_url,
                warnings=[
                    GuardrailWarning(guardrail=w.guardrail, message=localise(w.message, catalog))
                    for w in created.warnings
                ],
            )

    @get(
        "/",
        sync_to_thread=True,
        opt=AMBASSADOR,
        summary="List my shares",
        description="Admins may pass ambassador_id to list someone else's.",
        responses=problems(422),
    )
    def list_shares(
        self,
        engine: EngineDep,
        actor: ActorDep,
        page: PageDep,
        status: FromQuery[ShareStatus | None] = None,
        network: FromQuery[str | None] = None,
        ambassador_id: IdQuery = None,
    ) -> SharePage:
        with engine.transaction() as session:
            result = sharing.list_shares(
                session, actor, page, status=status, network=network, ambassador_id=ambassador_id
            )
            items = [_out(engine, share) for share in result.items]
            return SharePage(items=items, **page_meta(result))

    @get(
        "/{share_id:int}", sync_to_thread=True, opt=AMBASSADOR, summary="Read one of my shares", responses=problems(404)
    )
    def get_share(self, engine: EngineDep, actor: ActorDep, share_id: IdPath) -> ShareOut:
        with engine.transaction() as session:
            share = sharing.get_share(session, actor, share_id)
            return _out(engine, share)

    @post(
        "/{share_id:int}/cancel",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Cancel a planned or scheduled share",
        responses=problems(404, 409),
    )
    def cancel_share(self, engine: EngineDep, actor: ActorDep, share_id: IdPath) -> ShareOut:
        with engine.transaction() as session:
            share = sharing.cancel_share(session, actor, share_id)
            return _out(engine, share)

    @post(
        "/{share_id:int}/retry",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Publish a failed share of mine again",
        responses=problems(404, 409),
    )
    def retry_share(self, engine: EngineDep, actor: ActorDep, share_id: IdPath) -> ShareOut:
        with engine.transaction() as session:
            share = sharing.retry_share(engine, session, actor, share_id)
            return _out(engine, share)

    @post(
        "/{share_id:int}/reschedule",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Move a scheduled share of mine to another moment",
        description="The guardrails (quiet hours, daily limits) check the new moment.",
        responses=problems(404, 409, 422),
    )
    def reschedule_share(
        self, engine: EngineDep, actor: ActorDep, share_id: IdPath, data: JSONBody[ShareReschedule]
    ) -> ShareOut:
        with engine.transaction() as session:
            share = sharing.reschedule_share(engine, session, actor, share_id, data.scheduled_at)
            return _out(engine, share)

    @post(
        "/{share_id:int}/opened",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Record that I opened an intent share",
        description=(
            "Marks my intent share published (not yet verified) when I open the network's composer; "
            "calling it again changes nothing."
        ),
        responses=problems(404, 409),
    )
    def open_share(self, engine: EngineDep, actor: ActorDep, share_id: IdPath) -> ShareOut:
        with engine.transaction() as session:
            share = sharing.open_share(engine, session, actor, share_id)
            return _out(engine, share)

    @post(
        "/{share_id:int}/verify",
        sync_to_thread=True,
        opt=AMBASSADOR,
        status_code=200,
        summary="Confirm an intent share with the link to my post",
        description="The link must be an https link on the network's own site.",
        responses=problems(404, 409, 422),
    )
    def verify_share(
        self, engine: EngineDep, actor: ActorDep, share_id: IdPath, data: JSONBody[ShareVerify]
    ) -> ShareOut:
        with engine.transaction() as session:
            share = sharing.verify_share(engine, session, actor, share_id, data.post_url)
            return _out(engine, share)
