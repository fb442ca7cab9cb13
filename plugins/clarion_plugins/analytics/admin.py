"""``/admin/analytics``: the programme's dashboards, with drill-downs per campaign, team, network and content.

Every figure comes from the services the analytics API calls (:mod:`clarion_plugins.analytics.reports`),
with the same role rule (editors and admins), so page and API cannot disagree; the tables link to
the API's CSV export, which the admin session cookie opens like any safe request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from babel.dates import format_date
from babel.numbers import format_compact_decimal, format_currency, format_decimal
from litestar import Request, Response, get
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import PathParameter, QueryParameter
from sqlmodel import Session

from clarion import inputs
from clarion.engine import Engine
from clarion.errors import ClarionError
from clarion.metrics import figures
from clarion.metrics.figures import MAX_PERIOD_DAYS, Goal, Interval, Period, Report, Scope
from clarion.models import Campaign, Content
from clarion.web.admin import kit
from clarion.web.admin.kit import EDITOR, Viewer
from clarion.web.auth import ActorDep, ClarionController, EngineDep
from clarion.web.common import IdPath
from clarion_plugins.analytics import reports
from clarion_plugins.analytics.charts import Series, bar, column_chart
from clarion_plugins.analytics.reports import BreakdownRow, Dimension
from clarion_plugins.analytics.trends import Trends, goals_per_campaign, trends

OVERVIEW_DAYS = 90
# Rows a breakdown table shows (most shares first); its CSV has them all.
TABLE_ROWS = 25
BREAKDOWNS = (Dimension.CAMPAIGN, Dimension.TEAM, Dimension.NETWORK, Dimension.CONTENT)
RawDate = Annotated[str | None, QueryParameter(max_length=40)]
RawInterval = Annotated[str | None, QueryParameter(max_length=40)]
TeamPath = Annotated[str, PathParameter(min_length=1, max_length=120)]
NetworkPath = Annotated[str, PathParameter(min_length=1, max_length=40)]
# The counts of the report's series that get a chart, in the order shown.
SERIES_CHARTS = ("shares", "unique_clicks", "potential_reach")


class RangeError(Exception):
    """The range form is wrong; ``code`` picks the message the page shows, ``field`` the input marked."""

    def __init__(self, code: str, field: str) -> None:
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class RangeForm:
    """The range form as sent (for showing it again) and, when it was valid, what it means."""

    start: str
    end: str
    interval: str
    period: Period | None = None
    error: RangeError | None = None

    @property
    def query(self) -> str:
        """The range as a query string, for links that keep it."""
        if self.period is None:
            return ""
        return urlencode(
            {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(), "interval": self.interval}
        )


def parse_range(
    raw_start: str | None, raw_end: str | None, raw_interval: str | None, today: date, days: int
) -> RangeForm:
    """Reads the range form; the last ``days`` days up to today by default, weekly buckets.

    Returns a form with ``error`` set, instead of raising, so the page can show it again.
    """
    start_text, end_text = (raw_start or "").strip(), (raw_end or "").strip()
    interval_text = (raw_interval or "").strip() or Interval.WEEK.value
    RangeForm(start_text, end_text, interval_text)
    try:
        end = _date(end_text, "to") if end_text else today
        start = _date(start_text, "from") if start_text else end - timedelta(days=days - 1)
        if interval_text not in {interval.value for interval in Interval}:
            raise RangeError("interval", "interval")
        if end < start:
            raise RangeError("order", "to")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise RangeError("too_long", "from")
    except RangeError as error:
        return RangeForm(start_text, end_text, interval_text, error=error)
    period = Period.checked(start, end, today=today)
    return RangeForm(start.isoformat(), end.isoformat(), interval_text, period=period)


def _date(text: str, name: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise RangeError(f"bad_{name}", name) from None
    try:
        return inputs.check_day(day, name)
    except ClarionError:
        raise RangeError("years", name) from None


@dataclass(frozen=True)
class Chart:
    """A chart as the page shows it: the SVG, its data and what a sentence about it needs."""

    key: str
    svg: Any
    rows: list[tuple[str, str]]  # (the bucket's first day, the value), as the viewer's language writes them
    peak: tuple[str, str] | None
    latest: str
    total: str | None  # None for figures that do not add up across buckets (people sharing)
    title_args: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Breakdown:
    """One breakdown table: its rows, the longest bar, where each row leads and the CSV."""

    by: str
    rows: list[BreakdownRow]
    total_rows: int
    most_shares: int
    csv_url: str
    links: dict[Any, str]
    labels: dict[Any, str]
    goals: dict[Any, list[Goal]] = field(default_factory=dict)


class Formats:
    """Numbers, money and days written the way the viewer's language writes them."""

    def __init__(self, language: str) -> None:
        self.language = language
        # Babel parses a pattern on every call; a chart writes the same days and values many times.
        self.number = cache(self.number)  # type: ignore[method-assign]
        self.axis = cache(self.axis)  # type: ignore[method-assign]
        self.money = cache(self.money)  # type: ignore[method-assign]
        self.money_axis = cache(self.money_axis)  # type: ignore[method-assign]
        self.day = cache(self.day)  # type: ignore[method-assign]
        self.short_day = cache(self.short_day)  # type: ignore[method-assign]

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.language)

    def axis(self, value: float) -> str:
        return format_compact_decimal(value, locale=self.language, fraction_digits=1)

    def money(self, minor: float, currency: str) -> str:
        return format_currency(minor / 100, currency, locale=self.language)

    def money_axis(self, minor: float, currency: str) -> str:
        """Whole units from one unit up (an axis label must stay short), cents below."""
        if abs(minor) < 100:
            return self.money(minor, currency)
        return format_currency(minor / 100, currency, format="¤#,##0", locale=self.language, currency_digits=False)

    def day(self, value: date) -> str:
        return format_date(value, format="medium", locale=self.language)

    def short_day(self, value: date) -> str:
        return format_date(value, format="d MMM yy", locale=self.language)


def _chart(
    key: str,
    starts: Sequence[date],
    values: Sequence[float],
    write: Callable[[float], str],
    formats: Formats,
    *,
    additive: bool = True,
    axis: Callable[[float], str] | None = None,
    **title_args: str,
) -> Chart:
    series = Series(starts, values)
    peak = series.peak
    return Chart(
        key=key,
        svg=column_chart(
            series,
            labelled_by=f"chart-{key}-title chart-{key}-summary",
            format_value=axis or formats.axis,
            format_day=formats.short_day,
        ),
        rows=[(formats.day(start), write(value)) for start, value in zip(starts, values, strict=True)],
        peak=(formats.day(peak[0]), write(peak[1])) if peak else None,
        latest=write(values[-1]) if values else write(0),
        total=write(series.total) if additive else None,
        title_args=dict(title_args),
    )


def charts(report: Report, found: Trends, formats: Formats) -> list[Chart]:
    """Shares, counted clicks, potential reach, people sharing, and EMV per model and currency."""
    starts = [point.start for point in report.series]
    made = [
        _chart(name, starts, [getattr(point, name) for point in report.series], formats.number, formats)
        for name in SERIES_CHARTS
    ]
    made.append(
        _chart("ambassadors_sharing", found.starts, found.ambassadors_sharing, formats.number, formats, additive=False)
    )
    for position, emv in enumerate(found.emv):
        made.append(
            _chart(
                f"emv-{position}",
                found.starts,
                emv.amounts,
                partial(formats.money, currency=emv.currency),
                formats,
                axis=partial(formats.money_axis, currency=emv.currency),
                model=emv.label,
                currency=emv.currency,
            )
        )
    return made


def _drill_links(by: Dimension, rows: Sequence[BreakdownRow], query: str) -> dict[Any, str]:
    paths = {
        Dimension.CAMPAIGN: "campaigns",
        Dimension.TEAM: "teams",
        Dimension.NETWORK: "networks",
        Dimension.CONTENT: "content",
    }
    return {
        row.key: f"/admin/analytics/{paths[by]}/{quote(str(row.key), safe='')}?{query}"
        for row in rows
        if row.key is not None and by in paths
    }


def _row_labels(engine: Engine, by: Dimension, rows: Sequence[BreakdownRow]) -> dict[Any, str]:
    if by is Dimension.NETWORK:
        connectors = engine.connectors()
        return {row.key: connectors[row.key].label if row.key in connectors else row.label for row in rows}
    return {row.key: row.label for row in rows}


def breakdown_table(
    engine: Engine,
    session: Session,
    scope: Scope,
    form: RangeForm,
    by: Dimension,
    *,
    with_goals: bool = False,
) -> Breakdown:
    assert form.period is not None
    every_row = reports.breakdown(session, scope, form.period, by)
    rows = every_row[:TABLE_ROWS]
    query = {"by": by.value, "from": form.period.start.isoformat(), "to": form.period.end.isoformat()}
    for name in ("campaign_id", "team", "network"):
        if getattr(scope, name) is not None:
            query[name] = str(getattr(scope, name))
    goals: dict[Any, list[Goal]] = {}
    if with_goals:
        goals = dict(
            goals_per_campaign(session, scope, form.period, [int(row.key) for row in rows if row.key is not None])
        )
    return Breakdown(
        by=by.value,
        rows=rows,
        total_rows=len(every_row),
        most_shares=max((row.shares for row in rows), default=0),
        csv_url=f"/api/v1/analytics/breakdown?{urlencode({**query, 'format': 'csv'})}",
        links=_drill_links(by, rows, form.query),
        labels=_row_labels(engine, by, rows),
        goals=goals,
    )


class AdminAnalyticsController(ClarionController):
    path = "/admin/analytics"
    include_in_schema = False
    exception_handlers = {
        ClarionError: kit.on_clarion_error,
        ValidationException: kit.on_bad_request,
        HTTPException: kit.on_http_error,
    }

    @get("/", sync_to_thread=True, opt=EDITOR)
    def overview(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
        interval: RawInterval = None,
    ) -> Response[str]:
        return self._render(engine, actor, request, Scope(), "programme", start, end, interval)

    @get("/campaigns/{campaign_id:int}", sync_to_thread=True, opt=EDITOR)
    def campaign(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        campaign_id: IdPath,
        start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
        interval: RawInterval = None,
    ) -> Response[str]:
        scope = Scope(campaign_id=campaign_id)
        return self._render(engine, actor, request, scope, "campaign", start, end, interval)

    @get("/teams/{team:str}", sync_to_thread=True, opt=EDITOR)
    def team(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        team: TeamPath,
        start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
        interval: RawInterval = None,
    ) -> Response[str]:
        return self._render(engine, actor, request, Scope(team=team), "team", start, end, interval)

    @get("/networks/{network:str}", sync_to_thread=True, opt=EDITOR)
    def network(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        network: NetworkPath,
        start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
        interval: RawInterval = None,
    ) -> Response[str]:
        return self._render(engine, actor, request, Scope(network=network), "network", start, end, interval)

    @get("/content/{content_id:int}", sync_to_thread=True, opt=EDITOR)
    def content(
        self,
        engine: EngineDep,
        actor: ActorDep,
        request: Request[Any, Any, Any],
        content_id: IdPath,
        start: Annotated[str | None, QueryParameter(name="from", max_length=40)] = None,
        end: Annotated[str | None, QueryParameter(name="to", max_length=40)] = None,
        interval: RawInterval = None,
    ) -> Response[str]:
        scope = Scope(content_id=content_id)
        return self._render(engine, actor, request, scope, "content", start, end, interval)

    def _render(
        self,
        engine: Engine,
        actor: Any,
        request: Request[Any, Any, Any],
        scope: Scope,
        kind: str,
        start: str | None,
        end: str | None,
        interval: str | None,
    ) -> Response[str]:
        form = parse_range(start, end, interval, engine.clock.now().date(), OVERVIEW_DAYS)
        with engine.transaction() as session:
            viewer = kit.viewer_of(engine, session, actor)
            # The API's rule: programme-wide figures are for editors and admins (and unknown scopes are 404).
            reports.check_scope(engine, session, actor, scope)
            context: dict[str, Any] = {
                "form": form,
                "kind": kind,
                "scope": scope,
                "title": self._title(engine, session, scope),
                "max_days": MAX_PERIOD_DAYS,
                "years": (inputs.MIN_YEAR, inputs.MAX_YEAR),
                "intervals": [value.value for value in Interval],
            }
            if form.period is None:
                return kit.page(request, viewer, "admin/analytics.html", 400, **context)
            context.update(self._figures(engine, session, viewer, scope, kind, form))
        return kit.page(request, viewer, "admin/analytics.html", **context)

    @staticmethod
    def _title(engine: Engine, session: Session, scope: Scope) -> str:
        if scope.campaign_id is not None:
            campaign = session.get(Campaign, scope.campaign_id)
            return campaign.name if campaign is not None else str(scope.campaign_id)
        if scope.content_id is not None:
            content = session.get(Content, scope.content_id)
            return content.title if content is not None else str(scope.content_id)
        if scope.network is not None:
            return engine.connector(scope.network).label
        return scope.team or ""

    @staticmethod
    def _figures(
        engine: Engine, session: Session, viewer: Viewer, scope: Scope, kind: str, form: RangeForm
    ) -> dict[str, Any]:
        assert form.period is not None
        interval = Interval(form.interval)
        report = figures.report(engine, session, scope, form.period, interval)
        found = trends(engine, session, scope, form.period, interval)
        formats = Formats(viewer.language)
        api = _api_path(scope)
        base = {"from": form.period.start.isoformat(), "to": form.period.end.isoformat(), "interval": interval.value}
        csv = {
            table: f"{api}?{urlencode({**base, 'format': 'csv', 'table': table})}"
            for table in ("figures", "series", "emv", "goals")
        }
        if kind == "programme":
            breakdowns = [
                breakdown_table(engine, session, scope, form, by, with_goals=by is Dimension.CAMPAIGN)
                for by in BREAKDOWNS
            ]
        elif kind in {"campaign", "team"}:
            # Breakdowns filter by campaign, team or network only (as the API's do).
            breakdowns = [breakdown_table(engine, session, scope, form, Dimension.NETWORK)]
        else:
            breakdowns = []
        return {
            "report": report,
            "figures": {figure.key: figure for figure in report.figures},
            "charts": charts(report, found, formats),
            "breakdowns": breakdowns,
            "csv": csv,
            "bar": bar,
            "fmt": formats,
        }


def _api_path(scope: Scope) -> str:
    if scope.campaign_id is not None:
        return f"/api/v1/analytics/campaigns/{scope.campaign_id}"
    if scope.content_id is not None:
        return f"/api/v1/analytics/content/{scope.content_id}"
    if scope.team is not None:
        return f"/api/v1/analytics/teams/{quote(scope.team, safe='')}"
    if scope.network is not None:
        return f"/api/v1/analytics/networks/{quote(scope.network, safe='')}"
    return "/api/v1/analytics/programme"
