"""Export and erasure of the core's tables, which hold most of what Clarion knows about a person.

The core stays out of personal-data work beyond its hooks; this plugin answers for the core's
tables, as every other plugin answers for its own. The ambassador row is kept under a pseudonym so
points, rollups and leaderboards keep adding up; what names or reaches the person goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from clarion.contracts import Erasure, PersonRows, person_rows
from clarion.errors import Conflict
from clarion.event_log import record_event
from clarion.models import (
    Ambassador,
    AmbassadorVisitor,
    AnalyticsDaily,
    AnalyticsMetricDaily,
    ApiToken,
    AuthSession,
    Click,
    ConnectState,
    Content,
    DailyPoints,
    Event,
    GuidelinesVersion,
    NetworkAccount,
    PointsEntry,
    Role,
    Share,
    utcnow,
)

ERASED = "ambassador.erased"
# Rows kept on purpose after an erasure: they feed totals and name only the pseudonymous id.
KEPT = (
    PointsEntry,
    DailyPoints,
    AnalyticsDaily,
    AnalyticsMetricDaily,
    AmbassadorVisitor,  # keyed hashes of visitors of the day, never of the person
    Event,
    Content,  # content an ambassador wrote stays the programme's, its author a pseudonym
    GuidelinesVersion,
)
# Rows deleted: handles, follower counts, credentials, tokens and sign-in sessions.
DELETED = (NetworkAccount, ApiToken, ConnectState, AuthSession)


def _table(model: type) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


def clicks_by_share_and_day(session: Session, ambassador_id: int) -> PersonRows:
    """Clicks on the person's tracked links, per share and day: never a visitor's row."""
    day = sa.func.substr(sa.cast(col(Click.occurred_at), sa.String), 1, 10)
    query = (
        sa.select(
            col(Click.share_id).label("share_id"),
            day.label("day"),
            sa.func.count().label("clicks"),
            sa.func.sum(sa.case((col(Click.counted), 1), else_=0)).label("counted"),
        )
        .join(Share, col(Share.id) == col(Click.share_id))
        .where(col(Share.ambassador_id) == ambassador_id)
        .group_by(col(Click.share_id), day)
        .order_by(col(Click.share_id), day)
    )
    rows = [
        {"share_id": row.share_id, "day": row.day, "clicks": int(row.clicks), "counted": int(row.counted or 0)}
        for row in session.execute(query)
    ]
    return PersonRows("clicks_by_share_and_day", rows)


def export_core(session: Session, ambassador_id: int) -> list[PersonRows]:
    found = [
        person_rows(session, _table(Ambassador), ambassador_id, columns=["id"]),
        person_rows(
            session, _table(NetworkAccount), ambassador_id, columns=["ambassador_id"], leave_out=["credentials_version"]
        ),
        person_rows(session, _table(ApiToken), ambassador_id, columns=["ambassador_id"], leave_out=["token_hash"]),
        person_rows(session, _table(ConnectState), ambassador_id, columns=["ambassador_id"], leave_out=["state_hash"]),
        person_rows(session, _table(Share), ambassador_id, columns=["ambassador_id"]),
        person_rows(
            session, _table(AmbassadorVisitor), ambassador_id, columns=["ambassador_id"], leave_out=["visitor_hash"]
        ),
        person_rows(session, _table(Content), ambassador_id, columns=["author_id"]),
        person_rows(session, _table(GuidelinesVersion), ambassador_id, columns=["published_by"]),
        clicks_by_share_and_day(session, ambassador_id),
        person_rows(
            session, _table(AuthSession), ambassador_id, columns=["ambassador_id"], leave_out=["id", "csrf_secret"]
        ),
    ]
    for model in (PointsEntry, DailyPoints, AnalyticsDaily, AnalyticsMetricDaily, Event):
        found.append(person_rows(session, _table(model), ambassador_id, columns=["ambassador_id"]))
    return found


def erase_core(session: Session, erasure: Erasure) -> None:
    person = erasure.ambassador_id
    for model in DELETED:
        session.execute(sa.delete(model).where(col(model.ambassador_id) == person))  # type: ignore[attr-defined]
    # Tracked links keep redirecting for the audience; the words and the post's address go.
    session.execute(
        sa.update(Share)
        .where(col(Share.ambassador_id) == person)
        .values(text="", external_post_url=None, last_error=None)
    )
    ambassador = session.get(Ambassador, person)
    assert ambassador is not None
    if ambassador.erased_at is not None:
        raise Conflict("this account is erased already")
    now = utcnow()
    ambassador.external_id = erasure.pseudonym
    ambassador.name = erasure.pseudonym
    ambassador.email = None
    ambassador.department = None
    ambassador.team = None
    ambassador.locale = "en"
    ambassador.time_zone = "UTC"
    ambassador.guidelines_version = None
    ambassador.guidelines_accepted_at = None
    ambassador.quiet_hours_start = None
    ambassador.quiet_hours_end = None
    ambassador.leaderboard_visible = False
    ambassador.role = Role.AMBASSADOR
    ambassador.left_at = ambassador.left_at or now  # from now on their links score nothing
    ambassador.paused_at = None
    ambassador.erased_at = now
    ambassador.updated_at = now
    session.add(ambassador)
    record_event(session, ERASED, idempotency_key=f"{ERASED}:{person}", ambassador_id=person)
    erasure.covered("ambassador", "share", *(_table(model).name for model in (*DELETED, *KEPT)))
