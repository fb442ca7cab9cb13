"""Analytics reports as the API returns them, and their CSV tables."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainSerializer, PlainValidator

from clarion.metrics.figures import Report
from clarion_plugins.analytics.reports import BreakdownRow


def _number(value: Any) -> int | float | None:
    """A figure as computed: counts stay integers, rates stay fractions (the schema says "number")."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ValueError("a figure is a number or null")
    return value


class FigureOut(BaseModel):
    key: str = Field(examples=["potential_reach"])
    label: str = Field(examples=["Potential reach"])
    # One JSON number (integers included), not integer-or-number: with oneOf an integer matched both.
    value: Annotated[float | None, PlainValidator(_number), PlainSerializer(_number)] = Field(
        description="A number (whole for counts); None when it cannot be computed (e.g. a rate over zero).",
        examples=[12561],
    )
    source: str = Field(
        description="measured (counted by Clarion), reported (by a network), estimated (by the formula) or mixed.",
        examples=["mixed"],
    )
    formula: str = Field(
        examples=["potential reach = the sharer's follower count on the network, read when the share went out"]
    )
    parts: dict[str, int] = Field(
        default_factory=dict,
        description="The value per source, for figures that add up several.",
        examples=[{"reported": 12500, "estimated": 61}],
    )


class PointOut(BaseModel):
    start: date = Field(description="First day of the bucket (UTC).", examples=["2026-11-16"])
    shares: int = Field(examples=[12])
    clicks: int = Field(description="Every request to a tracked link.", examples=[80])
    unique_clicks: int = Field(
        description="Counted clicks (people, external, not the sharer, not repeats).", examples=[41]
    )
    potential_reach: int = Field(examples=[6100])
    engagement: int = Field(examples=[37])
    impressions: int = Field(examples=[2300])


class EmvOut(BaseModel):
    model: str = Field(examples=["cpc"])
    label: str = Field(examples=["Cost per click"])
    currency: str = Field(examples=["USD"])
    amount_minor: int = Field(description="Minor units (cents).", examples=[20500])
    formula: str = Field(examples=["EMV = sum per network (cost per click in USD cents * counted clicks)"])
    rates: dict[str, Any] = Field(examples=[{"linkedin": 500, "default": 100}])


class GoalOut(BaseModel):
    key: str = Field(examples=["shares"])
    target: int = Field(examples=[500])
    actual: int = Field(examples=[212])
    progress: float = Field(description="actual / target.", examples=[0.424])
    source: str = Field(examples=["measured"])
    unit: str = Field(
        description="'count' (shares, clicks, reach) or 'percent' (participation: the percentage of the "
        "campaign's audience who shared, a rate of the campaign, never of one person).",
        examples=["count"],
    )


class ReportOut(BaseModel):
    scope: dict[str, Any] = Field(description="What the report covers.", examples=[{"campaign_id": 3}])
    start: date = Field(examples=["2026-10-24"])
    end: date = Field(examples=["2026-11-22"])
    interval: str = Field(examples=["week"])
    figures: list[FigureOut]
    series: list[PointOut]
    emv: list[EmvOut] = Field(description="Earned media value by every model, each with its rates and currency.")
    goals: list[GoalOut] = Field(default_factory=list, description="Campaign targets against the period's figures.")

    @classmethod
    def of(cls, report: Report, scope: dict[str, Any]) -> ReportOut:
        return cls(
            scope=scope,
            start=report.period.start,
            end=report.period.end,
            interval=report.interval.value,
            figures=[FigureOut(**vars(figure)) for figure in report.figures],
            series=[PointOut(**vars(point)) for point in report.series],
            emv=[EmvOut(**{**vars(value), "rates": dict(value.rates)}) for value in report.emv],
            goals=[
                GoalOut(
                    key=goal.key,
                    target=goal.target,
                    actual=goal.actual,
                    progress=goal.progress,
                    source=goal.source,
                    unit=goal.unit,
                )
                for goal in report.goals
            ],
        )


class BreakdownRowOut(BaseModel):
    key: str | int | None = Field(
        description="The campaign, content or ambassador id, the team or the network.", examples=[3]
    )
    label: str = Field(examples=["Graduate hiring 2027"])
    shares: int = Field(examples=[40])
    ambassadors_sharing: int = Field(examples=[17])
    clicks: int = Field(examples=[300])
    unique_clicks: int = Field(examples=[120])
    bot_clicks: int = Field(examples=[150])
    internal_clicks: int = Field(examples=[20])
    potential_reach: int = Field(examples=[24000])
    potential_reach_source: str = Field(examples=["mixed"])
    engagement: int = Field(examples=[85])
    impressions: int = Field(examples=[5400])


class BreakdownOut(BaseModel):
    by: str = Field(examples=["campaign"])
    start: date = Field(examples=["2026-10-24"])
    end: date = Field(examples=["2026-11-22"])
    sources: dict[str, str] = Field(
        description="Provenance of each column.",
        examples=[{"shares": "measured", "unique_clicks": "measured", "engagement": "reported"}],
    )
    rows: list[BreakdownRowOut]

    @classmethod
    def of(cls, by: str, start: date, end: date, rows: Sequence[BreakdownRow]) -> BreakdownOut:
        return cls(
            by=by,
            start=start,
            end=end,
            sources=BREAKDOWN_SOURCES,
            rows=[BreakdownRowOut(**vars(row)) for row in rows],
        )


BREAKDOWN_SOURCES = {
    "shares": "measured",
    "ambassadors_sharing": "measured",
    "clicks": "measured",
    "unique_clicks": "measured",
    "bot_clicks": "measured",
    "internal_clicks": "measured",
    "potential_reach": "see potential_reach_source: reported follower counts and/or estimated defaults",
    "engagement": "reported (metric increases)",
    "impressions": "reported (metric increases)",
}


def csv_text(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula when opened in a spreadsheet
    return "" if value is None else value


def report_table(report: ReportOut, table: str) -> str:
    """One table of a report as CSV: figures, series, emv or goals."""
    if table == "series":
        names = list(PointOut.model_fields)
        return csv_text(names, [[getattr(point, name) for name in names] for point in report.series])
    if table == "emv":
        names = list(EmvOut.model_fields)
        return csv_text(names, [[getattr(value, name) for name in names] for value in report.emv])
    if table == "goals":
        names = list(GoalOut.model_fields)
        return csv_text(names, [[getattr(goal, name) for name in names] for goal in report.goals])
    header = ["key", "label", "value", "source", "formula", "measured", "reported", "estimated"]
    return csv_text(
        header,
        [
            [figure.key, figure.label, figure.value, figure.source, figure.formula]
            + [figure.parts.get(source) for source in ("measured", "reported", "estimated")]
            for figure in report.figures
        ],
    )


def breakdown_table(breakdown: BreakdownOut) -> str:
    names = list(BreakdownRowOut.model_fields)
    header = [f"{name} ({BREAKDOWN_SOURCES[name]})" if name in BREAKDOWN_SOURCES else name for name in names]
    return csv_text(header, [[getattr(row, name) for name in names] for row in breakdown.rows])
