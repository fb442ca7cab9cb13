"""One ``clarion worker`` process for the publishing benchmark, with the fake publisher plugged in.

It runs the code path of ``clarion worker`` (``Jobs.consumer().run()``, stopped gracefully by
SIGTERM) after printing ``ready`` and reading ``go``, so start-up stays out of the timing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from clarion.bootstrap import build_engine
from clarion.jobs import job_queue

from ..plugins import fake_publisher
from .bench_publishing import settings_for


def main() -> int:
    settings = settings_for(
        os.environ["CLARION_BENCH_DATABASE_URL"],
        os.environ["CLARION_BENCH_NETWORK_URL"],
        Path(os.environ["CLARION_BENCH_DIRECTORY"]),
        redis_url=os.environ["CLARION_BENCH_REDIS_URL"],
        queue_name=os.environ["CLARION_BENCH_QUEUE_NAME"],
        workers=1,
    )
    engine = build_engine(settings, extra_plugins={"fakepub": fake_publisher})
    try:
        consumer = job_queue(engine).consumer(workers=1, periodic=False)
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            return 1
        consumer.run()
    finally:
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
