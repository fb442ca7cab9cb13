"""Tracked links: where ``/r/{code}`` leads, with UTM parameters added and no way to steer it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlmodel import Session, select

from clarion.config import Settings
from clarion.errors import NotFound
from clarion.models import Campaign, Content, ContentStatus, Share
from clarion.services.link_codes import is_link_code


@dataclass(frozen=True)
class LinkTarget:
    """Where a tracked link leads, and the share it belongs to (``None`` for a fallback)."""

    url: str
    share_id: int | None


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
    return LinkTarget(url, share.id)
