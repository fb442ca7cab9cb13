"""The ``audit-log`` plugin: the audit log read back, at ``/admin/audit`` and ``GET /api/v1/audit``.

The core records every change by an editor, admin, API token, provisioning client or the command
line (:func:`clarion.audit.record`, append-only); this plugin lets an admin answer "who changed
this, and when": filters, pages and a CSV export. Essential: an admin can never switch it off.
"""

from __future__ import annotations

from clarion import hookimpl
from clarion.contracts import AdminPage

PLUGIN_NAME = "audit-log"


@hookimpl
def clarion_routes_register():
    # Imported here, not at the top: building an engine for a CLI command needs no web layer.
    from clarion_plugins.audit_log.api import AuditController

    return [AuditController]


@hookimpl
def clarion_admin_pages_register():
    from clarion_plugins.audit_log.admin import AdminAuditController

    return [AdminPage("/admin/audit", "Audit log", "admin", [AdminAuditController], order=75)]
