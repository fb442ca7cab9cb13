"""Background work on huey: publishing shares, reconciling unknown outcomes, the sweeper, metric syncs,
click ingestion and analytics rollups.

The queue is a SQLite file in the embedded default and Redis at scale (``redis_url``); either
way the tasks are registered on a huey instance built per engine, never at import time.
"""

from __future__ import annotations

import logging
import signal
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from clarion.config import Settings

if TYPE_CHECKING:
    from clarion.engine import Engine

logger = logging.getLogger("clarion.jobs")

QUEUE_FILE = "clarion-queue.db"


def queue_file(settings: Settings) -> Path:
    """Where the SQLite queue lives: ``queue_path``, else next to the SQLite database, else here."""
    if settings.queue_path:
        return Path(settings.queue_path)
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(str(url.database))
        return database.with_name(f"{database.stem}-queue.db")
    return Path.cwd() / QUEUE_FILE


def make_queue(settings: Settings) -> Huey:
    """A huey instance on Redis when ``redis_url`` is set, else on a durable SQLite file."""
    if settings.redis_url:
        return RedisHuey(settings.queue_name, url=settings.redis_url, utc=True)
    return SqliteHuey(settings.queue_name, filename=str(queue_file(settings)), utc=True)


class _InProcessConsumer(Consumer):
    """A consumer started from a thread that is not the main one: the host owns the signals."""

    def _set_signal_handlers(self) -> None:
        return None


class _StandaloneConsumer(Consumer):
    """``clarion worker``: SIGTERM and SIGINT both let running tasks finish before exiting."""

    def __init__(self, huey: Huey, **options: Any) -> None:
        super().__init__(huey, **options)
        # huey interrupts on one of the two; a task cut short mid-request is safe (reconciled)
        # but slower, so both wait. A second signal still stops at once.
        self._signal_actions = {signal.SIGINT: (False, True), signal.SIGTERM: (False, True)}


class Jobs:
    """The engine's job queue: services enqueue through these typed methods.

    Args:
        engine: The engine whose services the tasks call.
        huey: A ready huey instance; built with :func:`make_queue` when omitted.
    """

    def __init__(self, engine: Engine, huey: Huey | None = None) -> None:
        self.engine = engine
        self.huey = huey if huey is not None else make_queue(engine.settings)
        self._publish, self._reconcile, self._sweep, self._update_analytics = self._register(self.huey)
        self._sync_metrics = self._register_metrics(self.huey)

    def _register_metrics(self, huey: Huey) -> TaskWrapper:
        from clarion.services import metric_sync

        engine = self.engine

        # Every ten minutes: what is due is decided per share by metrics_schedule, so a run with
        # nothing due costs one indexed query.
        @huey.periodic_task(crontab(minute="*/10"), name="clarion.sync_metrics")
        def sync_metrics() -> None:
            if engine.settings.metrics_sync:
                report = metric_sync.sync(engine)
                if report.polled or report.deferred or report.failed:
                    logger.info(
                        "metrics: %d post(s) polled, %d new sample(s), %d deferred, %d failed",
                        report.polled,
                        report.samples,
                        report.deferred,
                        report.failed,
                    )

        return sync_metrics

    def _register(self, huey: Huey) -> tuple[TaskWrapper, TaskWrapper, TaskWrapper, TaskWrapper]:
        from clarion.services import challenges, clicks, publishing, rollups

        engine = self.engine

        @huey.task(name="clarion.publish_share")
        def publish_share(share_id: int) -> None:
            publishing.publish_share(engine, share_id)

        @huey.task(name="clarion.reconcile_share")
        def reconcile_share(share_id: int, attempt: int = 1) -> None:
            publishing.reconcile_share(engine, share_id, attempt=attempt)

        @huey.periodic_task(crontab(minute="*"), name="clarion.sweep_shares")
        def sweep_shares() -> None:
            publishing.sweep(engine)

        @huey.periodic_task(crontab(minute="*"), name="clarion.ingest_clicks")
        def ingest_clicks() -> None:
            # The journal is local: this catches clicks of any server on this host whose own
            # ingester is off or was killed. Skipped while another ingester is at work.
            clicks.ingest_clicks(engine, wait=False)

        # Two workers may run it at once: the watermark lock makes the second wait, then find
        # nothing (or only what arrived meanwhile) to fold.
        @huey.periodic_task(crontab(minute="*"), name="clarion.update_analytics")
        def update_analytics() -> None:
            rollups.update(engine)

        # Results also freeze on first read; this makes the challenge.qualified events arrive on time.
        @huey.periodic_task(crontab(minute="7"), name="clarion.freeze_challenges")
        def freeze_challenges() -> None:
            challenges.freeze_due(engine)

        return publish_share, reconcile_share, sweep_shares, update_analytics

    # -- enqueueing --------------------------------------------------------------------------

    def publish(self, share_id: int, *, at: datetime | None = None) -> None:
        """Publish the share now, or at ``at`` (UTC); running early or twice is harmless."""
        if at is None:
            self._publish(share_id)
        else:
            self._publish.schedule(args=(share_id,), eta=at)

    def reconcile(self, share_id: int, *, delay: float = 0.0, attempt: int = 1) -> None:
        """Find out whether a share whose outcome is unknown was posted, after ``delay`` seconds."""
        if delay > 0:
            self._reconcile.schedule(args=(share_id,), kwargs={"attempt": attempt}, delay=delay)
        else:
            self._reconcile(share_id, attempt=attempt)

    # -- running -------------------------------------------------------------------------------

    def consumer(self, *, workers: int | None = None, periodic: bool = True, in_process: bool = False) -> Consumer:
        """A huey consumer with ``workers`` threads (``settings.workers`` by default).

        ``in_process`` leaves the signal handlers to the host (``clarion serve``, tests); the
        standalone consumer shuts down gracefully on SIGINT and SIGTERM.
        """
        options: dict[str, Any] = {
            "workers": workers or self.engine.settings.workers,
            "periodic": periodic,
            "worker_type": "thread",
            "initial_delay": 0.05,
            "max_delay": 1.0,
            "check_worker_health": not in_process,
        }
        if in_process:
            return _InProcessConsumer(self.huey, **options)
        return _StandaloneConsumer(self.huey, **options)

    def start_in_background(self, *, workers: int | None = None, periodic: bool = True) -> BackgroundConsumer:
        """Run a consumer on threads of this process until :meth:`BackgroundConsumer.stop`."""
        consumer = self.consumer(workers=workers, periodic=periodic, in_process=True)
        consumer.start()
        return BackgroundConsumer(consumer)

    def pending(self) -> int:
        """Tasks waiting in the queue (not counting scheduled ones)."""
        return int(self.huey.pending_count())

    def scheduled(self) -> int:
        """Tasks waiting for their time."""
        return int(self.huey.scheduled_count())

    def close(self) -> None:
        self.huey.storage.close()


class BackgroundConsumer:
    """A consumer running on threads inside another program."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer
        self._stopped = threading.Event()

    def stop(self) -> None:
        """Finish the tasks in flight, then stop."""
        if not self._stopped.is_set():
            self._stopped.set()
            self.consumer.stop(graceful=True)
