"""Ambassadors: provisioning from the intranet identity, profile, consent, network accounts."""

from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion import audit, inputs
from clarion.actors import Actor
from clarion.content import guidelines
from clarion.contracts import Erasure
from clarion.engine import Engine
from clarion.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.identity import Identity
from clarion.models import AdvocacyLevel, Ambassador, ConsentState, Event, NetworkAccount, Role, utcnow
from clarion.pagination import Page, PageRequest, paginate

ADMIN_FIELDS = (
    "name",
    "email",
    "department",
    "team",
    "locale",
    "time_zone",
    "role",
    "advocacy_level",
    "leaderboard_visible",
    "quiet_hours_start",
    "quiet_hours_end",
)
PERSONAL = ("name", "email", "department", "team")  # the audit log keeps that they changed, not their values
SELF_FIELDS = ("locale", "time_zone", "leaderboard_visible", "quiet_hours_start", "quiet_hours_end")
QUIET_HOURS = ("quiet_hours_start", "quiet_hours_end")
# The growth path, lowest first: an ambassador's level is theirs; what unlocks the next one is the
# gamification plugin's to measure.
LEVEL_ORDER = list(AdvocacyLevel)


def level_rank(level: AdvocacyLevel) -> int:
    """The position of ``level`` on the growth path (engagement is 0)."""
    return LEVEL_ORDER.index(level)


def record_level_change(session: Session, ambassador: Ambassador, level: AdvocacyLevel, *, by: int | None) -> None:
    """Set an ambassador's level and record a ``level.changed`` event; the same level is no change.

    ``by`` names who set it by hand, ``None`` for an automatic promotion.
    """
    assert ambassador.id is not None
    previous = ambassador.advocacy_level
    if previous is level:
        return
    ambassador.advocacy_level = level
    ambassador.updated_at = utcnow()
    session.add(ambassador)
    session.flush()
    # The n-th level change of this person: a replayed request cannot record it twice.
    changes = session.execute(
        sa.select(sa.func.count()).where(
            col(Event.kind) == EventKind.LEVEL_CHANGED, col(Event.ambassador_id) == ambassador.id
        )
    ).scalar_one()
    record_event(
        session,
        EventKind.LEVEL_CHANGED,
        idempotency_key=f"{EventKind.LEVEL_CHANGED.value}:{ambassador.id}:{changes}",
        ambassador_id=ambassador.id,
        payload={"from": previous.value, "to": level.value, "by": by, "automatic": by is None},
    )


def _check_profile(values: Mapping[str, Any]) -> None:
    zone = values.get("time_zone")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationFailed(f"unknown time zone {zone!r}", field="time_zone") from None
        if zone not in available_timezones() and zone != "UTC":
            raise ValidationFailed(f"unknown time zone {zone!r}", field="time_zone")
    if values.get("locale") is not None:
        inputs.check_locale(values["locale"])
    email = values.get("email")
    if email is not None and "@" not in email:
        raise ValidationFailed("email must be an e-mail address", field="email")
    if any(name in values for name in QUIET_HOURS):
        start, end = (values.get(name) for name in QUIET_HOURS)
        if (start is None) != (end is None) or not all(name in values for name in QUIET_HOURS):
            raise ValidationFailed("give both quiet hours (start and end), or clear both", field="quiet_hours_start")
        for name in QUIET_HOURS:
            if values[name] is not None and not 0 <= values[name] <= 1439:
                raise ValidationFailed(f"{name} must be minutes after midnight (0 to 1439)", field=name)


MAX_EXTERNAL_ID = 200
MAX_NAME = 200
MAX_EMAIL = 320


def checked_identity(identity: Identity) -> Identity:
    """The identity as an ambassador record can hold it, or :class:`NotAuthenticated`.

    Whatever vouched for the person (a token, a proxy header), the external id must be a usable
    key: 1 to 200 characters, no control characters. Display fields are clipped, never refused.
    """
    external_id = identity.external_id.strip() if isinstance(identity.external_id, str) else ""
    if not external_id or len(external_id) > MAX_EXTERNAL_ID:
        raise NotAuthenticated(f"the identity's subject must be 1 to {MAX_EXTERNAL_ID} characters")
    if any(unicodedata.category(character) == "Cc" for character in external_id):
        raise NotAuthenticated("the identity's subject contains control characters")

    def clip(value: str | None, limit: int) -> str | None:
        if not isinstance(value, str):
            return None
        cleaned = "".join(c for c in value if unicodedata.category(c) != "Cc").strip()
        return cleaned[:limit] or None

    email = clip(identity.email, MAX_EMAIL)
    return replace(
        identity,
        external_id=external_id,
        name=clip(identity.name, MAX_NAME),
        email=email if email and "@" in email else None,
    )


def resolve_identity(session: Session, identity: Identity, *, provision: bool = True) -> Ambassador:
    """The ambassador an identity stands for, created on first sight (just-in-time provisioning).

    New people start as ambassadors who have not opted in: knowing someone never makes them
    share.

    Raises:
        PermissionDenied: when they are unknown and provisioning is off.
        NotAuthenticated: when the identity cannot be an ambassador's key.
    """
    identity = checked_identity(identity)
    if identity.ambassador_id is not None:
        ambassador = session.get(Ambassador, identity.ambassador_id)
    else:
        ambassador = session.exec(select(Ambassador).where(Ambassador.external_id == identity.external_id)).first()
    if ambassador is not None and ambassador.erased_at is not None:
        raise NotAuthenticated("this account was erased")  # an old session or token names a pseudonym
    if ambassador is not None:
        return ambassador
    if not provision or identity.ambassador_id is not None:
        raise PermissionDenied(f"{identity.external_id!r} is not an ambassador of this programme")
    ambassador = Ambassador(
        external_id=identity.external_id,
        name=identity.name or identity.external_id,
        email=identity.email,
    )
    session.add(ambassador)
    try:
        with session.begin_nested():
            session.flush()
    except sa.exc.IntegrityError:
        # Two first requests of one person raced; the other one created the row.
        return session.exec(select(Ambassador).where(Ambassador.external_id == identity.external_id)).one()
    assert ambassador.id is not None
    record_event(
        session,
        EventKind.AMBASSADOR_JOINED,
        idempotency_key=f"ambassador.joined:{ambassador.id}",
        ambassador_id=ambassador.id,
        payload={"provider": identity.provider},
    )
    return ambassador


def get_ambassador(session: Session, actor: Actor, ambassador_id: int) -> Ambassador:
    """One ambassador: admins see anyone, everyone sees themselves.

    Raises:
        NotFound: for anyone else, so ids cannot be probed.
    """
    ambassador = session.get(Ambassador, ambassador_id)
    if ambassador is None or not (actor.is_admin or ambassador_id == actor.ambassador_id):
        raise NotFound(f"ambassador {ambassador_id} not found")
    return ambassador


def list_ambassadors(
    session: Session,
    actor: Actor,
    page: PageRequest,
    *,
    team: str | None = None,
    department: str | None = None,
    role: Role | None = None,
    search: str | None = None,
) -> Page[Ambassador]:
    actor.require(Role.ADMIN, "listing ambassadors")
    query = select(Ambassador)
    if team is not None:
        query = query.where(Ambassador.team == team)
    if department is not None:
        query = query.where(Ambassador.department == department)
    if role is not None:
        query = query.where(Ambassador.role == role)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            sa.or_(
                sa.func.lower(Ambassador.name).like(pattern),
                sa.func.lower(Ambassador.external_id).like(pattern),
                sa.func.lower(sa.func.coalesce(Ambassador.email, "")).like(pattern),
            )
        )
    return paginate(session, query.order_by(col(Ambassador.name), col(Ambassador.id)), page)


def create_ambassador(session: Session, actor: Actor, data: Mapping[str, Any]) -> Ambassador:
    """Invite someone (an admin adds them before their first visit)."""
    actor.require(Role.ADMIN, "adding ambassadors")
    _check_profile(data)
    external_id = data["external_id"].strip()
    if not external_id:
        raise ValidationFailed("external_id must not be empty", field="external_id")
    if session.exec(select(Ambassador.id).where(Ambassador.external_id == external_id)).first() is not None:
        raise Conflict(f"an ambassador with external_id {external_id!r} already exists")
    ambassador = Ambassador(
        external_id=external_id,
        **{name: data[name] for name in ADMIN_FIELDS if data.get(name) is not None},
    )
    session.add(ambassador)
    session.flush()
    assert ambassador.id is not None
    record_event(
        session,
        EventKind.AMBASSADOR_JOINED,
        idempotency_key=f"ambassador.joined:{ambassador.id}",
        ambassador_id=ambassador.id,
        payload={"invited_by": actor.ambassador_id},
    )
    audit.record(
        session,
        actor,
        "ambassador.created",
        ambassador.id,
        after=audit.snapshot(ambassador, ["role", "advocacy_level"]),
    )
    return ambassador


def update_ambassador(session: Session, actor: Actor, ambassador_id: int, changes: Mapping[str, Any]) -> Ambassador:
    """Admins change anyone's profile, role and level; people change their own preferences."""
    ambassador = get_ambassador(session, actor, ambassador_id)
    allowed = ADMIN_FIELDS if actor.is_admin else SELF_FIELDS
    refused = sorted(set(changes) - set(allowed))
    if refused:
        raise PermissionDenied(f"you cannot change {', '.join(refused)}")
    _check_profile(changes)
    if (
        actor.ambassador_id == ambassador_id
        and changes.get("role") not in (None, Role.ADMIN)
        and ambassador.role is Role.ADMIN
    ):
        remaining = session.execute(
            sa.select(sa.func.count()).where(col(Ambassador.role) == Role.ADMIN, col(Ambassador.id) != ambassador_id)
        ).scalar_one()
        if remaining == 0:
            raise Conflict("you are the last admin; make someone else admin first")
    before = audit.snapshot(ambassador, changes)
    for name, value in changes.items():
        if value is None and name not in {"email", "department", "team", *QUIET_HOURS}:
            raise ValidationFailed(f"{name} cannot be null", field=name)
        if name == "advocacy_level":
            record_level_change(session, ambassador, AdvocacyLevel(value), by=actor.ambassador_id)
            continue
        setattr(ambassador, name, value)
    ambassador.updated_at = utcnow()
    session.add(ambassador)
    session.flush()
    if actor.is_admin:  # people's own preferences are theirs, not an admin change
        verb = "role_changed" if before.get("role", ambassador.role) != ambassador.role else "updated"
        after = audit.snapshot(ambassador, changes)
        audit.record(session, actor, f"ambassador.{verb}", ambassador_id, before=before, after=after, personal=PERSONAL)
    return ambassador


class ConsentAction:
    OPT_IN = "opt_in"
    PAUSE = "pause"
    RESUME = "resume"
    LEAVE = "leave"
    ALL = (OPT_IN, PAUSE, RESUME, LEAVE)


def change_consent(
    engine: Engine,
    session: Session,
    actor: Actor,
    action: str,
    *,
    guidelines_version: str | None = None,
) -> Ambassador:
    """Opt in (accepting the current guidelines), pause, resume or leave. Only for oneself."""
    ambassador = session.get(Ambassador, actor.ambassador_id)
    if ambassador is None:
        raise NotFound("ambassador not found")
    now = engine.clock.now()
    state = ambassador.consent
    assert ambassador.id is not None
    if action == ConsentAction.OPT_IN:
        current = guidelines.current_version(engine, session)
        if guidelines_version != current:
            raise ValidationFailed(
                f"accept the current social media guidelines (version {current}) to opt in",
                field="guidelines_version",
            )
        if state is ConsentState.OPTED_IN and ambassador.guidelines_version == current:
            raise Conflict("you are already opted in")
        ambassador.opted_in_at, ambassador.paused_at, ambassador.left_at = now, None, None
        ambassador.guidelines_version, ambassador.guidelines_accepted_at = current, now
        kind = EventKind.AMBASSADOR_OPTED_IN
        record_event(
            session,
            EventKind.GUIDELINES_ACCEPTED,
            idempotency_key=f"guidelines.accepted:{ambassador.id}:{current}",
            ambassador_id=ambassador.id,
            occurred_at=now,
            payload={"version": current},
        )
    elif action == ConsentAction.PAUSE:
        if state is not ConsentState.OPTED_IN:
            raise Conflict(f"you can pause only while opted in (you are {state.value.replace('_', ' ')})")
        ambassador.paused_at = now
        kind = EventKind.AMBASSADOR_PAUSED
    elif action == ConsentAction.RESUME:
        if state is not ConsentState.PAUSED:
            raise Conflict(f"you can resume only while paused (you are {state.value.replace('_', ' ')})")
        ambassador.paused_at = None
        kind = EventKind.AMBASSADOR_RESUMED
    elif action == ConsentAction.LEAVE:
        if state in (ConsentState.LEFT, ConsentState.INVITED):
            raise Conflict(f"you cannot leave: you are {state.value.replace('_', ' ')}")
        ambassador.left_at = now
        kind = EventKind.AMBASSADOR_LEFT
    else:
        raise ValidationFailed(f"action must be one of {', '.join(ConsentAction.ALL)}", field="action")
    ambassador.updated_at = now
    session.add(ambassador)
    session.flush()
    record_event(
        session,
        kind,
        idempotency_key=f"{kind.value}:{ambassador.id}:{now.isoformat()}",
        ambassador_id=ambassador.id,
        occurred_at=now,
    )
    return ambassador


def list_accounts(session: Session, actor: Actor, ambassador_id: int) -> list[NetworkAccount]:
    get_ambassador(session, actor, ambassador_id)
    query = select(NetworkAccount).where(NetworkAccount.ambassador_id == ambassador_id)
    return list(session.exec(query.order_by(NetworkAccount.network, NetworkAccount.id)).all())  # type: ignore[arg-type]


def add_account(
    engine: Engine,
    session: Session,
    actor: Actor,
    *,
    network: str,
    handle: str,
    follower_count: int | None = None,
) -> NetworkAccount:
    """Record a network account the actor uses (for intent shares and potential reach)."""
    engine.connector(network)
    handle = handle.strip()
    if not handle:
        raise ValidationFailed("handle must not be empty", field="handle")
    if follower_count is not None and follower_count < 0:
        raise ValidationFailed("follower_count must not be negative", field="follower_count")
    exists = session.exec(
        select(NetworkAccount.id).where(
            NetworkAccount.ambassador_id == actor.ambassador_id,
            NetworkAccount.network == network,
            NetworkAccount.handle == handle,
        )
    ).first()
    if exists is not None:
        raise Conflict(f"you already added {handle} on {network}")
    account = NetworkAccount(
        ambassador_id=actor.ambassador_id,
        network=network,
        handle=handle,
        follower_count=follower_count,
        followers_read_at=engine.clock.now() if follower_count is not None else None,
    )
    session.add(account)
    session.flush()
    assert account.id is not None
    record_event(
        session,
        EventKind.ACCOUNT_CONNECTED,
        idempotency_key=f"account.connected:{account.id}",
        ambassador_id=actor.ambassador_id,
        payload={"network": network},
    )
    return account


def remove_account(session: Session, actor: Actor, account_id: int) -> None:
    account = session.get(NetworkAccount, account_id)
    if account is None or account.ambassador_id != actor.ambassador_id:
        raise NotFound(f"account {account_id} not found")
    session.delete(account)
    record_event(
        session,
        EventKind.ACCOUNT_DISCONNECTED,
        idempotency_key=f"account.disconnected:{account_id}",
        ambassador_id=actor.ambassador_id,
        payload={"network": account.network},
    )
    session.flush()


def import_ambassadors(
    session: Session, actor: Actor, rows: Sequence[tuple[int, Mapping[str, Any]]]
) -> list[Ambassador]:
    """Invite many people at once, all or nothing.

    Args:
        rows: ``(line number, fields)`` pairs, fields as :func:`create_ambassador` takes them.

    Raises:
        ValidationFailed: naming every row that cannot be imported; nothing is created then
            (the caller's transaction rolls back).
    """
    actor.require(Role.ADMIN, "importing ambassadors")
    created: list[Ambassador] = []
    problems: list[str] = []
    for line, fields in rows:
        try:
            created.append(create_ambassador(session, actor, fields))
        except (ValidationFailed, Conflict) as exc:
            problems.append(f"line {line}: {exc.detail}")
    if problems:
        raise ValidationFailed("; ".join(problems), field="file")
    return created


def erase_ambassador(
    engine: Engine, ambassador_id: int, *, audit: Callable[[Session, Erasure], object] | None = None
) -> Erasure:
    """Erase a person: every plugin erases its rows (``clarion_person_erase_prepare``), leaving a pseudonym.

    ``audit(session, erasure)`` records it in the same transaction. The built-in ``my-data`` plugin
    erases the core's rows; with nobody doing so the erasure is refused rather than half done.

    Raises:
        NotFound: nobody has that id.
        Conflict: erased already (raised by ``my-data``), or no plugin erases people.
    """
    with engine.transaction() as session:
        if session.get(Ambassador, ambassador_id, with_for_update=True) is None:
            raise NotFound(f"no ambassador {ambassador_id}")
        erasure = Erasure(ambassador_id, f"erased-{secrets.token_hex(6)}")
        engine.person_erase(session, erasure)
        if "ambassador" not in erasure.tables:
            raise Conflict("no plugin erases people here (is the my-data plugin blocked?)")
        if audit is not None:
            audit(session, erasure)
    return erasure
