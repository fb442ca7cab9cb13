"""The my-impact widget: my shares, clicks, reach, points, level progress and a 90-day trend."""

from __future__ import annotations

from typing import Any

from clarion import hookimpl
from clarion.models import Ambassador, utcnow
from clarion.services import analytics, levels, points
from clarion.services.analytics import Interval, Period, Scope
from clarion.widgets import Widget

PLUGIN_NAME = "widget-my-impact"
TREND_DAYS = 90
CHART_WIDTH = 280
CHART_HEIGHT = 40
FIGURES = ("shares", "clicks_unique", "potential_reach")


def trend_chart(series: list[analytics.Point]) -> dict[str, Any]:
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
    period = Period.checked(None, None, today=utcnow().date(), default_days=TREND_DAYS)
    scope = Scope(ambassador_id=viewer.ambassador_id)  # only ever the viewer's own figures
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        result = analytics.report(engine, session, scope, period, Interval.WEEK, with_participation=False)
        figures = {figure.key: figure for figure in result.figures}
        held_and_awarded = points.balance(session, viewer.ambassador_id)
        progress = levels.level_progress(engine, session, viewer.ambassador_id)
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
