"""The HTML home page: what this programme is, its numbers, and where to go next."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from litestar import Request, get
from litestar.response import Template
from sqlmodel import select

from clarion import __version__
from clarion.content.eligibility import in_window
from clarion.models import Ambassador, Campaign, Content, ContentStatus, Share, ShareStatus
from clarion.web.auth import PUBLIC, ClarionController, EngineDep
from clarion.web.sections import page_sections


def _count(session: Any, query: Any) -> int:
    return int(session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one())


class PagesController(ClarionController):
    include_in_schema = False

    @get("/", sync_to_thread=True, opt={"role": PUBLIC})
    def home(self, engine: EngineDep, request: Request[Any, Any, Any]) -> Template:

        now = engine.clock.now()
        with engine.transaction() as session:
            stats = {
                "ambassadors": _count(session, select(Ambassador.id)),
                "opted_in": _count(
                    session,
                    select(Ambassador.id).where(
                        Ambassador.opted_in_at.is_not(None),  # type: ignore[union-attr]
                        Ambassador.paused_at.is_(None),  # type: ignore[union-attr]
                        Ambassador.left_at.is_(None),  # type: ignore[union-attr]
                    ),
                ),
                "shareable": _count(
                    session, select(Content.id).where(Content.status == ContentStatus.APPROVED, *in_window(now))
                ),
                "shares": _count(session, select(Share.id).where(Share.status != ShareStatus.CANCELLED)),
                "campaigns": _count(session, select(Campaign.id)),
            }
            latest = session.exec(
                select(Content)
                .where(Content.status == ContentStatus.APPROVED, *in_window(now))
                .order_by(Content.featured.desc(), Content.id.desc())  # type: ignore[attr-defined,union-attr]
                .limit(8)
            ).all()
            campaigns = {c.id: c for c in session.exec(select(Campaign)).all()}
        return Template(
            template_name="home.html",
            context={
                "version": __version__,
                "stats": stats,
                "latest": latest,
                "campaigns": campaigns,
                "networks": list(engine.connectors().values()),
                "sections": page_sections(engine, "home", request),
                "plugin_count": len(engine.pm.records),
                "base_url": str(request.base_url).rstrip("/"),
            },
        )
