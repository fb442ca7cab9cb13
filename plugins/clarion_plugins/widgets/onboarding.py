"""The onboarding widget: voluntary opt-in, the guidelines to accept, accounts to connect, next steps.

Once done (joined, the current guidelines accepted and a first share made) it shows nothing; a new
guidelines version brings it back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import select

from clarion import hookimpl
from clarion.content import guidelines
from clarion.errors import BadRequest
from clarion.models import Ambassador, NetworkAccount, Share
from clarion.widgets import Widget
from clarion_plugins.widgets.connect import connectable

PLUGIN_NAME = "widget-onboarding"


def onboarding_context(engine, viewer, settings) -> dict[str, Any]:
    guidelines_url = settings["guidelines_url"]
    if guidelines_url is not None:
        parts = urlsplit(guidelines_url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise BadRequest("guidelines_url must be an absolute http(s) URL", field="guidelines_url")
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        connected = {
            account.network
            for account in session.exec(
                select(NetworkAccount).where(NetworkAccount.ambassador_id == viewer.ambassador_id)
            )
        }
        in_force = guidelines.current(engine, session)
        current = in_force.version
        needs_guidelines = ambassador.is_active and ambassador.guidelines_version != current
        has_shared = session.exec(
            select(sa.func.count()).select_from(Share).where(Share.ambassador_id == viewer.ambassador_id)
        ).one()
        return {
            "done": ambassador.is_active and not needs_guidelines and bool(has_shared),
            "name": ambassador.name,
            "active": ambassador.is_active,
            "consent": ambassador.consent.value,
            "guidelines_version": current,
            "needs_guidelines": needs_guidelines,
            "guidelines_url": settings["guidelines_url"],
            "guidelines_html": in_force.html,
            "networks": [network | {"connected": network["key"] in connected} for network in connectable(engine)],
        }


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name="onboarding",
            title="Join the programme",
            template="widgets/onboarding.html",
            context=onboarding_context,
            cache="none",
            settings={"guidelines_url": None},
        )
    ]
