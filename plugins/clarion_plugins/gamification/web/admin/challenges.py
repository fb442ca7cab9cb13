"""``/admin/challenges``: editors set up challenges and follow their progress and results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect
from sqlmodel import Session, select

from clarion.errors import ClarionError
from clarion.models import Campaign
from clarion.pagination import PageRequest
from clarion.web.admin import forms, kit
from clarion.web.admin.kit import EDITOR, EDITOR_FORM, PAGE_SIZE, Form, Offset, Viewer
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath
from clarion.web.problems import status_for
from clarion_plugins.gamification.models import Challenge, ChallengeKind, ChallengeMeasure
from clarion_plugins.gamification.services import challenges as challenge_service

MOMENT = "%Y-%m-%dT%H:%M"


def _values(challenge: Challenge) -> dict[str, Any]:
    return {
        "title": challenge.title,
        "description": challenge.description,
        "kind": challenge.kind.value,
        "measure": challenge.measure.value,
        "target": challenge.target,
        "topic": challenge.topic or "",
        "campaign_id": str(challenge.campaign_id or ""),
        "network": challenge.network or "",
        "starts_at": challenge.starts_at.strftime(MOMENT),
        "ends_at": challenge.ends_at.strftime(MOMENT),
        "reward": challenge.reward or "",
        "image_url": challenge.image_url or "",
    }


def challenge_fields(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the challenge form says, as :func:`clarion_plugins.gamification.services.challenges.create_challenge` takes it."""
    target = forms.optional_count(form, "target")
    return {
        "title": forms.text(form, "title", max_length=200, required=True),
        "description": forms.text(form, "description", max_length=5000),
        "kind": forms.choice(form, "kind", ChallengeKind),
        "measure": forms.choice(form, "measure", ChallengeMeasure),
        "target": target,
        "topic": forms.optional_text(form, "topic", max_length=64),
        "campaign_id": forms.optional_id(form, "campaign_id"),
        "network": forms.optional_text(form, "network", max_length=40),
        "starts_at": forms.optional_moment(form, "starts_at"),
        "ends_at": forms.optional_moment(form, "ends_at"),
        "reward": forms.optional_text(form, "reward", max_length=500),
        "image_url": forms.optional_text(form, "image_url", max_length=2048),
    }


class AdminChallengeController(ClarionController):
    path = "/admin/challenges"
    include_in_schema = False
    exception_handlers = {
        ClarionError: kit.on_clarion_error,
        ValidationException: kit.on_bad_request,
        HTTPException: kit.on_http_error,
    }

    @get("/", sync_to_thread=True, opt=EDITOR)
    def challenge_list(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], offset: Offset = 0
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            page = challenge_service.list_challenges(session, PageRequest(PAGE_SIZE, offset))
            statuses = {item.id: challenge_service.status_of(item).value for item in page.items}
        return kit.page(request, viewer, "admin/challenge_list.html", page=page, statuses=statuses)

    def _form(
        self,
        request: Request[Any, Any, Any],
        viewer: Viewer,
        session: Session,
        *,
        challenge: Challenge | None,
        values: Mapping[str, Any],
        error: ClarionError | None = None,
    ) -> Response[str]:
        campaigns = {item.id: item for item in session.exec(select(Campaign).order_by(Campaign.name)).all()}
        outcome = live = None
        if challenge is not None:
            outcome = challenge_service.results(session, challenge)
            if outcome.frozen:  # corrections after freezing show here, never in the results
                live = {
                    (line.ambassador_id, line.team): line for line in challenge_service.live_lines(session, challenge)
                }
        return kit.page(
            request,
            viewer,
            "admin/challenge_form.html",
            200 if error is None else status_for(error),
            challenge=challenge,
            challenge_status=challenge_service.status_of(challenge).value if challenge is not None else None,
            final_at=challenge_service.results_due(challenge) if challenge is not None else None,
            results=outcome,
            live=live,
            values=values,
            error=error,
            kinds=list(ChallengeKind),
            measures=list(ChallengeMeasure),
            campaigns=campaigns,
        )

    @get("/new", sync_to_thread=True, opt=EDITOR)
    def challenge_new(self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any]) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            defaults = {"kind": "individual", "measure": "shares"}
            return self._form(request, viewer, session, challenge=None, values=defaults)

    @post("/new", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def challenge_create(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], data: Form
    ) -> Response[Any]:
        form = kit.checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                challenge_id = challenge_service.create_challenge(
                    session, actor, challenge_fields(form), networks=engine.connectors()
                ).id
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = kit.viewer_of(engine, session, actor)
                return self._form(request, viewer, session, challenge=None, values=form, error=exc)
        return Redirect(path=f"/admin/challenges/{challenge_id}?saved=1", status_code=303)

    @get("/{challenge_id:int}", sync_to_thread=True, opt=EDITOR)
    def challenge_edit(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], challenge_id: IdPath
    ) -> Response[str]:
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            challenge = challenge_service.get_challenge(session, challenge_id)
            return self._form(request, viewer, session, challenge=challenge, values=_values(challenge))

    @post("/{challenge_id:int}", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def challenge_update(
        self, engine: EngineDep, actor: ActorDep, request: Request[Any, Any, Any], challenge_id: IdPath, data: Form
    ) -> Response[Any]:
        form = kit.checked_form(engine, actor, data)
        try:
            with engine.transaction() as session:
                shown = _values(challenge_service.get_challenge(session, challenge_id))
                # Fields left as shown are not changes: the form shows times to the minute only.
                changes = {
                    name: value
                    for name, value in challenge_fields(form).items()
                    if str(form.get(name, "")).strip() != str(shown[name])
                }
                challenge_service.update_challenge(session, actor, challenge_id, changes, networks=engine.connectors())
        except ClarionError as exc:
            with engine.transaction() as session:
                viewer = kit.viewer_of(engine, session, actor)
                challenge = challenge_service.get_challenge(session, challenge_id)
                return self._form(request, viewer, session, challenge=challenge, values=form, error=exc)
        return Redirect(path=f"/admin/challenges/{challenge_id}?saved=1", status_code=303)

    @post("/{challenge_id:int}/archive", sync_to_thread=True, opt=EDITOR_FORM, status_code=303)
    def challenge_archive(self, engine: EngineDep, actor: ActorDep, challenge_id: IdPath, data: Form) -> Response[Any]:
        kit.checked_form(engine, actor, data)
        kit.transact(engine, lambda session: challenge_service.archive_challenge(session, actor, challenge_id))
        return Redirect(path="/admin/challenges", status_code=303)
