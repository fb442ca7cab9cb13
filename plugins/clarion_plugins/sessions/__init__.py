"""The ``sessions`` plugin: ``/admin/sessions``, where admins see who is signed in where and end sessions.

The sessions themselves are the core's (:mod:`clarion.ambassadors.widget_sessions`: every
session token has an ``auth_session`` row, sign-out ends it); this page only lists the open ones
and ends one session or all of a person's, each recorded with :func:`clarion.web.admin.kit.audit`.
"""

from __future__ import annotations

from clarion import hookimpl
from clarion.contracts import AdminPage

PLUGIN_NAME = "sessions"


@hookimpl
def clarion_admin_pages_register():
    from clarion_plugins.sessions.admin import AdminSessionsController

    return [AdminPage("/admin/sessions", "Sessions", "admin", [AdminSessionsController], order=75)]
