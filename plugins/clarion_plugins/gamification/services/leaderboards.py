"""Leaderboards: the top of a board and where the caller stands, for a period, a scope and a ranking.

Every board reads one row per person from ``period_points``: calendar periods are kept there with
the ledger, and rolling and campaign windows from the first time a board asks for them. No board
reads the ledger. Ties: the higher score first, then whoever reached it
first (the earlier last day on which their total changed), then the lower ambassador id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from clarion import inputs
from clarion.clock import utctoday
from clarion.errors import NotFound, ValidationFailed
from clarion.models import Ambassador, Campaign, Content, NetworkAccount, Share
from clarion_plugins.gamification.models import (
    ALL_TIME_START,
    Challenge,
    ChallengeKind,
    ChallengeMeasure,
    PeriodKind,
    PeriodPoints,
)
from clarion_plugins.gamification.services import challenges as challenge_service
from clarion_plugins.gamification.services.periods import keep_window, period_end, period_start, window_key

ROLLING_DAYS = 30
MAX_LIMIT = 100
# Audience-normalised score: points * AUDIENCE_UNIT / (AUDIENCE_UNIT + followers).
AUDIENCE_UNIT = 1000


class RankBy(StrEnum):
    POINTS = "points"
    AVERAGE_PER_ACTIVE_MEMBER = "average_per_active_member"  # a board of teams
    AUDIENCE_NORMALISED = "audience_normalised"


@dataclass(frozen=True)
class Window:
    """The days a board counts: a calendar period, or any window of days (end exclusive)."""

    period: str
    starts_on: date | None
    ends_on: date | None
    calendar: PeriodKind | None = None
    # A challenge window ranks the challenge's measure; individual challenges rank those who joined.
    challenge: Challenge | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class Scope:
    text: str
    department: str | None = None
    team: str | None = None
    campaign_id: int | None = None


@dataclass(frozen=True)
class Standing:
    """One line of a board: an ambassador, or a team when ranking teams."""

    rank: int
    points: int
    score: float
    ambassador_id: int | None = None
    name: str | None = None
    team: str | None = None
    department: str | None = None
    active_members: int | None = None


@dataclass(frozen=True)
class Board:
    window: Window
    scope: Scope
    rank_by: RankBy
    ranked: int  # how many are on the board (positive score, visible to the caller)
    top: list[Standing]
    me: Standing | None  # the caller, or the caller's team; None when not on the board

    @property
    def percentile(self) -> float | None:
        """Percentage of the board at or below the caller's rank (100 for the top)."""
        if self.me is None or not self.ranked:
            return None
        return round(100 * (self.ranked - self.me.rank + 1) / self.ranked, 1)


def _campaign(session: Session, campaign_id: str, field: str) -> Campaign:
    try:
        campaign = session.get(Campaign, inputs.parse_digits(campaign_id, field, low=1))
    except ValidationFailed:
        raise ValidationFailed(
            f"{field}: a campaign id is a positive number, not {campaign_id!r}", field=field
        ) from None
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return campaign


def _day(moment: datetime | None) -> date | None:
    return inputs.clamp(moment).date() if moment is not None else None


def parse_window(session: Session, period: str, today: date) -> Window:
    """``week|month|quarter|year|all`` (the current one), ``rolling30``, ``campaign:<id>`` or ``challenge:<id>``.

    A challenge window ranks the challenge's measure over its exact window (points by the UTC days it touches).
    """
    if period in {kind.value for kind in PeriodKind}:
        kind = PeriodKind(period)
        starts_on = period_start(kind, today)
        return Window(period, starts_on if kind is not PeriodKind.ALL else None, period_end(kind, starts_on), kind)
    if period == f"rolling{ROLLING_DAYS}":
        return Window(period, today - timedelta(days=ROLLING_DAYS - 1), today + timedelta(days=1))
    name, _, value = period.partition(":")
    if name == "campaign":
        campaign = _campaign(session, value, "period")
        ends_on = _day(campaign.ends_at)
        return Window(period, _day(campaign.starts_at), ends_on + timedelta(days=1) if ends_on else None)
    if name == "challenge":
        try:
            challenge_id = inputs.parse_digits(value, "period", low=1)
        except ValidationFailed:
            raise ValidationFailed(
                f"period: a challenge id is a positive number, not {value!r}", field="period"
            ) from None
        challenge = challenge_service.get_challenge(session, challenge_id, archived=False)
        starts_on, ends_on = challenge_service.window_days(challenge)
        return Window(period, starts_on, ends_on, challenge=challenge)
    raise ValidationFailed(
        f"period must be week, month, quarter, year, all, rolling{ROLLING_DAYS}, campaign:<id> or challenge:<id>,"
        f" not {period!r}",
        field="period",
    )


def month_window(month: str) -> Window:
    """The calendar month ``YYYY-MM``."""
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", month)
    if match is None or not 1 <= int(match[2]) <= 12 or not 1970 <= int(match[1]) <= inputs.MAX_YEAR:
        raise ValidationFailed(f"month must look like 2026-03, not {month!r}", field="month")
    starts_on = date(int(match[1]), int(match[2]), 1)
    return Window(month, starts_on, period_end(PeriodKind.MONTH, starts_on), PeriodKind.MONTH)


def parse_scope(session: Session, scope: str) -> Scope:
    """``company``, ``department:<name>``, ``team:<name>`` or ``campaign:<id>``."""
    if scope == "company":
        return Scope(scope)
    name, separator, value = scope.partition(":")
    if separator and value.strip():
        if name == "department":
            return Scope(scope, department=value)
        if name == "team":
            return Scope(scope, team=value)
        if name == "campaign":
            return Scope(scope, campaign_id=_campaign(session, value, "scope").id)
    raise ValidationFailed(
        f"scope must be company, department:<name>, team:<name> or campaign:<id>, not {scope!r}", field="scope"
    )


def _totals(session: Session, window: Window, today: date) -> Any:
    """Per ambassador: points in the window and the last day their total changed, positive totals only.

    Calendar periods are kept in ``period_points``; any other window is kept there too once asked for.
    """
    challenge = window.challenge
    if challenge is not None and challenge.measure is not ChallengeMeasure.POINTS:
        # Shares, verified shares or counted clicks over the exact window (participation ranks shares).
        figures = challenge_service.totals(challenge).subquery("figures")
        return sa.select(
            figures.c.ambassador_id.label("ambassador_id"),
            figures.c.value.label("points"),
            figures.c.last.label("last_day"),
        ).subquery("totals")
    if window.calendar is not None:
        period, starts_on = window.calendar.value, window.starts_on or ALL_TIME_START
    else:
        keep_window(session.get_bind(), window.starts_on, window.ends_on, today)
        period, starts_on = window_key(window.starts_on, window.ends_on)
    return (
        sa.select(
            col(PeriodPoints.ambassador_id).label("ambassador_id"),
            col(PeriodPoints.points).label("points"),
            col(PeriodPoints.last_day).label("last_day"),
        )
        .where(
            col(PeriodPoints.period) == period,
            col(PeriodPoints.starts_on) == starts_on,
            col(PeriodPoints.points) > 0,
        )
        .subquery("totals")
    )


def _people(scope: Scope, viewer_id: int | None, *, everyone: bool, window: Window | None = None) -> list[Any]:
    """Conditions on ``ambassador``: in scope, not gone, and visible (or the viewer) unless ``everyone``."""
    conditions: list[Any] = [col(Ambassador.left_at).is_(None)]
    challenge = window.challenge if window is not None else None
    if challenge is not None and challenge.kind is ChallengeKind.INDIVIDUAL:
        assert challenge.id is not None
        conditions.append(col(Ambassador.id).in_(challenge_service.participants_query(challenge.id)))
    if not everyone:
        visible = col(Ambassador.leaderboard_visible).is_(True)
        conditions.append(sa.or_(visible, col(Ambassador.id) == viewer_id) if viewer_id is not None else visible)
    if scope.department is not None:
        conditions.append(col(Ambassador.department) == scope.department)
    if scope.team is not None:
        conditions.append(col(Ambassador.team) == scope.team)
    if scope.campaign_id is not None:
        sharers = (
            sa.select(col(Share.ambassador_id))
            .join(Content, col(Content.id) == col(Share.content_id))
            .where(col(Content.campaign_id) == scope.campaign_id)
        )
        conditions.append(col(Ambassador.id).in_(sharers))
    return conditions


def _count_people(
    session: Session, totals: Any, scope: Scope, window: Window, viewer_id: int | None, *where: Any
) -> int:
    """How many lines of ``totals`` matching ``where`` are on the board.

    On a company board this is every total minus those of people gone or hidden (a few): counting
    through the ambassador table instead reads one row of it per line, which is what made a
    100,000-person board slow.
    """
    scoped = scope.department is not None or scope.team is not None or scope.campaign_id is not None
    if scoped or window.challenge is not None:
        people = (
            sa.select(totals.c.ambassador_id)
            .join(Ambassador, col(Ambassador.id) == totals.c.ambassador_id)
            .where(*_people(scope, viewer_id, everyone=False, window=window), *where)
            .subquery("counted")
        )
        return int(session.execute(sa.select(sa.func.count()).select_from(people)).scalar_one())
    hidden: Any = col(Ambassador.leaderboard_visible).is_not(True)
    if viewer_id is not None:
        hidden = sa.and_(hidden, col(Ambassador.id) != viewer_id)
    off_board = sa.select(col(Ambassador.id)).where(sa.or_(col(Ambassador.left_at).is_not(None), hidden))
    everyone = session.execute(sa.select(sa.func.count()).select_from(totals).where(*where)).scalar_one()
    excluded = session.execute(
        sa.select(sa.func.count()).select_from(totals).where(*where, totals.c.ambassador_id.in_(off_board))
    ).scalar_one()
    return int(everyone) - int(excluded)


def _individuals_by_points(
    session: Session, board: dict[str, Any], viewer_id: int | None, limit: int, today: date
) -> Board:
    """Ranked by points: the top by a limited sort, my rank by counting who is ahead; no window over everyone.

    Numbering every line of a 100,000-person board costs a full sort per request; a top-N sort
    and two counts read the same rows without one.
    """
    totals = _totals(session, board["window"], today)
    people = (
        sa.select(
            totals.c.ambassador_id,
            totals.c.points,
            totals.c.last_day,
            totals.c.points.label("score"),
            col(Ambassador.name),
            col(Ambassador.team),
            col(Ambassador.department),
        )
        .join(Ambassador, col(Ambassador.id) == totals.c.ambassador_id)
        .where(*_people(board["scope"], viewer_id, everyone=False, window=board["window"]))
        .subquery("people")
    )
    order = (people.c.points.desc(), people.c.last_day, people.c.ambassador_id)
    top_rows = session.execute(sa.select(people).order_by(*order).limit(limit)).all()
    top = [_standing(row, position) for position, row in enumerate(top_rows, start=1)]
    scope = board["scope"]
    count = len(top) if len(top) < limit else _count_people(session, totals, scope, board["window"], viewer_id)
    me = next((line for line in top if line.ambassador_id == viewer_id), None)
    if me is None and viewer_id is not None:
        mine = session.execute(sa.select(people).where(people.c.ambassador_id == viewer_id)).first()
        if mine is not None:
            ahead = sa.or_(
                totals.c.points > mine.points,
                sa.and_(totals.c.points == mine.points, totals.c.last_day < mine.last_day),
                sa.and_(
                    totals.c.points == mine.points,
                    totals.c.last_day == mine.last_day,
                    totals.c.ambassador_id < mine.ambassador_id,
                ),
            )
            before = _count_people(session, totals, scope, board["window"], viewer_id, ahead)
            me = _standing(mine, before + 1)
    return Board(**board, ranked=count, top=top, me=me)


def _individuals(session: Session, board: dict[str, Any], viewer_id: int | None, limit: int, today: date) -> Board:
    if board["rank_by"] is RankBy.POINTS:
        return _individuals_by_points(session, board, viewer_id, limit, today)
    totals = _totals(session, board["window"], today)
    if board["rank_by"] is RankBy.AUDIENCE_NORMALISED:
        followers = (
            sa.select(
                col(NetworkAccount.ambassador_id).label("ambassador_id"),
                sa.func.sum(NetworkAccount.follower_count).label("followers"),
            )
            .group_by(col(NetworkAccount.ambassador_id))
            .subquery("followers")
        )
        audience = sa.func.coalesce(followers.c.followers, 0)
        score: Any = sa.cast(totals.c.points, sa.Float) * AUDIENCE_UNIT / (audience + AUDIENCE_UNIT)
    else:
        followers, score = None, totals.c.points
    query = sa.select(
        totals.c.ambassador_id,
        totals.c.points,
        totals.c.last_day,
        score.label("score"),
        col(Ambassador.name),
        col(Ambassador.team),
        col(Ambassador.department),
    ).join(Ambassador, col(Ambassador.id) == totals.c.ambassador_id)
    if followers is not None:
        query = query.outerjoin(followers, followers.c.ambassador_id == totals.c.ambassador_id)
    # One pass: number every line in board order, then keep the top and the viewer's line.
    people = query.where(*_people(board["scope"], viewer_id, everyone=False, window=board["window"])).subquery("people")
    ranked = sa.select(
        people,
        sa.func.row_number()
        .over(order_by=(people.c.score.desc(), people.c.last_day, people.c.ambassador_id))
        .label("position"),
        sa.func.count().over().label("ranked"),
    ).subquery("ranked")
    wanted = ranked.c.position <= limit
    if viewer_id is not None:
        wanted = sa.or_(wanted, ranked.c.ambassador_id == viewer_id)
    rows = session.execute(sa.select(ranked).where(wanted).order_by(ranked.c.position)).all()
    count = int(rows[0].ranked) if rows else 0
    top = [_standing(row, int(row.position)) for row in rows if row.position <= limit]
    mine = next((row for row in rows if row.ambassador_id == viewer_id), None)
    me = _standing(mine, int(mine.position)) if mine is not None else None
    return Board(**board, ranked=count, top=top, me=me)


def _standing(row: Any, rank: int) -> Standing:
    return Standing(
        rank=rank,
        points=int(row.points),
        score=round(float(row.score), 2),
        ambassador_id=row.ambassador_id,
        name=row.name,
        team=row.team,
        department=row.department,
    )


def _teams(session: Session, board: dict[str, Any], viewer_id: int | None, limit: int, today: date) -> Board:
    totals = _totals(session, board["window"], today)
    # Hidden members still add to their team's total: a team line names nobody.
    members = (
        sa.select(col(Ambassador.team).label("team"), totals.c.points)
        .join(Ambassador, col(Ambassador.id) == totals.c.ambassador_id)
        .where(col(Ambassador.team).is_not(None), *_people(board["scope"], None, everyone=True, window=board["window"]))
        .subquery("members")
    )
    teams = sa.select(
        members.c.team,
        sa.func.sum(members.c.points).label("points"),
        sa.func.count().label("active_members"),
        (sa.cast(sa.func.sum(members.c.points), sa.Float) / sa.func.count()).label("score"),
    ).group_by(members.c.team)
    rows = session.execute(teams).all()
    ordered = sorted(rows, key=lambda row: (-float(row.score), -int(row.points), row.team))
    standings = [
        Standing(
            rank=rank,
            points=int(row.points),
            score=round(float(row.score), 2),
            team=row.team,
            active_members=int(row.active_members),
        )
        for rank, row in enumerate(ordered, start=1)
    ]
    me = None
    if viewer_id is not None:
        my_team = session.get(Ambassador, viewer_id)
        me = next((line for line in standings if my_team is not None and line.team == my_team.team), None)
    return Board(**board, ranked=len(standings), top=standings[:limit], me=me)


def leaderboard(
    session: Session,
    *,
    period: str = "month",
    scope: str = "company",
    rank_by: RankBy = RankBy.POINTS,
    limit: int = 25,
    viewer_id: int | None,
    today: date | None = None,
    window: Window | None = None,
) -> Board:
    """The top ``limit`` of a board and the viewer's own line (their team's, for team boards).

    Hidden ambassadors appear only on their own board; ``viewer_id=None`` shows visible ambassadors only.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    today = today or utctoday()
    board: dict[str, Any] = {
        "window": window or parse_window(session, period, today),
        "scope": parse_scope(session, scope),
        "rank_by": rank_by,
    }
    if rank_by is RankBy.AVERAGE_PER_ACTIVE_MEMBER:
        if board["scope"].team is not None:
            raise ValidationFailed(
                "average_per_active_member ranks teams: use a company, department or campaign scope", field="rank_by"
            )
        return _teams(session, board, viewer_id, limit, today)
    return _individuals(session, board, viewer_id, limit, today)


def employee_of_the_month(session: Session, month: str) -> Standing | None:
    """The top of the month's company board among visible ambassadors, or None if nobody scored."""
    board = leaderboard(session, viewer_id=None, limit=1, window=month_window(month))
    return board.top[0] if board.top else None


def default_month(today: date | None = None) -> str:
    """The last complete month, as ``YYYY-MM``."""
    first = (today or utctoday()).replace(day=1)
    previous = first - timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"
