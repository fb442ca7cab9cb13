"""What gamification adds to the core's my-impact widget: badges, this month's rank and level progress."""

from __future__ import annotations

import base64
from typing import Any

from sqlmodel import Session

from clarion.models import Ambassador
from clarion_plugins.gamification.services import badges, leaderboards, levels
from clarion_plugins.gamification.settings import settings_of

NEXT_BADGES = 2  # unearned badges shown, the closest first


def badge_image(svg: str) -> str:
    """A badge's SVG as a ``data:`` URL for ``<img>``: plugin markup never runs inside the page."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def badge_lists(engine, session, ambassador_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """My earned badges (newest first) and the unearned ones closest to their threshold."""
    progress = badges.badge_progress(engine, session, ambassador_id)
    earned = sorted((item for item in progress if item.earned), key=lambda item: item.earned_at, reverse=True)
    waiting = sorted(
        (item for item in progress if not item.earned),
        key=lambda item: (-item.current / item.badge.threshold, item.badge.threshold),
    )

    def shown(item: badges.BadgeProgress) -> dict[str, Any]:
        return {
            "name": item.badge.name,
            "title": item.badge.title,
            "description": item.badge.description,
            "image": badge_image(item.badge.image_svg),
            "earned_at": item.earned_at,
            "current": min(item.current, item.badge.threshold),
            "threshold": item.badge.threshold,
            "missing": max(item.badge.threshold - item.current, 0),
        }

    return [shown(item) for item in earned], [shown(item) for item in waiting[:NEXT_BADGES]]


def month_standing(engine, session, ambassador: Ambassador) -> dict[str, Any] | None:
    """My rank on this month's company board; None when leaderboards are off or I have no points this month."""
    if not settings_of(engine).leaderboards:
        return None
    board = leaderboards.leaderboard(
        session, period="month", limit=1, viewer_id=ambassador.id, today=engine.clock.today()
    )
    if board.me is None:
        return None
    return {
        "rank": board.me.rank,
        "ranked": board.ranked,
        "top_percent": max(1, -(-100 * board.me.rank // board.ranked)),
        "hidden": not ambassador.leaderboard_visible,
    }


def my_impact_additions(engine: Any, viewer: Any, session: Session) -> dict[str, Any]:
    """The my-impact widget's level, criteria, badges and standing for ``viewer``."""
    ambassador = session.get(Ambassador, viewer.ambassador_id)
    assert ambassador is not None
    progress = levels.level_progress(engine, session, viewer.ambassador_id)
    earned, next_badges = badge_lists(engine, session, viewer.ambassador_id)
    return {
        "level": progress.level.value,
        "next_level": progress.next_level.value if progress.next_level else None,
        "promotion_only": progress.promotion_only,
        "criteria": [
            {
                "name": criterion.name,
                "required": criterion.required,
                "current": min(criterion.current, criterion.required),
                "met": criterion.met,
                "missing": max(criterion.required - criterion.current, 0),
            }
            for criterion in progress.criteria
        ],
        "badges": earned,
        "next_badges": next_badges,
        "leaderboards": settings_of(engine).leaderboards,
        "standing": month_standing(engine, session, ambassador),
    }
