"""Benchmark: publishing scheduled API shares through a network answering after 50 ms.

Two queue set-ups publish the same number of due shares (2,000 by default) through a real HTTP
server that sleeps ``latency`` before answering each post:

* embedded: SqliteHuey and the consumer on threads of this process, as ``clarion serve`` runs it
  (``settings.workers`` threads), on a SQLite database;
* redis: RedisHuey and two ``clarion worker`` processes (the same ``Jobs.consumer().run()``
  code path, one thread each), on PostgreSQL when ``CLARION_TEST_POSTGRES_URL`` is set, else on
  a SQLite file both processes open.

The baseline, measured in the same run, is the concurrency bound: consumer threads x 1/latency
shares per second, what the set-up would reach if Clarion's own work cost nothing.

Own-code cost of one share: ``publish_share`` run one share at a time against the same server
answering at once (0 ms), minus the median of a bare HTTP round trip to that server made the way
a connector makes it (a new client per share, one POST): what is left is Clarion's claim,
credential, connector, outcome and event work plus the database round trips.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlmodel import col, select

from clarion.ambassadors.credentials import HTTP_TIMEOUT, store_credential, tls_context
from clarion.bootstrap import build_engine
from clarion.config import Settings, load_settings
from clarion.connectors import Credential
from clarion.db import Database
from clarion.engine import Engine
from clarion.jobs import job_queue
from clarion.models import (
    AdvocacyLevel,
    Ambassador,
    Content,
    ContentStatus,
    NetworkAccount,
    Role,
    Share,
    ShareMethod,
    ShareStatus,
    utcnow,
)
from clarion.plugins import DEFAULT_PLUGINS
from clarion.schema import upgrade
from clarion.shares import publishing
from clarion.shares.link_codes import new_link_code
from clarion_plugins.gamification import clarion_tables_register as gamification_schema

from ..plugins import fake_publisher
from ..plugins.fake_publisher import FakeNetwork
from .report import milliseconds, ratio, summarize, table

DEFAULT_SHARES = 2_000
LATENCY = 0.050
AMBASSADORS = 50
CONTENT_ITEMS = 20
COST_SAMPLE = 300
REDIS_URL = "redis://127.0.0.1:6379/7"
REDIS_WORKERS = 2
SECRET = "benchmark-secret-key-benchmark-secret-key"
GUARDRAILS = tuple(name for name in DEFAULT_PLUGINS if name.startswith("guardrail-"))
WORKER_MODULE = "tests.benchmarks.publishing_worker"
ROOT = Path(__file__).resolve().parents[2]


class BenchmarkFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Throughput:
    mode: str
    database: str
    shares: int
    threads: int
    latency: float
    seconds: float
    posts_received: int

    @property
    def shares_per_second(self) -> float:
        return self.shares / self.seconds

    @property
    def bound(self) -> float:
        return self.threads / self.latency

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "shares_per_second": self.shares_per_second, "bound": self.bound}


def settings_for(database_url: str, network_url: str, directory: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": SECRET,
        "plugin_autoload": False,
        "base_url": "http://clarion.bench",
        "queue_path": str(directory / "queue.db"),
        "disabled_plugins": GUARDRAILS,
        # A generous timeout: on a loaded machine a slow answer must not become an unknown outcome.
        "plugins": {"fakepub": {"base_url": network_url, "timeout": 10.0}},
        **overrides,
    }
    return load_settings({}, cwd=directory, **values)


@contextmanager
def database(backend: str, postgres_server: str | None, directory: Path) -> Iterator[str]:
    if backend == "postgresql":
        from clarion.testing import create_scratch_postgres, drop_scratch_postgres

        assert postgres_server is not None
        url = create_scratch_postgres(postgres_server)
        try:
            yield url
        finally:
            drop_scratch_postgres(postgres_server, url)
    else:
        yield f"sqlite:///{directory}/bench.db"


def seed(engine: Engine, count: int) -> list[int]:
    """``count`` API shares due now, spread over ambassadors with connected accounts."""
    now = utcnow()
    with engine.transaction() as session:
        accounts: list[int] = []
        for number in range(AMBASSADORS):
            ambassador = Ambassador(
                external_id=f"bench-{number}",
                name=f"Bench {number}",
                role=Role.AMBASSADOR,
                advocacy_level=AdvocacyLevel.ENGAGEMENT,
                opted_in_at=now,
                guidelines_version=engine.settings.guidelines_version,
            )
            session.add(ambassador)
            session.flush()
            account = NetworkAccount(ambassador_id=ambassador.id, network="fakepub", handle=f"@bench{number}")
            session.add(account)
            session.flush()
            store_credential(engine, session, account, Credential(access_token=f"token-{number}"))
            assert ambassador.id is not None
            accounts.append(ambassador.id)
        contents = []
        for number in range(CONTENT_ITEMS):
            content = Content(
                title=f"Launch {number}",
                url=f"https://example.com/launch-{number}",
                status=ContentStatus.APPROVED,
            )
            session.add(content)
            session.flush()
            contents.append(content.id)
        for number in range(count):
            session.add(
                Share(
                    content_id=contents[number % CONTENT_ITEMS],
                    ambassador_id=accounts[number % AMBASSADORS],
                    network="fakepub",
                    text=f"Proud of launch {number % CONTENT_ITEMS}",
                    method=ShareMethod.API,
                    status=ShareStatus.SCHEDULED,
                    scheduled_at=now - timedelta(seconds=1),
                    link_code=new_link_code(),
                )
            )
    with engine.transaction() as session:
        return [share_id for share_id in session.exec(select(Share.id).order_by(col(Share.id))).all() if share_id]


def counts(engine: Engine) -> dict[ShareStatus, int]:
    with engine.transaction() as session:
        rows = session.execute(sa.select(Share.status, sa.func.count()).group_by(Share.status)).all()
    return {ShareStatus(status): number for status, number in rows}


def wait_published(engine: Engine, count: int, timeout: float) -> float:
    """Seconds until every share is PUBLISHED; fails on any other final state or the timeout."""
    started = time.perf_counter()
    while True:
        now = counts(engine)
        if now.get(ShareStatus.PUBLISHED, 0) == count:
            return time.perf_counter() - started
        if now.get(ShareStatus.FAILED, 0):
            raise BenchmarkFailed(f"shares failed while publishing: {now}")
        if time.perf_counter() - started > timeout:
            raise BenchmarkFailed(f"not all published after {timeout:.0f}s: {now}")
        time.sleep(0.1)


def check_exactly_once(network: FakeNetwork, shares: list[int]) -> None:
    keys = sorted(post["key"] for post in network.posts)
    if keys != sorted(publishing.idempotency_key(share_id) for share_id in shares):
        raise BenchmarkFailed(f"{len(keys)} posts for {len(shares)} shares: some were lost or posted twice")


def run_embedded(count: int, latency: float, log: Callable[[str], None]) -> Throughput:
    with tempfile.TemporaryDirectory(prefix="clarion-bench-pub-") as name, FakeNetwork(latency=latency) as network:
        directory = Path(name)
        url = f"sqlite:///{directory}/bench.db"
        settings = settings_for(url, network.url, directory)
        upgrade(Database(url), "head", [gamification_schema()])
        engine = build_engine(settings, extra_plugins={"fakepub": fake_publisher})
        try:
            log(f"embedded: seeding {count:,} due shares (SQLite)")
            shares = seed(engine, count)
            publishing.sweep(engine)  # the sweeper's own path enqueues every due share
            log(f"embedded: {job_queue(engine).pending():,} tasks queued; consumer with {settings.workers} threads")
            consumer = job_queue(engine).start_in_background(periodic=False)
            try:
                seconds = wait_published(engine, count, timeout=120.0 + count * 0.5)
            finally:
                consumer.stop()
            check_exactly_once(network, shares)
            return Throughput("embedded", "sqlite", count, settings.workers, latency, seconds, len(network.posts))
        finally:
            engine.close()


def redis_available() -> bool:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
        return True
    except redis.exceptions.ConnectionError:
        return False
    finally:
        client.close()


def run_redis(count: int, latency: float, postgres_server: str | None, log: Callable[[str], None]) -> Throughput:
    backend = "postgresql" if postgres_server else "sqlite"
    queue_name = f"clarion-bench-{os.getpid()}-{int(time.time())}"
    with (
        tempfile.TemporaryDirectory(prefix="clarion-bench-pub-") as name,
        FakeNetwork(latency=latency) as network,
        database(backend, postgres_server, Path(name)) as url,
    ):
        directory = Path(name)
        overrides = {"redis_url": REDIS_URL, "queue_name": queue_name, "workers": 1}
        settings = settings_for(url, network.url, directory, **overrides)
        upgrade(Database(url), "head", [gamification_schema()])
        engine = build_engine(settings, extra_plugins={"fakepub": fake_publisher})
        workers: list[subprocess.Popen[str]] = []
        try:
            log(f"redis: seeding {count:,} due shares ({backend})")
            shares = seed(engine, count)
            environment = {
                **os.environ,
                "CLARION_BENCH_DATABASE_URL": url,
                "CLARION_BENCH_NETWORK_URL": network.url,
                "CLARION_BENCH_QUEUE_NAME": queue_name,
                "CLARION_BENCH_REDIS_URL": REDIS_URL,
                "CLARION_BENCH_DIRECTORY": str(directory),
            }
            for _ in range(REDIS_WORKERS):
                workers.append(
                    subprocess.Popen(
                        [sys.executable, "-m", WORKER_MODULE],
                        cwd=ROOT,
                        env=environment,
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        text=True,
                    )
                )
            for worker in workers:  # started and imported before the clock runs
                assert worker.stdout is not None
                if worker.stdout.readline().strip() != "ready":
                    raise BenchmarkFailed("a worker process did not start")
            publishing.sweep(engine)
            log(f"redis: {job_queue(engine).pending():,} tasks queued; {REDIS_WORKERS} worker processes, 1 thread each")
            for worker in workers:
                assert worker.stdin is not None
                worker.stdin.write("go\n")
                worker.stdin.flush()
            seconds = wait_published(engine, count, timeout=120.0 + count * 0.5)
            check_exactly_once(network, shares)
            return Throughput("redis", backend, count, REDIS_WORKERS, latency, seconds, len(network.posts))
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
            job_queue(engine).huey.storage.flush_all()
            engine.close()


# -- own-code cost ------------------------------------------------------------------------------


def round_trip(url: str) -> float:
    """One POST the way a connector makes it: a new client (so a new connection) with Clarion's settings."""
    started = time.perf_counter()
    with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False, verify=tls_context()) as http:
        http.post(f"{url}/posts", json={"text": "x"}, headers={"Authorization": "Bearer t", "Idempotency-Key": "rt"})
    return time.perf_counter() - started


def run_cost(backend: str, sample: int, postgres_server: str | None, log: Callable[[str], None]) -> dict[str, Any]:
    with (
        tempfile.TemporaryDirectory(prefix="clarion-bench-pub-") as name,
        FakeNetwork(latency=0.0) as network,
        database(backend, postgres_server, Path(name)) as url,
    ):
        directory = Path(name)
        settings = settings_for(url, network.url, directory)
        upgrade(Database(url), "head", [gamification_schema()])
        engine = build_engine(settings, extra_plugins={"fakepub": fake_publisher})
        try:
            log(f"own cost: {sample:,} shares one at a time against a 0 ms network ({backend})")
            shares = seed(engine, sample)
            publish, http = [], []
            for share_id in shares:
                # Interleaved, so both see the same machine load.
                http.append(round_trip(network.url))
                started = time.perf_counter()
                publishing.publish_share(engine, share_id)
                publish.append(time.perf_counter() - started)
            if counts(engine).get(ShareStatus.PUBLISHED, 0) != sample:
                raise BenchmarkFailed(f"not every share was published: {counts(engine)}")
            # What every connector call paid before connector_context shared one TLS context.
            own_store = []
            for _ in range(min(sample, 30)):
                started = time.perf_counter()
                httpx.Client(timeout=HTTP_TIMEOUT).close()
                own_store.append(time.perf_counter() - started)
            publish_summary, http_summary = summarize(publish), summarize(http)
            return {
                "backend": backend,
                "sample": sample,
                "publish_share": publish_summary.as_dict(),
                "http_round_trip": http_summary.as_dict(),
                "own_code_median": publish_summary.median - http_summary.median,
                "client_loading_certificates": summarize(own_store).as_dict(),
            }
        finally:
            engine.close()


# -- running and reporting ----------------------------------------------------------------------


def run(
    count: int = DEFAULT_SHARES,
    *,
    latency: float = LATENCY,
    postgres_server: str | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    results: dict[str, Any] = {"shares": count, "latency": latency, "throughput": [], "cost": []}
    results["throughput"].append(run_embedded(count, latency, log).as_dict())
    if redis_available():
        results["throughput"].append(run_redis(count, latency, postgres_server, log).as_dict())
    else:
        log(f"redis mode skipped: no Redis at {REDIS_URL}")
    sample = min(count, COST_SAMPLE)
    for backend in ["sqlite", "postgresql"] if postgres_server else ["sqlite"]:
        results["cost"].append(run_cost(backend, sample, postgres_server, log))
    return results


def render(results: dict[str, Any]) -> str:
    latency_ms = results["latency"] * 1000
    rows = [
        [
            f"{item['mode']} ({item['database']})",
            f"{item['shares']:,}",
            item["threads"],
            f"{item['seconds']:.1f}",
            f"{item['shares_per_second']:.1f}",
            f"{item['bound']:.1f}",
            f"{ratio(item['shares_per_second'], item['bound']):.2f}",
        ]
        for item in results["throughput"]
    ]
    throughput = table(["queue", "shares", "threads", "seconds", "shares/s", "bound/s", "of bound"], rows)
    cost_rows = [
        [
            item["backend"],
            item["sample"],
            milliseconds(item["publish_share"]["median"]),
            milliseconds(item["publish_share"]["p95"]),
            milliseconds(item["http_round_trip"]["median"]),
            milliseconds(item["own_code_median"]),
        ]
        for item in results["cost"]
    ]
    cost = table(["database", "shares", "publish ms", "p95 ms", "HTTP ms", "own code ms"], cost_rows)
    loading = max(item["client_loading_certificates"]["median"] for item in results["cost"])
    return "\n".join(
        [
            f"Publishing: {results['shares']:,} due API shares, fake network answering after {latency_ms:.0f} ms",
            "(bound = consumer threads x 1/latency: the rate if Clarion's own work cost nothing)",
            "",
            throughput,
            "",
            "Own-code cost of one share: publish_share against a 0 ms network, minus a bare HTTP round trip",
            "(median of each, one share at a time; every post checked to reach the network exactly once)",
            "",
            cost,
            "",
            f"(an HTTP client loading its own certificate store costs {milliseconds(loading)} ms more per share;",
            " connector_context shares one TLS context per process instead)",
        ]
    )
