"""Campaigns: editors create and change them; everyone may read them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from clarion import audit
from clarion.actors import Actor
from clarion.errors import Conflict, NotFound, ValidationFailed
from clarion.models import Campaign, Content, Role, utcnow
from clarion.pagination import Page, PageRequest, paginate

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HASHTAG = re.compile(r"^\w{1,100}$")
FIELDS = (
    "name",
    "slug",
    "description",
    "goal_shares",
    "goal_clicks",
    "goal_reach",
    "goal_participation",
    "starts_at",
    "ends_at",
    "hashtags",
)


def _check(values: Mapping[str, Any], current: Campaign | None = None) -> None:
    slug = values.get("slug")
    if slug is not None and not SLUG.match(slug):
        raise ValidationFailed("slug uses lower-case letters, digits and single hyphens", field="slug")
    for tag in values.get("hashtags") or []:
        if not HASHTAG.match(tag.lstrip("#")):
            raise ValidationFailed(f"hashtag {tag!r} must be letters, digits or underscores", field="hashtags")
    starts = values.get("starts_at", current.starts_at if current else None)
    ends = values.get("ends_at", current.ends_at if current else None)
    if starts and ends and ends <= starts:
        raise ValidationFailed("ends_at must be after starts_at", field="ends_at")
    for goal in ("goal_shares", "goal_clicks", "goal_reach"):
        if values.get(goal) is not None and values[goal] < 0:
            raise ValidationFailed(f"{goal} must not be negative", field=goal)
    participation = values.get("goal_participation")
    if participation is not None and not 0 <= participation <= 100:
        raise ValidationFailed("goal_participation is a percentage from 0 to 100", field="goal_participation")


def _slug_taken(session: Session, slug: str, other_than: int | None = None) -> bool:
    query = select(Campaign.id).where(Campaign.slug == slug)
    if other_than is not None:
        query = query.where(Campaign.id != other_than)
    return session.exec(query).first() is not None


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return campaign


def list_campaigns(session: Session, page: PageRequest, *, active_at: Any = None) -> Page[Campaign]:
    query = select(Campaign)
    if active_at is not None:
        query = query.where(
            sa.or_(col(Campaign.starts_at).is_(None), col(Campaign.starts_at) <= active_at),
            sa.or_(col(Campaign.ends_at).is_(None), col(Campaign.ends_at) > active_at),
        )
    return paginate(session, query.order_by(col(Campaign.starts_at).desc().nulls_last(), col(Campaign.id).desc()), page)


def create_campaign(session: Session, actor: Actor, data: Mapping[str, Any]) -> Campaign:
    actor.require(Role.EDITOR, "creating campaigns")
    _check(data)
    if _slug_taken(session, data["slug"]):
        raise Conflict(f"a campaign with slug {data['slug']!r} already exists")
    values = {name: data[name] for name in FIELDS if data.get(name) is not None}
    values["hashtags"] = [tag.lstrip("#") for tag in values.get("hashtags", [])]
    campaign = Campaign(**values)
    session.add(campaign)
    session.flush()
    audit.record(session, actor, "campaign.created", campaign.id, after=values)
    return campaign


def update_campaign(session: Session, actor: Actor, campaign_id: int, changes: Mapping[str, Any]) -> Campaign:
    actor.require(Role.EDITOR, "changing campaigns")
    campaign = get_campaign(session, campaign_id)
    _check(changes, campaign)
    before = audit.snapshot(campaign, changes)
    if changes.get("slug") and _slug_taken(session, changes["slug"], campaign_id):
        raise Conflict(f"a campaign with slug {changes['slug']!r} already exists")
    for name in FIELDS:
        if name not in changes:
            continue
        value = changes[name]
        if value is None and name in {"name", "slug", "description", "hashtags"}:
            raise ValidationFailed(f"{name} cannot be null", field=name)
        if name == "hashtags":
            value = [tag.lstrip("#") for tag in value]
        setattr(campaign, name, value)
    campaign.updated_at = utcnow()
    session.add(campaign)
    session.flush()
    audit.record(
        session, actor, "campaign.updated", campaign_id, before=before, after=audit.snapshot(campaign, changes)
    )
    return campaign


def delete_campaign(session: Session, actor: Actor, campaign_id: int) -> None:
    """Delete a campaign that has no content; content keeps history, so detach or archive first."""
    actor.require(Role.EDITOR, "deleting campaigns")
    campaign = get_campaign(session, campaign_id)
    used = session.exec(select(Content.id).where(Content.campaign_id == campaign_id)).first()
    if used is not None:
        raise Conflict("this campaign still has content; move or archive the content first")
    session.delete(campaign)
    session.flush()
    audit.record(session, actor, "campaign.deleted", campaign_id, before={"name": campaign.name})
