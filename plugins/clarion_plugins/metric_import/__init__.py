"""The ``metrics-import`` plugin: figures from networks without an API, imported from CSV files.

LinkedIn gives no API for a person's own post analytics; an admin copies them into a CSV file and
imports it, all rows or none. The plugin owns ``POST /api/v1/metrics/import``, the admin page
``/admin/metrics-import`` (check, then import) and ``clarion import-metrics FILE``. The samples it
stores are the metrics domain's (``reported``, origin ``import``), so reports and widgets count
them like polled figures; blocking the plugin removes the import, never the imported figures.
"""

from __future__ import annotations

from clarion import hookimpl
from clarion.contracts import AdminPage

PLUGIN_NAME = "metrics-import"


@hookimpl
def clarion_routes_register():
    # Imported here, not at the top: building an engine for a CLI command needs no web layer.
    from clarion_plugins.metric_import.api import MetricImportController

    return [MetricImportController]


@hookimpl
def clarion_admin_pages_register():
    from clarion_plugins.metric_import.admin import AdminMetricImportController

    return [
        AdminPage(
            "/admin/metrics-import",
            "Import metrics",
            "admin",
            [AdminMetricImportController],
            order=65,
        )
    ]


@hookimpl
def clarion_commands_register(engine):
    from clarion_plugins.metric_import.cli import import_metrics_command

    return [import_metrics_command(engine)]
