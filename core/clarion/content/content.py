"""Content use cases: create, edit, read, list, delete and move through the lifecycle."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion import audit, inputs
from clarion.actors import Actor
from clarion.ambassadors.ambassadors import level_rank
from clarion.content.content_lifecycle import (
    AUTHOR_EDITABLE,
    TRANSITIONS,
    ContentAction,
    allowed_actions,
    next_status,
)
from clarion.content.eligibility import shareable_query
from clarion.engine import Engine
from clarion.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from clarion.event_log import record_event
from clarion.events import EventKind
from clarion.models import (
    AdvocacyLevel,
    Ambassador,
    AudienceDimension,
    Campaign,
    Content,
    ContentAudience,
    ContentOrigin,
    ContentStatus,
    ContentTopic,
    Event,
    Role,
    ShareText,
    utcnow,
)
from clarion.pagination import Page, PageRequest, paginate

CHILD_FIELDS = ("topics", "audience", "share_texts")
SCALAR_FIELDS = (
    "title",
    "url",
    "summary",
    "body",
    "image_url",
    "language",
    "translation_of_id",
    "campaign_id",
    "publish_at",
    "expires_at",
    "featured",
    "edit_policy",
)
AUDIENCE_KEYS: dict[str, AudienceDimension] = {
    "teams": AudienceDimension.TEAM,
    "departments": AudienceDimension.DEPARTMENT,
    "locales": AudienceDimension.LOCALE,
}


@dataclass
class ContentDetails:
    """A content item with everything stored beside it."""

    content: Content
    topics: list[str] = field(default_factory=list)
    audience: dict[str, list[str]] = field(default_factory=lambda: {key: [] for key in AUDIENCE_KEYS})
    share_texts: list[ShareText] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)


def check_web_url(value: str | None, field_name: str) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValidationFailed(f"{field_name} must be an absolute http(s) URL", field=field_name)


def _check_window(publish_at: datetime | None, expires_at: datetime | None) -> None:
    if publish_at and expires_at and expires_at <= publish_at:
        raise ValidationFailed("expires_at must be after publish_at", field="expires_at")


def _load_children(session: Session, items: Sequence[Content], actor: Actor | None) -> list[ContentDetails]:
    ids = [item.id for item in items]
    if not ids:
        return []
    topics: dict[int, list[str]] = defaultdict(list)
    for row in session.exec(
        select(ContentTopic).where(ContentTopic.content_id.in_(ids)).order_by(ContentTopic.topic)  # type: ignore[attr-defined]
    ):
        topics[row.content_id].append(row.topic)
    audiences: dict[int, dict[str, list[str]]] = defaultdict(lambda: {key: [] for key in AUDIENCE_KEYS})
    keys_by_dimension = {dimension: key for key, dimension in AUDIENCE_KEYS.items()}
    for audience_row in session.exec(
        select(ContentAudience)
        .where(ContentAudience.content_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(ContentAudience.value)
    ):
        audiences[audience_row.content_id][keys_by_dimension[audience_row.dimension]].append(audience_row.value)
    texts: dict[int, list[ShareText]] = defaultdict(list)
    for text_row in session.exec(
        select(ShareText)
        .where(ShareText.content_id.in_(ids))  # type: ignore[attr-defined]
        .order_by(col(ShareText.network), col(ShareText.position), col(ShareText.id))
    ):
        texts[text_row.content_id].append(text_row)
    details = []
    for item in items:
        assert item.id is not None
        actions: list[str] = []
        if actor is not None:
            actions = [
                action.value
                for action in allowed_actions(
                    item.status, is_editor=actor.is_editor, is_author=item.author_id == actor.ambassador_id
                )
            ]
        details.append(ContentDetails(item, topics[item.id], audiences[item.id], texts[item.id], actions))
    return details


def _normalise_topics(topics: Iterable[str]) -> list[str]:
    cleaned = sorted({topic.strip().lower() for topic in topics if topic.strip()})
    for topic in cleaned:
        if len(topic) > 64:
            raise ValidationFailed("a topic is at most 64 characters", field="topics")
    return cleaned


def _replace_children(
    session: Session,
    engine: Engine,
    content_id: int,
    *,
    topics: Iterable[str] | None,
    audience: Mapping[str, Iterable[str]] | None,
    share_texts: Sequence[Mapping[str, str]] | None,
) -> None:
    if topics is not None:
        session.execute(sa.delete(ContentTopic).where(ContentTopic.content_id == content_id))  # type: ignore[arg-type]
        session.add_all(ContentTopic(content_id=content_id, topic=topic) for topic in _normalise_topics(topics))
    if audience is not None:
        unknown = set(audience) - set(AUDIENCE_KEYS)
        if unknown:
            raise ValidationFailed(
                f"audience accepts {', '.join(AUDIENCE_KEYS)}; not {', '.join(sorted(unknown))}",
                field="audience",
            )
        session.execute(sa.delete(ContentAudience).where(ContentAudience.content_id == content_id))  # type: ignore[arg-type]
        for key, values in audience.items():
            for value in sorted({value.strip() for value in values if value.strip()}):
                session.add(ContentAudience(content_id=content_id, dimension=AUDIENCE_KEYS[key], value=value))
    if share_texts is not None:
        session.execute(sa.delete(ShareText).where(ShareText.content_id == content_id))  # type: ignore[arg-type]
        positions: dict[str, int] = defaultdict(int)
        for index, suggestion in enumerate(share_texts):
            network = suggestion["network"]
            try:
                engine.connector(network)
            except ValidationFailed as exc:
                raise ValidationFailed(f"share_texts[{index}]: {exc.detail}", field="share_texts") from exc
            text = suggestion["text"].strip()
            if not text:
                raise ValidationFailed(f"share_texts[{index}].text is empty", field="share_texts")
            session.add(ShareText(content_id=content_id, network=network, text=text, position=positions[network]))
            positions[network] += 1
    session.flush()


def _check_campaign(session: Session, campaign_id: int | None) -> None:
    if campaign_id is not None and session.get(Campaign, campaign_id) is None:
        raise ValidationFailed(f"campaign {campaign_id} does not exist", field="campaign_id")


def _check_translation(session: Session, original_id: int | None, content_id: int | None = None) -> None:
    """A translation points at an original that exists and is no translation itself (one level)."""
    if original_id is None:
        return
    original = session.get(Content, original_id)
    if original is None:
        raise ValidationFailed(f"content {original_id} does not exist", field="translation_of_id")
    if original_id == content_id:
        raise ValidationFailed("content cannot be a translation of itself", field="translation_of_id")
    if original.translation_of_id is not None:
        raise ValidationFailed(
            f"content {original_id} is itself a translation of {original.translation_of_id}; point at that one",
            field="translation_of_id",
        )


def _visible(session: Session, actor: Actor, content: Content) -> bool:
    if actor.is_editor or content.author_id == actor.ambassador_id:
        return True
    ambassador = session.get(Ambassador, actor.ambassador_id)
    if ambassador is None:
        return False
    query = shareable_query(ambassador, utcnow()).where(Content.id == content.id)
    return session.exec(query).first() is not None


def get_content_row(session: Session, actor: Actor, content_id: int) -> Content:
    """The content row, if ``actor`` may see it.

    Editors see everything; an ambassador sees what they may share now and what they wrote.

    Raises:
        NotFound: when it does not exist or is not visible to the actor.
    """
    content = session.get(Content, content_id)
    if content is None or not _visible(session, actor, content):
        raise NotFound(f"content {content_id} not found")
    return content


def get_content(session: Session, actor: Actor, content_id: int) -> ContentDetails:
    return _load_children(session, [get_content_row(session, actor, content_id)], actor)[0]


def list_content(
    session: Session,
    actor: Actor,
    page: PageRequest,
    *,
    status: ContentStatus | None = None,
    origin: ContentOrigin | None = None,
    campaign_id: int | None = None,
    topic: str | None = None,
    mine: bool = False,
) -> Page[ContentDetails]:
    """Content the actor may see, newest first. Ambassadors see what they may share and their own."""
    query = select(Content)
    if not actor.is_editor or mine:
        own = col(Content.author_id) == actor.ambassador_id
        if mine:
            query = query.where(own)
        else:
            ambassador = session.get(Ambassador, actor.ambassador_id)
            assert ambassador is not None
            shareable_ids = shareable_query(ambassador, utcnow()).with_only_columns(col(Content.id)).order_by(None)
            query = query.where(sa.or_(own, col(Content.id).in_(shareable_ids)))
    if status is not None:
        query = query.where(Content.status == status)
    if origin is not None:
        query = query.where(Content.origin == origin)
    if campaign_id is not None:
        query = query.where(Content.campaign_id == campaign_id)
    if topic is not None:
        query = query.where(
            sa.exists(
                select(ContentTopic.content_id).where(
                    ContentTopic.content_id == Content.id, ContentTopic.topic == topic.lower()
                )
            )
        )
    query = query.order_by(Content.created_at.desc(), Content.id.desc())  # type: ignore[attr-defined,union-attr]
    result = paginate(session, query, page)
    return Page(_load_children(session, result.items, actor), result.total, result.limit, result.offset)


def create_content(engine: Engine, session: Session, actor: Actor, data: Mapping[str, Any]) -> ContentDetails:
    """Create content as a draft.

    Editors create any origin; an ambassador creates curated or produced content authored
    by themselves (the review queue decides whether it is shared).
    """
    origin = ContentOrigin(data.get("origin", ContentOrigin.OFFICIAL))
    author_id = data.get("author_id")
    if not actor.is_editor:
        if origin is ContentOrigin.OFFICIAL:
            raise PermissionDenied("only editors create official content; suggest curated or produced content")
        if author_id not in (None, actor.ambassador_id):
            raise PermissionDenied("you can only suggest content as its author")
        author_id = actor.ambassador_id
        check_may_submit(engine, session, actor, origin)
    elif origin is not ContentOrigin.OFFICIAL and author_id is None:
        author_id = actor.ambassador_id
    if author_id is not None and session.get(Ambassador, author_id) is None:
        raise ValidationFailed(f"ambassador {author_id} does not exist", field="author_id")
    check_web_url(data.get("url"), "url")
    check_web_url(data.get("image_url"), "image_url")
    inputs.check_locale(data.get("language") or "en", "language")
    _check_window(data.get("publish_at"), data.get("expires_at"))
    _check_campaign(session, data.get("campaign_id"))
    _check_translation(session, data.get("translation_of_id"))
    if data.get("featured") and not actor.is_editor:
        raise PermissionDenied("only editors feature content")
    content = Content(
        **{name: data[name] for name in SCALAR_FIELDS if name in data and data[name] is not None},
        origin=origin,
        author_id=author_id,
        status=ContentStatus.DRAFT,
    )
    session.add(content)
    session.flush()
    assert content.id is not None
    _replace_children(
        session,
        engine,
        content.id,
        topics=data.get("topics") or [],
        audience=data.get("audience") or {},
        share_texts=data.get("share_texts") or [],
    )
    record_event(
        session,
        EventKind.CONTENT_CREATED,
        idempotency_key=f"content.created:{content.id}",
        ambassador_id=actor.ambassador_id,
        content_id=content.id,
        payload={"origin": origin.value, "title": content.title},
    )
    audit.record(session, actor, "content.created", content.id, after={"title": content.title, "origin": origin})
    return _load_children(session, [content], actor)[0]


def update_content(
    engine: Engine, session: Session, actor: Actor, content_id: int, changes: Mapping[str, Any]
) -> ContentDetails:
    """Apply ``changes`` (only the fields given).

    Editors edit anything but archived content; authors edit their own while it is a draft
    or changes were requested.
    """
    content = get_content_row(session, actor, content_id)
    is_author = content.author_id == actor.ambassador_id
    if content.status is ContentStatus.ARCHIVED:
        raise Conflict("archived content cannot be edited; reopen it first")
    if not actor.is_editor:
        if not is_author:
            raise PermissionDenied("only editors and the author edit content")
        if content.status not in AUTHOR_EDITABLE:
            raise PermissionDenied(f"content that is {content.status.value} can only be edited by an editor")
        if "featured" in changes:
            raise PermissionDenied("only editors feature content")
    check_web_url(changes.get("url"), "url")
    check_web_url(changes.get("image_url"), "image_url")
    inputs.check_locale(changes.get("language") or "en", "language")
    publish_at = changes.get("publish_at", content.publish_at)
    expires_at = changes.get("expires_at", content.expires_at)
    _check_window(publish_at, expires_at)
    if "campaign_id" in changes:
        _check_campaign(session, changes["campaign_id"])
    before = audit.snapshot(content, changes)
    if "translation_of_id" in changes:
        _check_translation(session, changes["translation_of_id"], content_id)
    for name in SCALAR_FIELDS:
        if name in changes:
            value = changes[name]
            if value is None and name in {"title", "url", "summary", "body", "language", "featured", "edit_policy"}:
                raise ValidationFailed(f"{name} cannot be null", field=name)
            setattr(content, name, value)
    content.updated_at = engine.clock.now()
    session.add(content)
    assert content.id is not None
    _replace_children(
        session,
        engine,
        content.id,
        topics=changes.get("topics"),
        audience=changes.get("audience"),
        share_texts=changes.get("share_texts"),
    )
    after = audit.snapshot(content, changes) | {name: "(changed)" for name in CHILD_FIELDS if changes.get(name)}
    audit.record(session, actor, "content.updated", content_id, before=before, after=after)
    return _load_children(session, [content], actor)[0]


def delete_content(session: Session, actor: Actor, content_id: int) -> None:
    """Delete a draft; anything that went further is archived instead, to keep its history."""
    content = get_content_row(session, actor, content_id)
    if not actor.is_editor and content.author_id != actor.ambassador_id:
        raise PermissionDenied("only editors and the author delete content")
    if content.status is not ContentStatus.DRAFT:
        raise Conflict(f"only drafts can be deleted; archive content that is {content.status.value}")
    session.delete(content)
    session.flush()
    audit.record(session, actor, "content.deleted", content_id, before={"title": content.title})


def transition_content(
    session: Session, actor: Actor, content_id: int, action: ContentAction, note: str | None = None
) -> ContentDetails:
    """Move content through its lifecycle, checking who may do it, and record the event."""
    content = get_content_row(session, actor, content_id)
    transition = TRANSITIONS[action]
    is_author = content.author_id == actor.ambassador_id
    if transition.editor_only and not actor.is_editor:
        raise PermissionDenied(f"only editors can {action.value.replace('_', ' ')} content")
    if not transition.editor_only and not (actor.is_editor or is_author):
        raise PermissionDenied(f"only editors and the author can {action.value} content")
    if transition.note_required and not (note and note.strip()):
        raise ValidationFailed(f"say why: {action.value.replace('_', ' ')} needs a note", field="note")
    previous = content.status
    content.status = next_status(content.status, action)
    content.status_note = note.strip() or None if note else None
    content.updated_at = utcnow()
    session.add(content)
    session.flush()
    assert content.id is not None
    # The n-th transition of this content: replaying the same request cannot record it twice.
    event_count = session.execute(
        sa.select(sa.func.count()).where(col(Event.content_id) == content.id, col(Event.kind).startswith("content."))
    ).scalar_one()
    record_event(
        session,
        transition.event,
        idempotency_key=f"content.{action.value}:{content.id}:{event_count}",
        ambassador_id=content.author_id if content.author_id is not None else actor.ambassador_id,
        content_id=content.id,
        payload={
            "from": previous.value,
            "to": content.status.value,
            "by": actor.ambassador_id,
            "note": content.status_note,
            "title": content.title,
        },
    )
    after = {"status": content.status, "note": content.status_note}
    audit.record(session, actor, transition.event.value, content.id, before={"status": previous}, after=after)
    return _load_children(session, [content], actor)[0]


def shareable_content(
    session: Session,
    actor: Actor,
    page: PageRequest,
    *,
    topic: str | None = None,
    campaign_id: int | None = None,
    search: str | None = None,
    language: str | None = None,
) -> Page[ContentDetails]:
    """What the actor may share now (their feed), featured first (in ``language`` first, when given)."""
    ambassador = session.get(Ambassador, actor.ambassador_id)
    if ambassador is None:
        raise NotFound("ambassador not found")
    query = shareable_query(
        ambassador,
        utcnow(),
        topic=topic.lower() if topic else None,
        campaign_id=campaign_id,
        search=search,
        language=language,
    )
    result = paginate(session, query, page)
    return Page(_load_children(session, result.items, actor), result.total, result.limit, result.offset)


__all__ = [
    "ContentAction",
    "ContentDetails",
    "Role",
    "create_content",
    "delete_content",
    "get_content",
    "list_content",
    "shareable_content",
    "transition_content",
    "update_content",
]


def check_may_submit(engine: Engine, session: Session, actor: Actor, origin: ContentOrigin) -> None:
    """Refuse suggesting content of ``origin`` below the level the programme asks for it (editors always may).

    Raises:
        PermissionDenied: naming the level needed and where the person stands.
    """
    required = engine.settings.submit_requires_level.get(origin.value)  # type: ignore[call-overload]
    if required is None or actor.is_editor:
        return
    ambassador = session.get(Ambassador, actor.ambassador_id)
    assert ambassador is not None
    if level_rank(ambassador.advocacy_level) < level_rank(AdvocacyLevel(required)):
        raise PermissionDenied(
            f"suggesting {origin.value} content opens at the {required} level; you are at the "
            f"{ambassador.advocacy_level.value} level"
        )
