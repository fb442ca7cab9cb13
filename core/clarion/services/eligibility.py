"""What may this ambassador share now: approved, inside its window, targeted to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select

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
) -> Any:
    """A SELECT of the content ``ambassador`` may share at ``now``, featured first, newest next.

    Empty when the ambassador is not opted in (or paused, or left): no share without consent.
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
    return query.order_by(
        Content.featured.desc(),  # type: ignore[attr-defined]
        sa.func.coalesce(Content.publish_at, Content.created_at).desc(),
        Content.id.desc(),  # type: ignore[union-attr]
    )


def is_targeted(audience: dict[AudienceDimension, set[str]], ambassador: Ambassador) -> bool:
    """The same targeting rule in Python, for one content item's audience rows."""
    for dimension, values in _audience_values(ambassador).items():
        wanted = audience.get(dimension, set())
        if wanted and not wanted & values:
            return False
    return True
