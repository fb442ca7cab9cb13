"""Event kinds the core records, and the read-only view of an event handed to plugins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """Events the core itself records. Plugins may record kinds of their own."""

    AMBASSADOR_JOINED = "ambassador.joined"
    AMBASSADOR_OPTED_IN = "ambassador.opted_in"
    AMBASSADOR_PAUSED = "ambassador.paused"
    AMBASSADOR_RESUMED = "ambassador.resumed"
    AMBASSADOR_LEFT = "ambassador.left"
    GUIDELINES_ACCEPTED = "guidelines.accepted"
    ACCOUNT_CONNECTED = "account.connected"
    ACCOUNT_DISCONNECTED = "account.disconnected"
    CONTENT_CREATED = "content.created"
    CONTENT_SUBMITTED = "content.submitted"
    CONTENT_APPROVED = "content.approved"
    CONTENT_REJECTED = "content.rejected"
    CONTENT_CHANGES_REQUESTED = "content.changes_requested"
    CONTENT_ARCHIVED = "content.archived"
    CONTENT_REOPENED = "content.reopened"
    SHARE_CREATED = "share.created"
    SHARE_CANCELLED = "share.cancelled"
    SHARE_PUBLISHED = "share.published"
    SHARE_FAILED = "share.failed"
    SHARE_VERIFIED = "share.verified"
    CLICK_COUNTED = "click.counted"
    CLICK_DISCOUNTED = "click.discounted"
    ENGAGEMENT_REPORTED = "engagement.reported"
    POINTS_RELEASED = "points.released"
    POINTS_REJECTED = "points.rejected"
    LEVEL_CHANGED = "ambassador.level_changed"
    CHALLENGE_QUALIFIED = "challenge.qualified"


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored in the append-only log; what hooks receive.

    Attributes:
        id: Position in the log.
        kind: What happened (an :class:`EventKind` value or a plugin's own kind).
        occurred_at: When it happened (UTC).
        idempotency_key: The key that makes recording it twice a no-op.
        ambassador_id: Whom it concerns, if anyone.
        content_id: The content involved, if any.
        share_id: The share involved, if any.
        payload: Extra facts, JSON-serialisable.
    """

    id: int
    kind: str
    occurred_at: datetime
    idempotency_key: str
    ambassador_id: int | None = None
    content_id: int | None = None
    share_id: int | None = None
    payload: dict[str, Any] = field(default_factory=dict)
