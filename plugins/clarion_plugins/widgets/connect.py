"""Connecting an account from a widget: which networks can be connected, and the page that ends the flow.

The connect dialog (``widgets/connect_dialog.html``, in the profile and onboarding widgets) asks
for what a network needs: nothing more for OAuth (LinkedIn, X), the server for a network of many
servers (Mastodon), a handle and an app password for Bluesky. An OAuth flow ends on
``/connect/done``: a page in the person's language that closes its own window; the widget that
opened it sees the new account and tells the other widgets on the page.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import get
from litestar.params import QueryParameter
from litestar.response import Template

from clarion import hookimpl
from clarion.connectors import AuthKind
from clarion.i18n import language_of
from clarion.web.auth import PUBLIC, ClarionController

PLUGIN_NAME = "widget-connect"


def connectable(engine) -> list[dict[str, Any]]:
    """The networks an account can be connected to for API publishing, with what connecting asks for."""
    networks = []
    for key, connector in engine.connectors().items():
        if connector.auth_kind not in (AuthKind.OAUTH2, AuthKind.APP_PASSWORD):
            continue
        settings = getattr(connector, "settings", None)
        networks.append(
            {
                "key": key,
                "label": connector.label,
                "kind": connector.auth_kind.value,
                # A network of many servers (Mastodon) asks which one; its default fills the field.
                "instance": getattr(settings, "default_instance", None),
            }
        )
    return networks


class ConnectDoneController(ClarionController):
    path = "/connect"
    include_in_schema = False

    @get("/done", sync_to_thread=False, opt={"role": PUBLIC})
    def done(self, lang: Annotated[str | None, QueryParameter(max_length=16)] = None) -> Template:
        """Where an OAuth connection started from a widget ends: it closes itself (embed.js)."""
        return Template(
            template_name="widgets/connect_done.html",
            context={"language": language_of(lang)},
            headers={"cache-control": "no-store", "referrer-policy": "no-referrer"},
        )


@hookimpl
def clarion_routes_register() -> list[Any]:
    return [ConnectDoneController]
