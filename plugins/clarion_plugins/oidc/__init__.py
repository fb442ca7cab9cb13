"""OpenID Connect sign-in through the intranet's identity provider, as a built-in plugin (``identity-oidc``).

It owns ``/auth/oidc/login``, ``/auth/oidc/callback`` and ``/auth/oidc/logout``
(:mod:`clarion_plugins.oidc.web`, through ``clarion_routes_register``), its settings under
``[plugins.identity-oidc]`` (:mod:`clarion_plugins.oidc.settings`, through ``clarion_config_register``)
and the "Sign in with your company account" card of ``/admin/signin`` (slot ``before-form``, through
``clarion_page_sections_render``). The flow itself, authorization code with PKCE, is
:mod:`clarion_plugins.oidc.client`; a signed-in person gets the same widget session any other
identity gets, so the core knows nothing of OIDC.

Loaded without an issuer, the routes answer 404 saying OIDC is not configured and the sign-in page
shows no card. Blocked (``disabled_plugins = ["identity-oidc"]``), the routes are gone (404) and its
settings are ignored with a warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clarion import hookimpl
from clarion.web.sections import render_section
from clarion_plugins.oidc.settings import PLUGIN_NAME, OidcSettings
from clarion_plugins.oidc.web import OidcController

if TYPE_CHECKING:
    from litestar import Request

    from clarion.engine import Engine

__all__ = ["PLUGIN_NAME", "Settings"]

Settings = OidcSettings  # what `[plugins.identity-oidc]` accepts, named as every built-in names it


@hookimpl
def clarion_config_register() -> type[OidcSettings]:
    return OidcSettings


@hookimpl
def clarion_routes_register() -> list[Any]:
    return [OidcController]


@hookimpl
def clarion_page_sections_render(
    engine: Engine, page: str, slot: str, request: Request[Any, Any, Any], language: str
) -> list[str] | None:
    if (page, slot) != ("admin-signin", "before-form") or not engine.plugin_config(PLUGIN_NAME).enabled:
        return None
    return [render_section(request, "oidc/signin_button.html", language=language)]
