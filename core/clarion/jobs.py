"""The job queue on huey: every job registered through ``clarion_jobs_register`` (the core's own
in :mod:`clarion.core_jobs`, and plugins') becomes a task, periodic ones on their schedule.

The queue is a SQLite file in the embedded default and Redis at scale (``redis_url``); either
way the tasks are registered on a huey instance built per engine, never at import time.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from huey.consumer import Consumer
from sqlalchemy.engine import make_url

from clarion.config import Settings
from clarion.contracts import Job
from clarion.errors import NotFound, PluginError

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

    def _set_signal_handlers(self) -> None:
        super()._set_signal_handlers()
        # The last step of starting: from this line on a signal stops the worker gracefully.
        self._logger.info("Ready: SIGINT or SIGTERM stops the worker once running tasks finish.")


class Jobs:
    """The engine's job queue: services enqueue through these typed methods.

    Args:
        engine: The engine whose services the tasks call.
        huey: A ready huey instance; built with :func:`make_queue` when omitted.
    """

    def __init__(self, engine: Engine, huey: Huey | None = None) -> None:
        self.engine = engine
        self.huey = huey if huey is not None else make_queue(engine.settings)
        self._tasks = self._register(self.huey)

    def _register(self, huey: Huey) -> dict[str, TaskWrapper]:
        """Every registered job (the core's and plugins') as a huey task, periodic ones on their schedule."""
        engine = self.engine
        tasks: dict[str, TaskWrapper] = {}
        for job in engine.jobs_registered().values():
            run = _bound(job, engine)
            if job.schedule is None:
                tasks[job.name] = huey.task(name=job.name, retries=job.retries, retry_delay=job.retry_delay)(run)
                continue
            minute, hour, day, month, day_of_week = job.schedule.split()
            try:
                schedule = crontab(minute, hour, day, month, day_of_week)
            except ValueError as exc:
                raise PluginError(f"job {job.name!r}: schedule {job.schedule!r} is not valid cron: {exc}") from exc
            tasks[job.name] = huey.periodic_task(
                schedule, name=job.name, retries=job.retries, retry_delay=job.retry_delay
            )(run)
        return tasks

    def _task(self, name: str) -> TaskWrapper:
        try:
            return self._tasks[name]
        except KeyError:
            known = ", ".join(sorted(self._tasks)) or "none"
            raise NotFound(f"no job named {name!r} (registered jobs: {known})") from None

    def enqueue(self, name: str, *, at: datetime | None = None, delay: float = 0.0, **kwargs: Any) -> None:
        """Run the job ``name`` with ``kwargs`` on a worker: now, at ``at`` (UTC) or after ``delay`` seconds.

        Raises:
            NotFound: no plugin registers a job of that name.
        """
        task = self._task(name)
        if at is not None:
            task.schedule(kwargs=kwargs, eta=at)
        elif delay > 0:
            task.schedule(kwargs=kwargs, delay=delay)
        else:
            task(**kwargs)

    def run_now(self, name: str, **kwargs: Any) -> Any:
        """Run the job ``name`` on this thread, bypassing the queue (commands and tests).

        Raises:
            NotFound: no plugin registers a job of that name.
        """
        return self._task(name).call_local(**kwargs)

    # -- enqueueing --------------------------------------------------------------------------

    def publish(self, share_id: int, *, at: datetime | None = None) -> None:
        """Publish the share now, or at ``at`` (UTC); running early or twice is harmless."""
        self.enqueue("clarion.publish_share", at=at, share_id=share_id)

    def reconcile(self, share_id: int, *, delay: float = 0.0, attempt: int = 1) -> None:
        """Find out whether a share whose outcome is unknown was posted, after ``delay`` seconds."""
        self.enqueue("clarion.reconcile_share", delay=delay, share_id=share_id, attempt=attempt)

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


def _bound(job: Job, engine: Engine) -> Callable[..., Any]:
    def run(*args: Any, **kwargs: Any) -> Any:  # positional: tasks queued by older releases
        return job.run(engine, *args, **kwargs)

    run.__name__ = job.name.replace(".", "_").replace("-", "_")
    return run


def job_queue(engine: Engine) -> Jobs:
    """The job queue of ``engine``: its storage opens on first use, not at start-up."""
    return engine.resource("jobs", Jobs)


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
