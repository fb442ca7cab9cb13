"""The core's own background jobs, registered through ``clarion_jobs_register`` like any plugin's.

An essential plugin (``core-jobs``): publishing shares, reconciling unknown outcomes, the sweeper,
metric syncs, click ingestion and analytics rollups. Task names are stable: tasks already queued
under them (in the SQLite file or Redis) still run after an upgrade.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from clarion import hookimpl
from clarion.contracts import Job
from clarion.metrics import metric_sync, rollups
from clarion.shares import clicks, publishing

if TYPE_CHECKING:
    from clarion.engine import Engine

logger = logging.getLogger("clarion.jobs")

PUBLISH_SHARE = "clarion.publish_share"
RECONCILE_SHARE = "clarion.reconcile_share"


def _publish_share(engine: Engine, share_id: int) -> None:
    publishing.publish_share(engine, share_id)


def _reconcile_share(engine: Engine, share_id: int, attempt: int = 1) -> None:
    publishing.reconcile_share(engine, share_id, attempt=attempt)


def _sweep_shares(engine: Engine) -> None:
    publishing.sweep(engine)


def _ingest_clicks(engine: Engine) -> None:
    # The journal is local: this catches clicks of any server on this host whose own ingester is
    # off or was killed. Skipped while another ingester is at work.
    clicks.ingest_clicks(engine, wait=False)


def _update_analytics(engine: Engine) -> None:
    # Two workers may run it at once: the watermark lock makes the second wait, then find nothing
    # (or only what arrived meanwhile) to fold.
    rollups.update(engine)


def _sync_metrics(engine: Engine) -> None:
    if not engine.settings.metrics_sync:
        return
    report = metric_sync.sync(engine)
    if report.polled or report.deferred or report.failed:
        logger.info(
            "metrics: %d post(s) polled, %d new sample(s), %d deferred, %d failed",
            report.polled,
            report.samples,
            report.deferred,
            report.failed,
        )


@hookimpl
def clarion_jobs_register() -> list[Job]:
    return [
        Job(PUBLISH_SHARE, _publish_share),
        Job(RECONCILE_SHARE, _reconcile_share),
        Job("clarion.sweep_shares", _sweep_shares, schedule="* * * * *"),
        Job("clarion.ingest_clicks", _ingest_clicks, schedule="* * * * *"),
        Job("clarion.update_analytics", _update_analytics, schedule="* * * * *"),
        # Every ten minutes: what is due is decided per share by metrics_schedule, so a run with
        # nothing due costs one indexed query.
        Job("clarion.sync_metrics", _sync_metrics, schedule="*/10 * * * *"),
    ]
