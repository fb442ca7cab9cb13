"""What may this ambassador share now: approved, inside its window, targeted to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion.models import (
    Ambassador,
    AudienceDimension,
    Content,
    ContentAudience,
    ContentStatus,
    ContentTopic,
)


def locale_matches(locale: str) -> set[str]:
    """Targeting values that reach someone with ``locale``: itself and its language.

    Content for ``nl`` reaches ``nl-BE`` and ``nl-NL``; content for ``nl-BE`` reaches only ``nl-BE``.
    """
    return {locale, locale.split("-", 1)[0]}


def _audience_values(ambassador: Ambassador) -> dict[AudienceDimension, set[str]]:
    """Per dimension, the targeting values that include this ambassador (empty: none do)."""
    return {
        AudienceDimension.TEAM: {ambassador.team} if ambassador.team is not None else set(),
        AudienceDimension.DEPARTMENT: {ambassador.department} if ambassador.department is not None else set(),
        AudienceDimension.LOCALE: locale_matches(ambassador.locale),
    }


def targeted_to(ambassador: Ambassador) -> list[Any]:
    """SQL conditions: for each dimension, the content targets nobody in particular or them."""
    conditions = []
    for dimension, values in _audience_values(ambassador).items():
        rows = select(ContentAudience.content_id).where(
            ContentAudience.content_id == Content.id, ContentAudience.dimension == dimension
        )
        untargeted = ~sa.exists(rows)
        if not values:
            conditions.append(untargeted)
        else:
            matching = rows.where(col(ContentAudience.value).in_(sorted(values)))
            conditions.append(sa.or_(untargeted, sa.exists(matching)))
    return conditions


def in_window(now: datetime) -> list[Any]:
    return [
        sa.or_(col(Content.publish_at).is_(None), col(Content.publish_at) <= now),
        sa.or_(col(Content.expires_at).is_(None), col(Content.expires_at) > now),
    ]


def shareable_query(
    ambassador: Ambassador,
    now: datetime,
    *,
    topic: str | None = None,
    campaign_id: int | None = None,
    search: str | None = None,
    language: str | None = None,
) -> Any:
    """A SELECT of the content ``ambassador`` may share at ``now``, featured first, newest next.

    Empty when the ambassador is not opted in (or paused, or left): no share without consent.
    ``search`` keeps items whose title or summary contain it (any case); with ``language``,
    items in that language come first and, of an item and its translations, only the version in
    that language is listed when there is one open to share.
    """
    query = select(Content).where(Content.status == ContentStatus.APPROVED, *in_window(now))
    query = query.where(*targeted_to(ambassador))
    if not ambassador.is_active:
        query = query.where(sa.false())
    if topic is not None:
        query = query.where(
            sa.exists(
                select(ContentTopic.content_id).where(
                    ContentTopic.content_id == Content.id, ContentTopic.topic == topic
                )
            )
        )
    if campaign_id is not None:
        query = query.where(Content.campaign_id == campaign_id)
    if search:
        wanted = search.lower()
        query = query.where(
            sa.or_(
                sa.func.lower(Content.title).contains(wanted, autoescape=True),
                sa.func.lower(Content.summary).contains(wanted, autoescape=True),
            )
        )
    order: list[Any] = []
    if language is not None:
        query = query.where(~sa.exists(_translation_in(language, now)))
        in_language = sa.or_(
            Content.language == language, col(Content.language).startswith(f"{language}-", autoescape=True)
        )
        order.append(sa.case((in_language, 0), else_=1))
    return query.order_by(
        *order,
        Content.featured.desc(),  # type: ignore[attr-defined]
        sa.func.coalesce(Content.publish_at, Content.created_at).desc(),
        Content.id.desc(),  # type: ignore[union-attr]
    )


def _translation_in(language: str, now: datetime) -> Any:
    """SQL: another open version of the outer ``Content`` row, in ``language``, while the row is not.

    Versions are linked through ``translation_of_id`` (a translation points at its original).
    """
    other = sa.orm.aliased(Content)
    same_item = sa.or_(
        other.translation_of_id == Content.id,
        other.id == Content.translation_of_id,
        sa.and_(other.translation_of_id.is_not(None), other.translation_of_id == Content.translation_of_id),
    )
    return select(other.id).where(
        Content.language != language,
        other.id != Content.id,
        same_item,
        sa.or_(other.language == language, other.language.startswith(f"{language}-", autoescape=True)),
        other.status == ContentStatus.APPROVED,
        sa.or_(other.publish_at.is_(None), other.publish_at <= now),
        sa.or_(other.expires_at.is_(None), other.expires_at > now),
    )


def is_targeted(audience: dict[AudienceDimension, set[str]], ambassador: Ambassador) -> bool:
    """The same targeting rule in Python, for one content item's audience rows."""
    for dimension, values in _audience_values(ambassador).items():
        wanted = audience.get(dimension, set())
        if wanted and not wanted & values:
            return False
    return True


def _matches(dimension: AudienceDimension, values: set[str]) -> Any:
    """SQL: the ambassador is among ``values`` on ``dimension`` (the rule of :func:`_audience_values`)."""
    if dimension is AudienceDimension.TEAM:
        return col(Ambassador.team).in_(sorted(values))
    if dimension is AudienceDimension.DEPARTMENT:
        return col(Ambassador.department).in_(sorted(values))
    # Content for ``nl`` reaches ``nl`` and ``nl-BE``; content for ``nl-BE`` only ``nl-BE``.
    languages = sorted(value for value in values if "-" not in value)
    return sa.or_(
        col(Ambassador.locale).in_(sorted(values)),
        *(col(Ambassador.locale).startswith(f"{language}-", autoescape=True) for language in languages),
    )


def campaign_audience(session: Session, campaign_id: int) -> Any:
    """SQL condition on ``Ambassador``: targeted by at least one of the campaign's published content items.

    Published means approved now or archived since (what ambassadors could share). Opt-in is not
    part of the condition; a campaign without such content has nobody in its audience.
    """
    content_ids: list[int] = [
        content_id
        for content_id in session.exec(
            select(Content.id).where(
                Content.campaign_id == campaign_id,
                col(Content.status).in_([ContentStatus.APPROVED, ContentStatus.ARCHIVED]),
            )
        ).all()
        if content_id is not None
    ]
    return content_audience(session, content_ids)


def content_audience(session: Session, content_ids: list[int]) -> Any:
    """SQL condition on ``Ambassador``: targeted by at least one of these content items (none: nobody).

    Opt-in is not part of the condition.
    """
    if not content_ids:
        return sa.false()
    audiences: dict[int, dict[AudienceDimension, set[str]]] = {content_id: {} for content_id in content_ids}
    rows = session.exec(
        select(ContentAudience.content_id, ContentAudience.dimension, ContentAudience.value).where(
            col(ContentAudience.content_id).in_(content_ids)
        )
    ).all()
    for content_id, dimension, value in rows:
        audiences[content_id].setdefault(AudienceDimension(dimension), set()).add(value)
    alternatives = []
    for audience in audiences.values():
        if not audience:
            return sa.true()  # content for everyone: the whole programme is the audience
        alternatives.append(sa.and_(*(_matches(dimension, values) for dimension, values in audience.items())))
    return sa.or_(*alternatives)
