"""The social media guidelines ambassadors accept to take part: published versions, rendering and acceptance.

Until an admin publishes guidelines, the version in force is the ``guidelines_version`` setting and
the onboarding widget shows its built-in short guidelines. Each publication is a new, immutable
version with its own text (Markdown); the newest is in force, and everyone who accepted an older
one is asked to accept again the next time they open the onboarding widget (their shares keep
working until then: accepting is asked, never forced by locking people out mid-campaign).

Markdown is rendered by markdown-it-py with raw HTML off, then cleaned by nh3 (the Rust ammonia
sanitiser) to an allow-list of tags, so guidelines can never carry script into a widget.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import datetime

import nh3
import sqlalchemy as sa
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlmodel import Session, col, select

from clarion import audit
from clarion.actors import Actor
from clarion.engine import Engine
from clarion.errors import Conflict, ValidationFailed
from clarion.models import Ambassador, GuidelinesVersion, Role, utcnow

MAX_BODY = 20_000
VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
ALLOWED_TAGS = {"p", "ul", "ol", "li", "strong", "em", "a", "h2", "h3", "h4", "blockquote", "code", "br", "hr"}


@dataclass(frozen=True)
class Guidelines:
    """The guidelines in force: a published version, or the configured one with the built-in text."""

    version: str
    html: Markup | None  # None: the configured version, shown with the built-in short guidelines
    published_at: datetime | None


@dataclass(frozen=True)
class Acceptance:
    version: str
    published_at: datetime | None
    accepted: int  # ambassadors whose accepted version is this one
    in_force: bool


@functools.lru_cache(maxsize=32)
def render(body: str) -> Markup:
    """Markdown to safe HTML: no raw HTML, only an allow-list of tags, links that open safely."""
    html = MarkdownIt("commonmark", {"html": False}).render(body)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(cleaned)


def _latest(session: Session) -> GuidelinesVersion | None:
    return session.exec(select(GuidelinesVersion).order_by(col(GuidelinesVersion.id).desc()).limit(1)).first()


def latest_body(session: Session) -> str | None:
    """The Markdown of the version in force, when one was published (to start the next one from)."""
    latest = _latest(session)
    return latest.body if latest is not None else None


def current(engine: Engine, session: Session) -> Guidelines:
    latest = _latest(session)
    if latest is None:
        return Guidelines(engine.settings.guidelines_version, None, None)
    return Guidelines(latest.version, render(latest.body), latest.published_at)


def current_version(engine: Engine, session: Session) -> str:
    return current(engine, session).version


def record_version(session: Session, version: str, body: str, published_by: int | None) -> GuidelinesVersion:
    """Store a version as given (the checks are :func:`publish`'s); it is in force from now on."""
    row = GuidelinesVersion(version=version, body=body, published_by=published_by, published_at=utcnow())
    session.add(row)
    session.flush()
    return row


def publish(engine: Engine, session: Session, actor: Actor, version: str, body: str) -> GuidelinesVersion:
    """Publish new guidelines (admins): everyone who accepted an earlier version is asked to accept again.

    Raises:
        PermissionDenied: the actor is not an admin.
        ValidationFailed: a malformed version name or an empty or too long text.
        Conflict: the version name was used before, or is the one in force.
    """
    actor.require(Role.ADMIN, "publishing guidelines")
    version = (version or "").strip()
    body = (body or "").replace("\r\n", "\n").strip()
    if not VERSION.match(version):
        raise ValidationFailed(
            "name the version with up to 32 letters, digits, dots, hyphens or underscores, e.g. 2026-03",
            field="version",
        )
    if not body:
        raise ValidationFailed("write the guidelines: the text is empty", field="body")
    if len(body) > MAX_BODY:
        raise ValidationFailed(f"the guidelines are {len(body)} characters; at most {MAX_BODY}", field="body")
    in_force = current_version(engine, session)
    if version == in_force:
        raise Conflict(
            f"version {version} is the one in force; give the new text a new version name so everyone accepts it",
            field="version",
        )
    if session.exec(select(GuidelinesVersion.id).where(GuidelinesVersion.version == version)).first() is not None:
        raise Conflict(f"version {version} was published before; choose a new version name", field="version")
    audit.record(
        session, actor, "guidelines.published", version, before={"version": in_force}, after={"version": version}
    )
    return record_version(session, version, body, actor.ambassador_id)


def acceptance(engine: Engine, session: Session) -> tuple[int, list[Acceptance]]:
    """How many ambassadors take part, and how many of them last accepted each version (newest first)."""
    active = (
        col(Ambassador.opted_in_at).is_not(None),
        col(Ambassador.paused_at).is_(None),
        col(Ambassador.left_at).is_(None),
    )
    taking_part = session.exec(select(sa.func.count()).select_from(Ambassador).where(*active)).one()
    counts: dict[str | None, int] = dict(
        session.exec(
            select(Ambassador.guidelines_version, sa.func.count())
            .where(*active)
            .group_by(col(Ambassador.guidelines_version))
        ).all()
    )
    in_force = current_version(engine, session)
    published = session.exec(select(GuidelinesVersion).order_by(col(GuidelinesVersion.id).desc())).all()
    rows = [
        Acceptance(row.version, row.published_at, counts.get(row.version, 0), row.version == in_force)
        for row in published
    ]
    if not any(row.version == engine.settings.guidelines_version for row in published):
        configured = engine.settings.guidelines_version
        rows.append(Acceptance(configured, None, counts.get(configured, 0), configured == in_force))
    return int(taking_part), rows
