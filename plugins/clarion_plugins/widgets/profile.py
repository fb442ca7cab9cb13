"""The profile widget: the person's own controls — pause, leave or rejoin, leaderboard visibility,
quiet hours, a personal daily cap per network, language, and connected accounts.

Every change goes through the person's own API (``/api/v1/me``, ``/api/v1/me/consent``,
``/api/v1/me/daily-limits``, ``/api/v1/me/accounts``); the widget only shows and collects.
The caps belong to the cadence guardrail: without it the widget leaves them out.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from clarion import hookimpl
from clarion.content import guidelines
from clarion.i18n import available_languages
from clarion.models import Ambassador, NetworkAccount
from clarion.widgets import Widget
from clarion_plugins.widgets.connect import connectable

PLUGIN_NAME = "widget-profile"
WIDGET_NAME = "profile"
CADENCE_PLUGIN = "guardrail-cadence"
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}  # each language in its own words


def clock(minutes: int | None) -> str:
    return "" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def profile_context(engine, viewer, settings) -> dict[str, Any]:
    with engine.transaction() as session:
        ambassador = session.get(Ambassador, viewer.ambassador_id)
        accounts = session.exec(
            select(NetworkAccount)
            .where(NetworkAccount.ambassador_id == viewer.ambassador_id)
            .order_by(NetworkAccount.network, NetworkAccount.id)  # type: ignore[arg-type]
        ).all()
        connectors = engine.connectors()
        caps = None
        if engine.pm.get_plugin(CADENCE_PLUGIN) is not None:
            from clarion_plugins.guardrails.cadence import PLUGIN_NAME as CADENCE
            from clarion_plugins.guardrails.cadence import effective_limit
            from clarion_plugins.guardrails.cadence_limits import personal_limits

            programme = engine.plugin_config(CADENCE)
            mine = personal_limits(session, viewer.ambassador_id)
            caps = [
                {
                    "key": key,
                    "label": connector.label,
                    "programme": programme.limit_for(key),
                    "mine": mine.get(key),
                    "effective": effective_limit(programme.limit_for(key), mine.get(key)),
                }
                for key, connector in connectors.items()
            ]
        languages = [(code, LANGUAGE_NAMES.get(code, code)) for code in available_languages()]
        return {
            "consent": ambassador.consent.value,
            "active": ambassador.is_active,
            "guidelines_version": guidelines.current_version(engine, session),
            "leaderboard_visible": ambassador.leaderboard_visible,
            "quiet_hours": ambassador.quiet_hours_start is not None,
            "quiet_start": clock(ambassador.quiet_hours_start) or "22:00",
            "quiet_end": clock(ambassador.quiet_hours_end) or "07:00",
            "time_zone": ambassador.time_zone,
            "locale": ambassador.locale.split("-")[0].lower(),
            "languages": languages,
            "accounts": [
                {
                    "id": account.id,
                    "network": connectors[account.network].label if account.network in connectors else account.network,
                    "handle": account.handle,
                    "api": account.credentials_encrypted is not None,
                    "reconnect": account.status.value == "reconnect_needed",
                }
                for account in accounts
            ],
            "connectable": connectable(engine),
            "caps": caps,
        }


@hookimpl
def clarion_widgets_register(engine):
    return [
        Widget(
            name=WIDGET_NAME,
            title="My profile",
            template="widgets/profile.html",
            context=profile_context,
            cache="none",
            settings={},
        )
    ]
