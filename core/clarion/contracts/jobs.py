"""What a background job is: a name, a function of the engine, and an optional schedule."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JOB_NAME = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$")


@dataclass(frozen=True)
class Job:
    """A unit of background work a plugin runs on Clarion's task queue.

    Attributes:
        name: Unique dotted name, ``<plugin>.<job>`` (``kudos.weekly_digest``); it names the
            task on the queue, so keep it stable across releases.
        run: ``run(engine, **kwargs)``; called on a worker thread with the running engine and
            the keyword arguments given to ``engine.jobs.enqueue``. It must be idempotent: the
            queue may run a job twice after a crash.
        schedule: A five-field cron expression in UTC (``"*/10 * * * *"``) to run the job
            periodically on the workers that run periodic tasks, or ``None`` for a job that
            runs only when enqueued.
        retries: How many times a failed run is retried.
        retry_delay: Seconds between retries.
    """

    name: str
    run: Callable[..., Any]
    schedule: str | None = None
    retries: int = 0
    retry_delay: int = 0

    def __post_init__(self) -> None:
        if not JOB_NAME.match(self.name):
            raise ValueError(f"job name {self.name!r} is not '<plugin>.<job>' in lower case")
        if self.schedule is not None and len(self.schedule.split()) != 5:
            raise ValueError(f"job {self.name!r}: schedule {self.schedule!r} is not a five-field cron expression")
        if self.retries < 0 or self.retry_delay < 0:
            raise ValueError(f"job {self.name!r}: retries and retry_delay cannot be negative")
