"""The my-impact widget: my shares, clicks, reach, points and why, and a 90-day trend.

Plugins add to it through ``clarion_widget_context_compute``: the gamification plugin adds badges,
this month's rank and level progress, and the template leaves those parts out without it.
"""

from __future__ import annotations

from typing import Any

from clarion import hookimpl
from clarion.metrics.figures import Interval, Period, Point, Scope, report
from clarion.models import Ambassador
from clarion.pagination import PageRequest
from clarion.points import points
from clarion.widgets import Widget

PLUGIN_NAME = "widget-my-impact"
WIDGET_NAME = "my-impact"
TREND_DAYS = 90
CHART_WIDTH = 280
CHART_HEIGHT = 40
FIGURES = ("shares", "clicks_unique", "potential_reach")
RECENT_POINTS = 5  # ledger entries under "recent points and why"


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
        recent = points.ledger(session, viewer, viewer.ambassador_id, PageRequest(RECENT_POINTS)).items
        # Without a plugin adding them, the level, badges and rank parts are left out.
        context: dict[str, Any] = {
            "level": None,
            "badges": None,
            "next_badges": [],
            "leaderboards": False,
            "standing": None,
        }
        context |= {
            "active": ambassador.is_active,
            "period": period,
            "figures": [figures[key] for key in FIGURES],
            "points": held_and_awarded,
            "chart": trend_chart(result.series),
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
        context |= engine.widget_context(WIDGET_NAME, viewer, session)
        return context


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name=WIDGET_NAME,
            title="My impact",
            template="widgets/my_impact.html",
            context=my_impact_context,
            cache="private",
            max_age=60,
            settings={},
        )
    ]
