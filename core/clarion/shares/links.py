"""Tracked links: where ``/r/{code}`` leads, with UTM parameters added and no way to steer it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlmodel import Session, select

from clarion.actors import Actor
from clarion.config import Settings
from clarion.errors import NotFound
from clarion.models import Campaign, Content, ContentStatus, Share
from clarion.shares.link_codes import is_link_code

if TYPE_CHECKING:
    from clarion.engine import Engine


@dataclass(frozen=True)
class LinkTarget:
    """Where a tracked link leads, the share it belongs to, and until when that holds.

    ``valid_until`` is the content's expiry: past it, the link leads to the fallback instead.
    """

    url: str
    share_id: int | None
    valid_until: datetime | None = None


class LinkCache:
    """Where recently followed links lead, per process, for ``seconds`` (0 turns it off).

    The redirect is the hottest path: a popular post's link is followed many times a second, and
    its destination rarely changes. A change made elsewhere (content archived) shows after at
    most ``seconds``; an expiry date is honoured exactly. Unknown codes are never remembered.
    """

    def __init__(self, seconds: float, *, max_entries: int = 10_000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[str, tuple[LinkTarget, float]] = {}

    def get(self, code: str, now: datetime) -> LinkTarget | None:
        entry = self._entries.get(code)
        if entry is None:
            return None
        target, fetched = entry
        if time.monotonic() - fetched >= self.seconds or (target.valid_until is not None and now >= target.valid_until):
            self._entries.pop(code, None)
            return None
        return target

    def put(self, code: str, target: LinkTarget) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= self.max_entries:
            self._entries.pop(next(iter(self._entries)), None)  # the oldest entry
        self._entries[code] = (target, time.monotonic())

    def clear(self) -> None:
        self._entries.clear()


def with_utm(url: str, *, source: str, medium: str, campaign: str | None, content: str) -> str:
    """``url`` with UTM parameters set, keeping its own query parameters (ours win on a clash).

    ``utm_content`` is the opaque link code: never a person's name or e-mail.
    """
    parts = urlsplit(url)
    utm = {"utm_source": source, "utm_medium": medium, "utm_content": content}
    if campaign:
        utm["utm_campaign"] = campaign
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key not in utm]
    return urlunsplit(parts._replace(query=urlencode([*kept, *utm.items()])))


def _fallback(settings: Settings) -> str:
    return settings.link_fallback_url or f"{settings.base_url.rstrip('/')}/"


def resolve_link(session: Session, settings: Settings, code: str, now: datetime) -> LinkTarget:
    """The destination of a tracked link.

    The destination comes only from the stored share and its content: nothing in the request can
    change it (no open redirect), and only http(s) destinations are ever answered.

    Raises:
        NotFound: for a code that is malformed or unknown.
    """
    if not is_link_code(code):
        raise NotFound("this link does not exist")
    share = session.exec(select(Share).where(Share.link_code == code)).first()
    if share is None:
        raise NotFound("this link does not exist")
    content = session.get(Content, share.content_id)
    if content is None or content.status is not ContentStatus.APPROVED:
        return LinkTarget(_fallback(settings), share.id)
    if content.expires_at is not None and content.expires_at <= now:
        return LinkTarget(_fallback(settings), share.id)
    if urlsplit(content.url).scheme not in {"http", "https"}:
        return LinkTarget(_fallback(settings), share.id)
    campaign = session.get(Campaign, content.campaign_id) if content.campaign_id else None
    url = with_utm(
        content.url,
        source=share.network,
        medium=settings.utm_medium,
        campaign=campaign.slug if campaign else None,
        content=share.link_code,
    )
    return LinkTarget(url, share.id, content.expires_at)


# ``/r/{code}?s=qr``: the redirect flags the click via_qr; the destination never depends on it.
QR_PARAMETER, QR_VALUE = "s", "qr"


def qr_url(base_url: str, code: str) -> str:
    """What a link's QR code encodes: the tracked URL with the marker that flags clicks from scans."""
    return f"{base_url.rstrip('/')}/r/{code}?{QR_PARAMETER}={QR_VALUE}"


def qr_share(session: Session, actor: Actor, code: str) -> Share:
    """The share behind ``code``, when ``actor`` may have its QR code: its owner, editors and admins.

    Raises:
        NotFound: for an unknown code, or another ambassador's share (codes cannot be probed).
    """
    share = session.exec(select(Share).where(Share.link_code == code)).first() if is_link_code(code) else None
    if share is None or not (share.ambassador_id == actor.ambassador_id or actor.is_editor):
        raise NotFound("this link does not exist")
    return share


def link_cache(engine: Engine) -> LinkCache:
    """This process's cache of recently followed links for ``engine``."""
    return engine.resource("link_cache", lambda built: LinkCache(built.settings.link_cache_seconds))
