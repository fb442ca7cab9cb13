"""Challenges: editors set time-boxed goals; ambassadors opt in; progress, qualification and frozen results.

Taking part is voluntary. An individual challenge counts only people who joined it; a team challenge
counts the opted-in members of every team and shows team lines only, never who did not take part.

Progress reads indexed tables (``share``, ``click``, ``daily_points``) with one grouped query per
question. Results are live until ``ends_at + RESULTS_GRACE`` (late verifications and click corrections
still count), then frozen into ``challenge_result``: later corrections change the live figures an
editor sees next to the frozen ones, never the results.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion import audit, inputs
from clarion.actors import Actor
from clarion.errors import Conflict, NotFound, ValidationFailed
from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.models import (
    Ambassador,
    Campaign,
    Click,
    Content,
    ContentTopic,
    DailyPoints,
    Role,
    Share,
    ShareStatus,
    utcnow,
)
from clarion.pagination import Page, PageRequest, paginate
from clarion_plugins.gamification.models import (
    Challenge,
    ChallengeKind,
    ChallengeMeasure,
    ChallengeParticipant,
    ChallengeResult,
)

if TYPE_CHECKING:
    from clarion.engine import Engine

RESULTS_GRACE = timedelta(days=7)  # live results until then: late verifications and corrections still count
RECENTLY_ENDED = timedelta(days=30)  # how long an ended challenge stays on an ambassador's list
MAX_TARGET = 1_000_000
FIELDS = (
    "title",
    "description",
    "kind",
    "measure",
    "target",
    "topic",
    "campaign_id",
    "network",
    "starts_at",
    "ends_at",
    "reward",
    "image_url",
)
NOT_NULL = {"title", "description", "kind", "measure", "target", "starts_at", "ends_at"}


class ChallengeStatus(StrEnum):
    UPCOMING = "upcoming"
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True)
class Line:
    """Progress of one participant (``ambassador_id``) or one team (``team`` and ``members``)."""

    progress: int
    qualified: bool
    ambassador_id: int | None = None
    name: str | None = None
    team: str | None = None
    members: int | None = None


@dataclass(frozen=True)
class Results:
    """Who or which teams reached the target; ``frozen`` once the grace period is over."""

    challenge: Challenge
    frozen: bool
    lines: list[Line]

    @property
    def qualified(self) -> list[Line]:
        return [line for line in self.lines if line.qualified]


def status_of(challenge: Challenge, now: datetime | None = None) -> ChallengeStatus:
    now = now or utcnow()
    if now < challenge.starts_at:
        return ChallengeStatus.UPCOMING
    if now < challenge.ends_at:
        return ChallengeStatus.ACTIVE
    return ChallengeStatus.ENDED


def results_due(challenge: Challenge) -> datetime:
    """When the results freeze."""
    return inputs.clamp(challenge.ends_at) + RESULTS_GRACE


# -- checks ---------------------------------------------------------------------------------------


def _check(
    session: Session,
    values: Mapping[str, Any],
    current: Challenge | None = None,
    *,
    networks: Collection[str] | None = None,
) -> None:
    def value(name: str) -> Any:
        return values[name] if name in values else getattr(current, name, None)

    for name in NOT_NULL:
        if name in values and values[name] is None:
            raise ValidationFailed(f"{name} cannot be null", field=name)
    if current is None:
        for name in ("title", "kind", "measure", "target", "starts_at", "ends_at"):
            if values.get(name) is None:
                raise ValidationFailed(f"{name} is required", field=name)
    if "title" in values and not str(values["title"]).strip():
        raise ValidationFailed("title must not be empty", field="title")
    try:
        kind, measure = ChallengeKind(value("kind")), ChallengeMeasure(value("measure"))
    except ValueError as exc:
        raise ValidationFailed(f"unknown kind or measure: {exc}", field="measure") from None
    target = value("target")
    if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= MAX_TARGET:
        raise ValidationFailed(f"target must be a whole number from 1 to {MAX_TARGET}", field="target")
    if measure is ChallengeMeasure.PARTICIPATION:
        if kind is not ChallengeKind.TEAM:
            raise ValidationFailed(
                "participation is a team measure: the share of a team's opted-in members who shared", field="measure"
            )
        if target > 100:
            raise ValidationFailed("a participation target is a percentage, from 1 to 100", field="target")
    starts, ends = value("starts_at"), value("ends_at")
    if ends <= starts:
        raise ValidationFailed("ends_at must be after starts_at", field="ends_at")
    if measure is ChallengeMeasure.POINTS:
        for name in ("topic", "campaign_id", "network"):
            if value(name) is not None:
                raise ValidationFailed(
                    f"a points challenge counts all awarded points: {name} filters only shares and clicks", field=name
                )
    network = values.get("network")
    if network is not None and networks is not None and network not in networks:
        known = ", ".join(sorted(networks)) or "none"
        raise ValidationFailed(f"unknown network {network!r}; known networks: {known}", field="network")
    campaign_id = value("campaign_id")
    if campaign_id is not None and session.get(Campaign, campaign_id) is None:
        raise ValidationFailed(f"campaign {campaign_id} not found", field="campaign_id")
    image_url = value("image_url")
    if image_url is not None:
        parts = urlsplit(image_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValidationFailed("image_url must be an absolute http(s) URL", field="image_url")
    if current is not None and current.results_frozen_at is not None:
        changed = {"kind", "measure", "target", "topic", "campaign_id", "network", "starts_at", "ends_at"}
        if any(name in values and values[name] != getattr(current, name) for name in changed):
            raise Conflict("the results of this challenge are frozen: its rules and window can no longer change")
    if current is not None and value("kind") != current.kind and _has_participants(session, current):
        raise Conflict("people joined this challenge: its kind can no longer change")


def _has_participants(session: Session, challenge: Challenge) -> bool:
    query = select(ChallengeParticipant.ambassador_id).where(ChallengeParticipant.challenge_id == challenge.id)
    return session.exec(query.limit(1)).first() is not None


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = {name: values[name] for name in FIELDS if name in values}
    for name in ("topic", "network", "reward", "image_url"):
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip() or None
    if isinstance(cleaned.get("topic"), str):
        cleaned["topic"] = cleaned["topic"].lower()
    if isinstance(cleaned.get("title"), str):
        cleaned["title"] = cleaned["title"].strip()
    return cleaned


# -- editors --------------------------------------------------------------------------------------


def get_challenge(session: Session, challenge_id: int, *, archived: bool = True) -> Challenge:
    challenge = session.get(Challenge, challenge_id)
    if challenge is None or (not archived and challenge.archived_at is not None):
        raise NotFound(f"challenge {challenge_id} not found")
    return challenge


def list_challenges(
    session: Session,
    page: PageRequest,
    *,
    status: ChallengeStatus | None = None,
    archived: bool = False,
    now: datetime | None = None,
) -> Page[Challenge]:
    """Newest window first; archived ones only when asked for."""
    now = now or utcnow()
    query = select(Challenge)
    if not archived:
        query = query.where(col(Challenge.archived_at).is_(None))
    if status is ChallengeStatus.UPCOMING:
        query = query.where(col(Challenge.starts_at) > now)
    elif status is ChallengeStatus.ACTIVE:
        query = query.where(col(Challenge.starts_at) <= now, col(Challenge.ends_at) > now)
    elif status is ChallengeStatus.ENDED:
        query = query.where(col(Challenge.ends_at) <= now)
    return paginate(session, query.order_by(col(Challenge.starts_at).desc(), col(Challenge.id).desc()), page)


def create_challenge(
    session: Session, actor: Actor, data: Mapping[str, Any], *, networks: Collection[str] | None = None
) -> Challenge:
    """A new challenge; ``networks``, when given, are the networks a ``network`` filter may name."""
    actor.require(Role.EDITOR, "creating challenges")
    values = _clean(data)
    _check(session, values, networks=networks)
    challenge = Challenge(**{name: value for name, value in values.items() if value is not None})
    session.add(challenge)
    session.flush()
    audit.record(session, actor, "challenge.created", challenge.id, after=values)
    return challenge


def update_challenge(
    session: Session,
    actor: Actor,
    challenge_id: int,
    changes: Mapping[str, Any],
    *,
    networks: Collection[str] | None = None,
) -> Challenge:
    actor.require(Role.EDITOR, "changing challenges")
    challenge = get_challenge(session, challenge_id)
    values = _clean(changes)
    _check(session, values, challenge, networks=networks)
    before = audit.snapshot(challenge, values)
    for name, value in values.items():
        setattr(challenge, name, value)
    challenge.updated_at = utcnow()
    session.add(challenge)
    session.flush()
    audit.record(
        session, actor, "challenge.updated", challenge_id, before=before, after=audit.snapshot(challenge, values)
    )
    return challenge


def archive_challenge(session: Session, actor: Actor, challenge_id: int) -> None:
    """Hide a challenge from ambassadors, keeping who joined and its results for the record."""
    actor.require(Role.EDITOR, "archiving challenges")
    challenge = get_challenge(session, challenge_id)
    if challenge.archived_at is None:
        challenge.archived_at = utcnow()
        challenge.updated_at = challenge.archived_at
        session.add(challenge)
        session.flush()
        audit.record(session, actor, "challenge.archived", challenge_id, after={"title": challenge.title})


# -- ambassadors ----------------------------------------------------------------------------------


def join(session: Session, actor: Actor, challenge_id: int, *, now: datetime | None = None) -> Challenge:
    """Opt in to an individual challenge that has not ended; joining twice changes nothing."""
    challenge = get_challenge(session, challenge_id, archived=False)
    if challenge.kind is not ChallengeKind.INDIVIDUAL:
        raise Conflict("team challenges count every opted-in team member: there is nothing to join")
    if status_of(challenge, now) is ChallengeStatus.ENDED:
        raise Conflict("this challenge has ended")
    person = session.get(Ambassador, actor.ambassador_id)
    if person is None or not person.is_active:
        raise Conflict("join the programme (or resume it) before joining a challenge")
    if session.get(ChallengeParticipant, (challenge_id, actor.ambassador_id)) is None:
        session.add(ChallengeParticipant(challenge_id=challenge_id, ambassador_id=actor.ambassador_id))
        session.flush()
    return challenge


def leave(session: Session, actor: Actor, challenge_id: int, *, now: datetime | None = None) -> None:
    """Stop taking part in an individual challenge before it ends."""
    challenge = get_challenge(session, challenge_id, archived=False)
    if challenge.kind is not ChallengeKind.INDIVIDUAL:
        raise Conflict("team challenges have nothing to leave; pause or leave the programme instead")
    if status_of(challenge, now) is ChallengeStatus.ENDED:
        raise Conflict("this challenge has ended: its results keep who took part")
    joined = session.get(ChallengeParticipant, (challenge_id, actor.ambassador_id))
    if joined is None:
        raise NotFound("you have not joined this challenge")
    session.delete(joined)
    session.flush()


def has_joined(session: Session, challenge_id: int, ambassador_id: int) -> bool:
    return session.get(ChallengeParticipant, (challenge_id, ambassador_id)) is not None


def for_ambassador(session: Session, ambassador_id: int, *, now: datetime | None = None) -> list[Challenge]:
    """Active and upcoming challenges and those ended in the last 30 days, soonest end first."""
    now = now or utcnow()
    query = (
        select(Challenge)
        .where(col(Challenge.archived_at).is_(None), col(Challenge.ends_at) > now - RECENTLY_ENDED)
        .order_by(col(Challenge.ends_at), col(Challenge.id))
    )
    return list(session.exec(query).all())


# -- measuring ------------------------------------------------------------------------------------


def _days(challenge: Challenge) -> tuple[date, date]:
    """The UTC days a points challenge counts: every day the window touches (end exclusive)."""
    last = inputs.clamp(challenge.ends_at) - timedelta(microseconds=1)
    return inputs.clamp(challenge.starts_at).date(), last.date() + timedelta(days=1)


def window_days(challenge: Challenge) -> tuple[date, date]:
    return _days(challenge)


def _share_filters(challenge: Challenge) -> list[Any]:
    conditions: list[Any] = []
    if challenge.network is not None:
        conditions.append(col(Share.network) == challenge.network)
    if challenge.campaign_id is not None:
        campaign_content = select(Content.id).where(Content.campaign_id == challenge.campaign_id)
        conditions.append(col(Share.content_id).in_(campaign_content))
    if challenge.topic is not None:
        topical = select(ContentTopic.content_id).where(ContentTopic.topic == challenge.topic)
        conditions.append(col(Share.content_id).in_(topical))
    return conditions


def _shares_in_window(challenge: Challenge) -> list[Any]:
    return [
        col(Share.status) == ShareStatus.PUBLISHED,
        col(Share.published_at) >= challenge.starts_at,
        col(Share.published_at) < challenge.ends_at,
        *_share_filters(challenge),
    ]


def totals(challenge: Challenge, ambassador_ids: Any = None) -> Any:
    """Per ambassador: ``value`` of the challenge's measure over its window and ``last`` (when it last grew).

    Only ambassadors with a positive value appear. ``ambassador_ids`` (a list or a subquery) narrows it.
    For participation, a person's value is their share count: the team figure is computed from it.
    """
    measure = challenge.measure
    query: Any
    if measure is ChallengeMeasure.POINTS:
        first, after = _days(challenge)
        query = (
            sa.select(
                col(DailyPoints.ambassador_id).label("ambassador_id"),
                sa.func.sum(DailyPoints.points).label("value"),
                sa.func.max(DailyPoints.day).label("last"),
            )
            .where(col(DailyPoints.day) >= first, col(DailyPoints.day) < after, col(DailyPoints.points) != 0)
            .group_by(col(DailyPoints.ambassador_id))
            .having(sa.func.sum(DailyPoints.points) > 0)
        )
        who = col(DailyPoints.ambassador_id)
    elif measure is ChallengeMeasure.CLICKS:
        query = (
            sa.select(
                col(Share.ambassador_id).label("ambassador_id"),
                sa.func.count().label("value"),
                sa.func.max(Click.occurred_at).label("last"),
            )
            .select_from(Click)
            .join(Share, col(Share.id) == col(Click.share_id))
            .where(
                col(Click.counted).is_(True),
                col(Click.occurred_at) >= challenge.starts_at,
                col(Click.occurred_at) < challenge.ends_at,
                *_share_filters(challenge),
            )
            .group_by(col(Share.ambassador_id))
        )
        who = col(Share.ambassador_id)
    else:
        conditions = _shares_in_window(challenge)
        if measure is ChallengeMeasure.VERIFIED_SHARES:
            conditions.append(col(Share.verified_at).is_not(None))
        query = (
            sa.select(
                col(Share.ambassador_id).label("ambassador_id"),
                sa.func.count().label("value"),
                sa.func.max(Share.published_at).label("last"),
            )
            .where(*conditions)
            .group_by(col(Share.ambassador_id))
        )
        who = col(Share.ambassador_id)
    if ambassador_ids is not None:
        query = query.where(who.in_(ambassador_ids))
    return query


def participants_query(challenge_id: int) -> Any:
    return sa.select(col(ChallengeParticipant.ambassador_id)).where(
        col(ChallengeParticipant.challenge_id) == challenge_id
    )


def _opted_in() -> list[Any]:
    """Members a team challenge counts: opted in, not paused, not gone."""
    return [
        col(Ambassador.opted_in_at).is_not(None),
        col(Ambassador.paused_at).is_(None),
        col(Ambassador.left_at).is_(None),
        col(Ambassador.team).is_not(None),
    ]


def progress_of(session: Session, challenge: Challenge, ambassador_id: int) -> int:
    """One person's figure for the challenge's measure (their share count for participation)."""
    row = session.execute(totals(challenge, [ambassador_id]).subquery().select()).first()
    return int(row.value) if row is not None else 0


def _individual_lines(session: Session, challenge: Challenge) -> list[Line]:
    assert challenge.id is not None
    figures = totals(challenge, participants_query(challenge.id)).subquery("figures")
    query = (
        sa.select(col(Ambassador.id), col(Ambassador.name), sa.func.coalesce(figures.c.value, 0).label("value"))
        .select_from(ChallengeParticipant)
        .join(Ambassador, col(Ambassador.id) == col(ChallengeParticipant.ambassador_id))
        .outerjoin(figures, figures.c.ambassador_id == col(ChallengeParticipant.ambassador_id))
        .where(col(ChallengeParticipant.challenge_id) == challenge.id, col(Ambassador.left_at).is_(None))
    )
    lines = [
        Line(
            progress=int(row.value),
            qualified=int(row.value) >= challenge.target,
            ambassador_id=row.id,
            name=row.name,
        )
        for row in session.execute(query)
    ]
    return sorted(lines, key=lambda line: (-line.progress, line.ambassador_id or 0))


def _team_lines(session: Session, challenge: Challenge, team: str | None = None) -> list[Line]:
    members: Any = sa.select(col(Ambassador.id).label("id"), col(Ambassador.team).label("team")).where(*_opted_in())
    if team is not None:
        members = members.where(col(Ambassador.team) == team)
    member_rows = members.subquery("members")
    figures = totals(challenge, sa.select(member_rows.c.id)).subquery("figures")
    if challenge.measure is ChallengeMeasure.PARTICIPATION:
        contributed: Any = sa.func.count(figures.c.ambassador_id)  # members who shared at least once
    else:
        contributed = sa.func.coalesce(sa.func.sum(figures.c.value), 0)
    query = (
        sa.select(member_rows.c.team, sa.func.count().label("members"), contributed.label("value"))
        .select_from(member_rows)
        .outerjoin(figures, figures.c.ambassador_id == member_rows.c.id)
        .group_by(member_rows.c.team)
    )
    lines = []
    for row in session.execute(query):
        value, size = int(row.value), int(row.members)
        progress = value * 100 // size if challenge.measure is ChallengeMeasure.PARTICIPATION else value
        lines.append(Line(progress=progress, qualified=progress >= challenge.target, team=row.team, members=size))
    return sorted(lines, key=lambda line: (-line.progress, line.team or ""))


def live_lines(session: Session, challenge: Challenge) -> list[Line]:
    """Every participant's (or team's) progress now, best first."""
    if challenge.kind is ChallengeKind.TEAM:
        return _team_lines(session, challenge)
    return _individual_lines(session, challenge)


def team_line(session: Session, challenge: Challenge, team: str) -> Line | None:
    lines = _team_lines(session, challenge, team)
    return lines[0] if lines else None


# -- results --------------------------------------------------------------------------------------


def _frozen_lines(session: Session, challenge: Challenge) -> list[Line]:
    query = (
        sa.select(ChallengeResult, col(Ambassador.name))
        .outerjoin(Ambassador, col(Ambassador.id) == col(ChallengeResult.ambassador_id))
        .where(col(ChallengeResult.challenge_id) == challenge.id)
        .order_by(col(ChallengeResult.progress).desc(), col(ChallengeResult.id))
    )
    return [
        Line(
            progress=result.progress,
            qualified=result.qualified,
            ambassador_id=result.ambassador_id,
            name=name,
            team=result.team,
            members=result.members,
        )
        for result, name in session.execute(query)
    ]


def freeze(session: Session, challenge: Challenge, *, now: datetime | None = None) -> bool:
    """Copy the live results into ``challenge_result`` and record ``challenge.qualified`` for each qualifier.

    Safe to race: only the writer that sets ``results_frozen_at`` copies anything. Returns whether this call froze.
    """
    now = now or utcnow()
    assert challenge.id is not None
    if now < results_due(challenge):
        raise Conflict("the results of this challenge are not final yet")
    claimed = session.execute(
        sa.update(Challenge)
        .where(col(Challenge.id) == challenge.id, col(Challenge.results_frozen_at).is_(None))
        .values(results_frozen_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(challenge)
        return False
    lines = live_lines(session, challenge)
    for line in lines:
        session.add(
            ChallengeResult(
                challenge_id=challenge.id,
                ambassador_id=line.ambassador_id,
                team=line.team,
                progress=line.progress,
                members=line.members,
                qualified=line.qualified,
                frozen_at=now,
            )
        )
        if line.qualified:
            subject = f"ambassador:{line.ambassador_id}" if line.ambassador_id else f"team:{line.team}"
            record_event(
                session,
                EventKind.CHALLENGE_QUALIFIED,
                idempotency_key=f"{EventKind.CHALLENGE_QUALIFIED}:{challenge.id}:{subject}",
                ambassador_id=line.ambassador_id,
                occurred_at=challenge.ends_at,
                payload={
                    "challenge_id": challenge.id,
                    "kind": challenge.kind.value,
                    "measure": challenge.measure.value,
                    "target": challenge.target,
                    "progress": line.progress,
                    "team": line.team,
                },
            )
    session.flush()
    session.refresh(challenge)
    return True


def results(session: Session, challenge: Challenge, *, now: datetime | None = None) -> Results:
    """Frozen results once due (freezing them on first read), live ones before."""
    now = now or utcnow()
    if challenge.results_frozen_at is None and now >= results_due(challenge):
        freeze(session, challenge, now=now)
    if challenge.results_frozen_at is not None:
        return Results(challenge, True, _frozen_lines(session, challenge))
    return Results(challenge, False, live_lines(session, challenge))


def freeze_due(engine: Engine, *, now: datetime | None = None) -> int:
    """Freeze every challenge whose grace period is over; returns how many this call froze."""
    now = now or engine.clock.now()
    frozen = 0
    with engine.transaction() as session:
        due = session.exec(
            select(Challenge.id).where(
                col(Challenge.results_frozen_at).is_(None), col(Challenge.ends_at) <= now - RESULTS_GRACE
            )
        ).all()
    for challenge_id in due:
        with engine.transaction() as session:
            challenge = session.get(Challenge, challenge_id)
            if challenge is not None and freeze(session, challenge, now=now):
                frozen += 1
    return frozen


# -- what an ambassador sees ----------------------------------------------------------------------


@dataclass(frozen=True)
class MyChallenge:
    """A challenge as one ambassador sees it: their own progress and their team's, nobody else's."""

    challenge: Challenge
    status: ChallengeStatus
    joined: bool | None  # None for team challenges
    my_progress: int | None
    team: Line | None
    qualified: bool | None
    frozen: bool
    qualified_count: int | None  # ended challenges only


def my_challenge(
    session: Session, challenge: Challenge, person: Ambassador, *, now: datetime | None = None
) -> MyChallenge:
    now = now or utcnow()
    assert challenge.id is not None
    assert person.id is not None
    status = status_of(challenge, now)
    individual = challenge.kind is ChallengeKind.INDIVIDUAL
    joined = has_joined(session, challenge.id, person.id) if individual else None
    counted_member = person.is_active and person.team is not None
    frozen, qualified_count = False, None
    mine: Line | None = None
    if status is ChallengeStatus.ENDED:
        outcome = results(session, challenge, now=now)
        frozen, qualified_count = outcome.frozen, len(outcome.qualified)
        mine = next(
            (
                line
                for line in outcome.lines
                if (line.ambassador_id == person.id if individual else line.team == person.team and counted_member)
            ),
            None,
        )
    elif status is ChallengeStatus.ACTIVE:
        if individual and joined:
            progress = progress_of(session, challenge, person.id)
            mine = Line(progress=progress, qualified=progress >= challenge.target, ambassador_id=person.id)
        elif not individual and counted_member:
            assert person.team is not None
            mine = team_line(session, challenge, person.team)
    my_progress = None
    if status is not ChallengeStatus.UPCOMING and (joined or (not individual and counted_member)):
        my_progress = mine.progress if individual and mine else progress_of(session, challenge, person.id)
    return MyChallenge(
        challenge=challenge,
        status=status,
        joined=joined,
        my_progress=my_progress,
        team=mine if not individual else None,
        qualified=mine.qualified if mine is not None else None,
        frozen=frozen,
        qualified_count=qualified_count,
    )


def my_challenges(session: Session, ambassador_id: int, *, now: datetime | None = None) -> list[MyChallenge]:
    """Active, upcoming and recently ended challenges with the caller's progress and their team's."""
    now = now or utcnow()
    person = session.get(Ambassador, ambassador_id)
    if person is None:
        raise NotFound(f"ambassador {ambassador_id} not found")
    return [
        my_challenge(session, challenge, person, now=now)
        for challenge in for_ambassador(session, ambassador_id, now=now)
    ]
