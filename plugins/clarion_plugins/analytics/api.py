"""``/api/v1/analytics`` for editors and admins, ``/api/v1/me/analytics`` for every ambassador.

Every report reads the daily rollups only. Add ``?format=csv`` for a CSV table (``table=``
figures, series, emv or goals for reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from litestar import Response, get
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import PathParameter, QueryParameter

from clarion.metrics.figures import Interval, Period, Scope
from clarion.models import Role
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import MAX_ID, IdPath, problems
from clarion_plugins.analytics import reports
from clarion_plugins.analytics.reports import Dimension
from clarion_plugins.analytics.schemas import BreakdownOut, ReportOut, breakdown_table, report_table

CSV_MEDIA_TYPE = "text/csv"
AMBASSADOR = {"role": Role.AMBASSADOR.value}
EDITOR = {"role": Role.EDITOR.value}
MY_TREND_DAYS = 90


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"


class Table(StrEnum):
    FIGURES = "figures"
    SERIES = "series"
    EMV = "emv"
    GOALS = "goals"


StartQuery = Annotated[
    date | None, QueryParameter(name="from", description="First UTC day (default: 30 days before `to`).")
]
EndQuery = Annotated[date | None, QueryParameter(name="to", description="Last UTC day, included (default: today).")]
IntervalQuery = Annotated[Interval, QueryParameter(description="Time series buckets: day, week (ISO) or month.")]
FormatQuery = Annotated[Format, QueryParameter(description="json, or csv for a spreadsheet.")]
TableQuery = Annotated[Table, QueryParameter(description="With format=csv: which table of the report.")]
TeamPath = Annotated[str, PathParameter(min_length=1, max_length=120)]
NetworkPath = Annotated[str, PathParameter(min_length=1, max_length=40)]

REPORT_DESCRIPTION = (
    "Every figure says where it comes from: measured (counted by Clarion), reported (by a network) or "
    "estimated (by the formula given). With `format=csv` the answer is a `text/csv` attachment."
)


@dataclass
class JsonOrCsvOperation(Operation):
    """An analytics operation: its 200 answer is JSON, or a CSV table with ``format=csv``."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content[CSV_MEDIA_TYPE] = OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, description="With format=csv: the table as CSV (UTF-8).")
            )


def csv_response(text: str, filename: str) -> Any:
    return Response(
        text,
        media_type=CSV_MEDIA_TYPE,  # Litestar adds "; charset=utf-8" itself
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _today(engine: Any) -> date:
    return engine.clock.today()


def _report(
    engine: Any,
    actor: Any,
    scope: Scope,
    name: str,
    start: date | None,
    end: date | None,
    interval: Interval,
    output: Format,
    table: Table,
    default_days: int = 30,
) -> Any:
    period = Period.checked(start, end, today=_today(engine), default_days=default_days)
    with engine.transaction() as session:
        result = reports.scoped_report(engine, session, actor, scope, period, interval)
    described = {key: value for key, value in vars(scope).items() if value is not None}
    out = ReportOut.of(result, described)
    if output is Format.CSV:
        return csv_response(
            report_table(out, table.value), f"clarion-{name}-{table.value}-{period.start}-{period.end}.csv"
        )
    return out


class AnalyticsController(ClarionController):
    path = "/api/v1/analytics"
    tags = ["analytics"]

    @get(
        "/programme",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=EDITOR,
        summary="The whole programme's figures",
        description=REPORT_DESCRIPTION,
        responses=problems(422),
    )
    def programme(
        self,
        engine: EngineDep,
        actor: ActorDep,
        start: StartQuery = None,
        end: EndQuery = None,
        interval: IntervalQuery = Interval.DAY,
        format: FormatQuery = Format.JSON,
        table: TableQuery = Table.FIGURES,
    ) -> ReportOut:
        return _report(engine, actor, Scope(), "programme", start, end, interval, format, table)

    @get(
        "/campaigns/{campaign_id:int}",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=EDITOR,
        summary="A campaign's figures and its goals against the period's actuals",
        description=REPORT_DESCRIPTION,
        responses=problems(404, 422),
    )
    def campaign(
        self,
        engine: EngineDep,
        actor: ActorDep,
        campaign_id: IdPath,
        start: StartQuery = None,
        end: EndQuery = None,
        interval: IntervalQuery = Interval.DAY,
        format: FormatQuery = Format.JSON,
        table: TableQuery = Table.FIGURES,
    ) -> ReportOut:
        scope = Scope(campaign_id=campaign_id)
        return _report(engine, actor, scope, f"campaign-{campaign_id}", start, end, interval, format, table)

    @get(
        "/content/{content_id:int}",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=EDITOR,
        summary="A content item's figures",
        description=REPORT_DESCRIPTION,
        responses=problems(404, 422),
    )
    def content(
        self,
        engine: EngineDep,
        actor: ActorDep,
        content_id: IdPath,
        start: StartQuery = None,
        end: EndQuery = None,
        interval: IntervalQuery = Interval.DAY,
        format: FormatQuery = Format.JSON,
        table: TableQuery = Table.FIGURES,
    ) -> ReportOut:
        scope = Scope(content_id=content_id)
        return _report(engine, actor, scope, f"content-{content_id}", start, end, interval, format, table)

    @get(
        "/teams/{team:str}",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=EDITOR,
        summary="A team's figures; participation counts the team's opted-in ambassadors",
        description=REPORT_DESCRIPTION,
        responses=problems(404, 422),
    )
    def team(
        self,
        engine: EngineDep,
        actor: ActorDep,
        team: TeamPath,
        start: StartQuery = None,
        end: EndQuery = None,
        interval: IntervalQuery = Interval.DAY,
        format: FormatQuery = Format.JSON,
        table: TableQuery = Table.FIGURES,
    ) -> ReportOut:
        return _report(engine, actor, Scope(team=team), "team", start, end, interval, format, table)

    @get(
        "/networks/{network:str}",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=EDITOR,
        summary="A network's figures",
        description=REPORT_DESCRIPTION,
        responses=problems(404, 422),
    )
    def network(
        self,
        engine: EngineDep,
        actor: ActorDep,
        network: NetworkPath,
        start: StartQuery = None,
        end: EndQuery = None,
        interval: IntervalQuery = Interval.DAY,
        format: FormatQuery = Format.JSON,
        table: TableQuery = Table.FIGURES,
    ) -> ReportOut:
        scope = Scope(network=network)
        return _report(engine, actor, scope, f"network-{network}", start, end, interval, format, table)

    @get(
        "/ambassadors/{ambassador_id:int}",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=EDITOR,
        summary="One ambassador's figures (they see the same in /api/v1/me/analytics)",
        description=REPORT_DESCRIPTION,
        responses=problems(404, 422),
    )
    def ambassador(
        self,
        engine: EngineDep,
        actor: ActorDep,
        ambassador_id: IdPath,
        start: StartQuery = None,
        end: EndQuery = None,
        interval: IntervalQuery = Interval.DAY,
        format: FormatQuery = Format.JSON,
        table: TableQuery = Table.FIGURES,
    ) -> ReportOut:
        scope = Scope(ambassador_id=ambassador_id)
        return _report(engine, actor, scope, f"ambassador-{ambassador_id}", start, end, interval, format, table)

    @get(
        "/breakdown",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=EDITOR,
        summary="Figures per campaign, content, team, network or ambassador",
        description="A table of the period's figures per value of `by`, most shares first. `format=csv` for a file.",
        responses=problems(404, 422),
    )
    def breakdown(
        self,
        engine: EngineDep,
        actor: ActorDep,
        by: Annotated[Dimension, QueryParameter(description="What each row is.")],
        start: StartQuery = None,
        end: EndQuery = None,
        campaign_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="Only this campaign.")] = None,
        team: Annotated[str | None, QueryParameter(min_length=1, max_length=120, description="Only this team.")] = None,
        network: Annotated[
            str | None, QueryParameter(min_length=1, max_length=40, description="Only this network.")
        ] = None,
        format: FormatQuery = Format.JSON,
    ) -> BreakdownOut:
        period = Period.checked(start, end, today=_today(engine))
        scope = Scope(campaign_id=campaign_id, team=team, network=network)
        with engine.transaction() as session:
            rows = reports.scoped_breakdown(engine, session, actor, scope, period, by)
        out = BreakdownOut.of(by.value, period.start, period.end, rows)
        if format is Format.CSV:
            return csv_response(breakdown_table(out), f"clarion-by-{by.value}-{period.start}-{period.end}.csv")
        return out


class MyAnalyticsController(ClarionController):
    path = "/api/v1/me/analytics"
    tags = ["me"]

    @get(
        "/",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=AMBASSADOR,
        summary="My shares, clicks, reach and trend (the last 90 days by default)",
        description=REPORT_DESCRIPTION,
        responses=problems(422),
    )
    def mine(
        self,
        engine: EngineDep,
        actor: ActorDep,
        start: StartQuery = None,
        end: EndQuery = None,
        interval: IntervalQuery = Interval.DAY,
        format: FormatQuery = Format.JSON,
        table: TableQuery = Table.FIGURES,
    ) -> ReportOut:
        scope = Scope(ambassador_id=actor.ambassador_id)
        return _report(engine, actor, scope, "my", start, end, interval, format, table, MY_TREND_DAYS)

    @get(
        "/content",
        sync_to_thread=True,
        operation_class=JsonOrCsvOperation,
        opt=AMBASSADOR,
        summary="How the content I wrote or suggested travelled, per item",
        description="Everyone's shares of your content, with clicks, reach and engagement. `format=csv` for a file.",
        responses=problems(422),
    )
    def authored(
        self,
        engine: EngineDep,
        actor: ActorDep,
        start: StartQuery = None,
        end: EndQuery = None,
        format: FormatQuery = Format.JSON,
    ) -> BreakdownOut:
        period = Period.checked(start, end, today=_today(engine), default_days=MY_TREND_DAYS)
        with engine.transaction() as session:
            rows = reports.authored_breakdown(session, actor, period)
        out = BreakdownOut.of(Dimension.CONTENT.value, period.start, period.end, rows)
        if format is Format.CSV:
            return csv_response(breakdown_table(out), f"clarion-my-content-{period.start}-{period.end}.csv")
        return out
