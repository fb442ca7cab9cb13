"""The leaderboard widget: a board the viewer can switch between periods and scopes, with their own place on it."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

from clarion import inputs
from clarion.errors import BadRequest, NotFound
from clarion.models import Ambassador, Campaign, utcnow
from clarion.widgets import Widget
from clarion_plugins.gamification.services import leaderboards
from clarion_plugins.gamification.services.leaderboards import MAX_LIMIT, ROLLING_DAYS, RankBy
from clarion_plugins.gamification.settings import settings_of

PLUGIN_NAME = "widget-leaderboard"
PERIODS = ("week", "month", "quarter", "year", "all", f"rolling{ROLLING_DAYS}")
SCOPES = ("company", "department", "team", "campaign")
CAMPAIGN_CHOICES = 5  # running campaigns offered in the scope picker, newest first
SETTINGS: dict[str, Any] = {
    "period": "month",
    "scope": "company",
    "rank_by": RankBy.POINTS.value,
    "limit": 10,
    "campaign_id": None,
    "choices": True,
}


def _checked(settings: dict[str, Any]) -> tuple[str, str, RankBy, int]:
    period, scope, rank_by, limit = settings["period"], settings["scope"], settings["rank_by"], settings["limit"]
    if period not in PERIODS:
        raise BadRequest(f"period must be one of {', '.join(PERIODS)}, not {period!r}", field="period")
    kind, _, campaign = scope.partition(":")
    if kind not in SCOPES or (campaign and (kind != "campaign" or not inputs.DIGITS.fullmatch(campaign))):
        raise BadRequest(
            f"scope must be company, department, team, campaign or campaign:<id>, not {scope!r}", field="scope"
        )
    if rank_by not in {item.value for item in RankBy}:
        choices = ", ".join(item.value for item in RankBy)
        raise BadRequest(f"rank_by must be one of {choices}, not {rank_by!r}", field="rank_by")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    if kind == "team" and rank_by == RankBy.AVERAGE_PER_ACTIVE_MEMBER:
        raise BadRequest("a board of teams cannot be limited to one team: choose another scope", field="scope")
    return period, scope, RankBy(rank_by), limit


def _campaigns(session, chosen_id: int | None) -> list[Campaign]:
    """Campaigns running now (newest first), plus the chosen one if it is not among them."""
    now = utcnow()
    running = list(
        session.exec(
            select(Campaign)
            .where(
                sa.or_(col(Campaign.starts_at).is_(None), col(Campaign.starts_at) <= now),
                sa.or_(col(Campaign.ends_at).is_(None), col(Campaign.ends_at) > now),
            )
            .order_by(col(Campaign.id).desc())
            .limit(CAMPAIGN_CHOICES)
        )
    )
    if chosen_id is not None and all(campaign.id != chosen_id for campaign in running):
        chosen = session.get(Campaign, chosen_id)
        if chosen is None:
            raise NotFound(f"campaign {chosen_id} not found", field="scope")
        running.insert(0, chosen)
    return running


def _board_scope(scope: str, me: Ambassador, campaign_id: int | None) -> tuple[str | None, int | None]:
    """The service's scope for the widget's choice, and the campaign it names; None when I have no such group."""
    kind, _, value = scope.partition(":")
    if kind == "company":
        return "company", None
    if kind == "department":
        return (f"department:{me.department}" if me.department else None), None
    if kind == "team":
        return (f"team:{me.team}" if me.team else None), None
    chosen = int(value) if value else campaign_id
    if chosen is None:
        raise BadRequest("scope campaign needs the campaign_id setting, or name it as campaign:<id>", field="scope")
    return f"campaign:{chosen}", chosen


def top_percent(rank: int, ranked: int) -> int:
    """ "Top N %": the smallest whole percentage of the board that includes this rank."""
    return max(1, math.ceil(100 * rank / ranked))


def leaderboard_context(engine, viewer, settings) -> dict[str, Any]:
    period, scope, rank_by, limit = _checked(settings)
    base: dict[str, Any] = {"period": period, "scope": scope, "rank_by": rank_by.value}
    if not settings_of(engine).leaderboards:
        return {**base, "disabled": True}
    with engine.transaction() as session:
        me = session.get(Ambassador, viewer.ambassador_id)
        assert me is not None  # an authenticated viewer is an ambassador
        board_scope, campaign_id = _board_scope(scope, me, settings["campaign_id"])
        campaigns = _campaigns(session, campaign_id)
        choices = [("company", None), ("department", me.department), ("team", me.team)]
        scope_choices = [
            {"value": kind, "kind": kind, "name": name}
            for kind, name in choices
            if kind == "company" or (name and not (kind == "team" and rank_by is RankBy.AVERAGE_PER_ACTIVE_MEMBER))
        ] + [{"value": f"campaign:{campaign.id}", "kind": "campaign", "name": campaign.name} for campaign in campaigns]
        chosen_value = f"campaign:{campaign_id}" if campaign_id is not None else scope
        board = None
        if board_scope is not None:
            board = leaderboards.leaderboard(
                session,
                period=period,
                scope=board_scope,
                rank_by=rank_by,
                limit=limit,
                viewer_id=viewer.ambassador_id,
                today=engine.clock.now().date(),
            )
        me_line = board.me if board is not None else None
        return {
            **base,
            "disabled": False,
            "teams": rank_by is RankBy.AVERAGE_PER_ACTIVE_MEMBER,
            "board": board,
            "missing_group": board_scope is None,  # I am in no department (or team) to show
            "hidden": not me.leaderboard_visible,
            "me_id": viewer.ambassador_id,
            "my_team": me.team,
            "me_in_top": me_line is not None and me_line.rank <= limit,
            "top_percent": top_percent(me_line.rank, board.ranked) if board is not None and me_line else None,
            "periods": PERIODS,
            "scope_choices": scope_choices,
            "chosen_scope": chosen_value,
            "campaign": next((campaign for campaign in campaigns if campaign.id == campaign_id), None),
            # Settings the picker does not show travel along as hidden fields, so a switch keeps them.
            "kept": {
                name: value
                for name, value in settings.items()
                if name not in {"period", "scope"} and value is not None and value != SETTINGS[name]
            },
        }


WIDGET = Widget(
    name="leaderboard",
    title="Leaderboard",
    template="widgets/leaderboard.html",
    context=leaderboard_context,
    cache="private",
    max_age=60,
    settings=SETTINGS,
)
