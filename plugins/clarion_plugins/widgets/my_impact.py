"""The my-impact widget: my shares, clicks, reach, points and why, badges, rank, level progress and a 90-day trend."""

from __future__ import annotations

import base64
from typing import Any

from clarion import hookimpl
from clarion.models import Ambassador
from clarion.services import badges, leaderboards, levels, points
from clarion.services.figures import Interval, Period, Point, Scope, report
from clarion.services.pagination import PageRequest
from clarion.widgets import Widget

PLUGIN_NAME = "widget-my-impact"
TREND_DAYS = 90
CHART_WIDTH = 280
CHART_HEIGHT = 40
FIGURES = ("shares", "clicks_unique", "potential_reach")
RECENT_POINTS = 5  # ledger entries under "recent points and why"
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
    if not engine.settings.leaderboards:
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


def trend_chart(series: list[Point]) -> dict[str, Any]:
    """Shares and clicks per week as two rows of bars, each scaled to its own busiest week."""
    slot = CHART_WIDTH / max(len(series), 1)
    width = round(max(slot * 0.7, 1), 2)
    rows = []
    for kind, values in (
        ("shares", [point.shares for point in series]),
        ("clicks", [point.unique_clicks for point in series]),
    ):
        peak = max([*values, 0])
        bars = []
        for index, (point, value) in enumerate(zip(series, values, strict=True)):
            height = round(value / peak * (CHART_HEIGHT - 2), 2) if peak else 0
            bars.append(
                {
                    "x": round(index * slot + (slot - width) / 2, 2),
                    "y": round(CHART_HEIGHT - height, 2),
                    "width": width,
                    "height": height,
                    "value": value,
                    "start": point.start,
                }
            )
        rows.append({"kind": kind, "bars": bars, "peak": peak, "total": sum(values)})
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "rows": rows, "weeks": len(series)}


def my_impact_context(engine, viewer, settings) -> dict[str, Any]:
    period = Period.checked(None, None, today=engine.clock.today(), default_days=TREND_DAYS)
    scope = Scope(ambassador_id=viewer.ambassador_id)  # only ever the viewer's own figures
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        result = report(engine, session, scope, period, Interval.WEEK, with_participation=False)
        figures = {figure.key: figure for figure in result.figures}
        held_and_awarded = points.balance(session, viewer.ambassador_id)
        progress = levels.level_progress(engine, session, viewer.ambassador_id)
        earned, next_badges = badge_lists(engine, session, viewer.ambassador_id)
        recent = points.ledger(session, viewer, viewer.ambassador_id, PageRequest(RECENT_POINTS)).items
        return {
            "active": ambassador.is_active,
            "period": period,
            "figures": [figures[key] for key in FIGURES],
            "points": held_and_awarded,
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
            "chart": trend_chart(result.series),
            "badges": earned,
            "next_badges": next_badges,
            "leaderboards": engine.settings.leaderboards,
            "standing": month_standing(engine, session, ambassador),
            "recent_points": [
                {
                    "points": line.entry.points,
                    "reason": line.entry.reason,
                    "rule": line.entry.rule,
                    "event": line.event_kind,
                    "when": line.entry.occurred_at,
                    "status": line.entry.status.value,
                }
                for line in recent
            ],
        }


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name="my-impact",
            title="My impact",
            template="widgets/my_impact.html",
            context=my_impact_context,
            cache="private",
            max_age=60,
            settings={},
        )
    ]
