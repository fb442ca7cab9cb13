"""The ``analytics`` plugin: reports, breakdowns and dashboards over the metrics domain's rollups.

It owns the ``/api/v1/analytics/…`` and ``/api/v1/me/analytics`` API (JSON and CSV), the admin
dashboards under ``/admin/analytics`` with their charts and templates, and ``clarion analytics
update|rebuild``. The figures, rollups and EMV valuation it reads stay in the core
(:mod:`clarion.metrics.figures`, :mod:`clarion.metrics.rollups`), so the admin home and the
widgets keep their numbers when a company blocks this plugin.
"""

from __future__ import annotations

from clarion import hookimpl
from clarion.contracts import AdminPage

PLUGIN_NAME = "analytics"


@hookimpl
def clarion_routes_register():
    # Imported here, not at the top: building an engine for a CLI command needs no web layer.
    from clarion_plugins.analytics.api import AnalyticsController, MyAnalyticsController

    return [AnalyticsController, MyAnalyticsController]


@hookimpl
def clarion_admin_pages_register():
    from clarion_plugins.analytics.admin import AdminAnalyticsController

    return [AdminPage("/admin/analytics", "Analytics", "editor", [AdminAnalyticsController], order=50)]


@hookimpl
def clarion_commands_register(engine):
    from clarion_plugins.analytics.cli import analytics_group

    return [analytics_group(engine)]
