"""The my-queue widget: my scheduled and recent shares with their live status and what I can do.

Published shares link to the live post; failed ones say why in the person's language (the
failure's kind, from its ``share.failed`` event) and offer a retry; scheduled ones can be
cancelled or moved. Shares still on their way are marked so ``embed.js`` follows them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date, format_time
from sqlmodel import col, select

from clarion import hookimpl
from clarion.events import EventKind
from clarion.i18n import language_of
from clarion.models import Ambassador, Content, Event, Share, ShareMethod, ShareStatus
from clarion.widgets import Widget
from clarion_plugins.guardrails.cadence import ambassador_zone

PLUGIN_NAME = "widget-my-queue"
WIDGET_NAME = "my-queue"
RECENT = 10  # recent shares under the scheduled ones
PENDING = (ShareStatus.PLANNED, ShareStatus.PUBLISHING)


def failure_kinds(session, share_ids: list[int]) -> dict[int, str]:
    """The kind of each share's latest failure (``auth_expired``, ``rate_limited``…)."""
    if not share_ids:
        return {}
    events = session.exec(
        select(Event)
        .where(Event.kind == EventKind.SHARE_FAILED, col(Event.share_id).in_(share_ids))
        .order_by(col(Event.id))
    )
    return {event.share_id: str((event.payload or {}).get("error", "")) for event in events}


def my_queue_context(engine, viewer, settings) -> dict[str, Any]:
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        zone = ambassador_zone(ambassador)
        language = language_of(ambassador.locale)
        mine = select(Share, Content).join(Content, col(Content.id) == col(Share.content_id))
        mine = mine.where(Share.ambassador_id == viewer.ambassador_id)
        scheduled = session.exec(
            mine.where(Share.status == ShareStatus.SCHEDULED).order_by(col(Share.scheduled_at), col(Share.id))
        ).all()
        recent = session.exec(
            mine.where(col(Share.status).not_in([ShareStatus.SCHEDULED, ShareStatus.CANCELLED]))
            .order_by(col(Share.created_at).desc(), col(Share.id).desc())
            .limit(RECENT)
        ).all()
        failures = failure_kinds(session, [share.id for share, _ in recent if share.status is ShareStatus.FAILED])
        connectors = engine.connectors()

        def when(moment: datetime | None) -> dict[str, str] | None:
            if moment is None:
                return None
            local = moment.astimezone(zone)
            return {
                # The day and the minute; seconds would only be noise.
                "text": f"{format_date(local, 'medium', locale=language)} {format_time(local, 'short', locale=language)}",
                "iso": moment.isoformat(),
                "input": local.strftime("%Y-%m-%dT%H:%M"),  # for <input type="datetime-local">
            }

        def row(share: Share, content: Content) -> dict[str, Any]:
            return {
                "id": share.id,
                "title": content.title,
                "network": connectors[share.network].label if share.network in connectors else share.network,
                "status": share.status.value,
                "api": share.method is ShareMethod.API,
                "pending": share.method is ShareMethod.API and share.status in PENDING,
                "scheduled": when(share.scheduled_at),
                "published": when(share.published_at or share.opened_at),
                "post_url": share.external_post_url,
                "failure": failures.get(share.id, ""),
                "detail": share.last_error,
            }

        return {
            "active": ambassador.is_active,
            "time_zone": getattr(zone, "key", "UTC"),
            "scheduled": [row(share, content) for share, content in scheduled],
            "recent": [row(share, content) for share, content in recent],
        }


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name=WIDGET_NAME,
            title="My queue",
            template="widgets/my_queue.html",
            context=my_queue_context,
            cache="none",  # live status: never stale
            settings={},
        )
    ]
