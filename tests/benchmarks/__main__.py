"""``python -m tests.benchmarks [--quick] [--backend sqlite|postgresql|all] [--json PATH] [--only NAME]``."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import (
    bench_dashboard,
    bench_eligibility,
    bench_leaderboard,
    bench_publishing,
    bench_recompute,
    bench_redirect,
    bench_startup,
    bench_widgets,
)
from .dataset import Sizes

POSTGRES_ENV = "CLARION_TEST_POSTGRES_URL"
FULL = Sizes(ambassadors=10_000, content=100_000)
QUICK = Sizes(ambassadors=1_000, content=10_000)
QUICK_SHARES = 200
SHARES_ENV = "CLARION_BENCH_SHARES"

# Ambassadors, shares each, counted clicks per share: about 56,000 events (quick: 5,600).
RECOMPUTE_FULL = bench_recompute.Settings(ambassadors=1_000, shares_per_ambassador=5, clicks_per_share=10)
RECOMPUTE_QUICK = bench_recompute.Settings(ambassadors=100, shares_per_ambassador=5, clicks_per_share=10)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.benchmarks",
        description="Clarion benchmarks, each against a baseline measured in the same run.",
    )
    parser.add_argument(
        "--quick", action="store_true", help=f"{QUICK.ambassadors:,} ambassadors and {QUICK.content:,} content items"
    )
    parser.add_argument(
        "--backend",
        choices=("sqlite", "postgresql", "all"),
        default="all",
        help=f"'all' is SQLite, plus PostgreSQL when {POSTGRES_ENV} is set (default)",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure and plan to PATH")
    parser.add_argument(
        "--only",
        choices=(
            "eligibility",
            "startup",
            "publishing",
            "recompute",
            "redirect",
            "dashboard",
            "widgets",
            "leaderboard",
        ),
        help="run one benchmark only",
    )
    parser.add_argument(
        "--dashboard-sizes",
        type=lambda text: tuple(int(part) for part in text.split(",")),
        metavar="N,N,N",
        help="click counts the dashboard grows through (100000,1000000,10000000; quick 10000,100000,1000000)",
    )
    parser.add_argument("--ambassadors", type=int, metavar="N", help="ambassadors timed per backend (4; quick 3)")
    parser.add_argument("--rounds", type=int, metavar="N", help="rounds over those ambassadors (3; quick 2)")
    parser.add_argument("--startup-runs", type=int, metavar="N", help="timed starts of each server (5; quick 3)")
    parser.add_argument(
        "--shares",
        type=int,
        metavar="N",
        help=f"due shares the publishing benchmark publishes per queue ({bench_publishing.DEFAULT_SHARES:,}; "
        f"quick {QUICK_SHARES}; or the {SHARES_ENV} environment variable)",
    )
    parser.add_argument("--redirect-seconds", type=int, metavar="N", help="seconds of each wrk run (10; quick 5)")
    parser.add_argument("--redirect-rounds", type=int, metavar="N", help="wrk runs of each server (3; quick 1)")
    parser.add_argument("--widget-seconds", type=int, metavar="N", help="seconds of each widget wrk run (10; quick 3)")
    parser.add_argument(
        "--widget-rounds", type=int, metavar="N", help="wrk runs of each widget and server (3; quick 1)"
    )
    parser.add_argument(
        "--ledger",
        type=int,
        nargs="+",
        metavar="N",
        help="ledger sizes the leaderboard benchmark grows through (1M 10M; quick 200k 1M); "
        "the issue's figures: --ledger 1000000 10000000 50000000 (PostgreSQL: about 15 GB of disk)",
    )
    parser.add_argument(
        "--leaderboard-ambassadors", type=int, metavar="N", help="ambassadors on the boards (100,000; quick 10,000)"
    )
    parser.add_argument("--no-proposals", action="store_true", help="skip the open proposal (a capped count)")
    parser.add_argument("--analyze-sqlite", action="store_true", help="ANALYZE SQLite after loading")
    parser.add_argument("--plans", action="store_true", help="print whole query plans, not only their summary")
    return parser.parse_args(argv)


def backends(choice: str) -> list[str]:
    if choice == "all":
        return ["sqlite", "postgresql"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]
    return [choice]


def postgres_version(url: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return str(connection.exec_driver_sql("SHOW server_version").scalar_one())
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    began = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f}s] {message}", file=sys.stderr, flush=True)

    chosen = backends(arguments.backend)
    postgres_server = os.environ.get(POSTGRES_ENV) or None
    if "postgresql" in chosen and postgres_server is None:
        print(f"--backend postgresql needs {POSTGRES_ENV} (a server URL; a scratch database is made there)")
        return 2
    sizes = QUICK if arguments.quick else FULL
    results: dict[str, Any] = {
        "meta": {
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": arguments.quick,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "load_average_at_start": os.getloadavg(),
            "sqlite": sqlite3.sqlite_version,
            "postgresql": postgres_version(postgres_server) if "postgresql" in chosen and postgres_server else None,
            "pythondontwritebytecode": bool(os.environ.get("PYTHONDONTWRITEBYTECODE")),
        }
    }
    texts = []
    if arguments.only in (None, "eligibility"):
        settings = bench_eligibility.Settings(
            sample_size=arguments.ambassadors or (3 if arguments.quick else 4),
            repeats=arguments.rounds or (2 if arguments.quick else 3),
            analyze_sqlite=arguments.analyze_sqlite,
            proposals=not arguments.no_proposals,
        )
        log(f"generating {sizes.ambassadors:,} ambassadors and {sizes.content:,} content items")
        prepared = bench_eligibility.prepare(sizes)
        results["eligibility"] = {}
        for backend in chosen:
            result = bench_eligibility.run(backend, prepared, settings, postgres_server=postgres_server, log=log)
            results["eligibility"][backend] = result
            texts.append(bench_eligibility.render(result, full_plans=arguments.plans))
        if "postgresql" not in chosen:
            log(f"PostgreSQL skipped: set {POSTGRES_ENV} to include it")
    if arguments.only in (None, "recompute"):
        recompute_settings = RECOMPUTE_QUICK if arguments.quick else RECOMPUTE_FULL
        results["recompute"] = [
            bench_recompute.run(backend, recompute_settings, repeats=2, postgres_server=postgres_server, log=log)
            for backend in chosen
        ]
        texts.append(bench_recompute.render(results["recompute"]))
    if arguments.only in (None, "leaderboard"):
        # Generating the ledger server-side makes PostgreSQL the one to grow to tens of millions of rows.
        backend = "postgresql" if "postgresql" in chosen else "sqlite"
        default_sizes = (200_000, 1_000_000) if arguments.quick else (1_000_000, 10_000_000)
        leaderboard_settings = bench_leaderboard.Settings(
            ambassadors=arguments.leaderboard_ambassadors or (10_000 if arguments.quick else 100_000),
            ledger_sizes=tuple(sorted(arguments.ledger or default_sizes)),
            backend=backend,
        )
        results["leaderboard"] = bench_leaderboard.run(
            leaderboard_settings, postgres_server=postgres_server if backend == "postgresql" else None, log=log
        )
        texts.append(bench_leaderboard.render(results["leaderboard"]))
    if arguments.only in (None, "startup"):
        results["startup"] = bench_startup.run(arguments.startup_runs or (3 if arguments.quick else 5), log=log)
        texts.append(bench_startup.render(results["startup"]))
    if arguments.only in (None, "publishing"):
        shares = arguments.shares or int(os.environ.get(SHARES_ENV) or 0) or None
        if shares is None:
            shares = QUICK_SHARES if arguments.quick else bench_publishing.DEFAULT_SHARES
        server = postgres_server if "postgresql" in chosen else None
        results["publishing"] = bench_publishing.run(shares, postgres_server=server, log=log)
        texts.append(bench_publishing.render(results["publishing"]))
    if arguments.only in (None, "redirect"):
        results["redirect"] = bench_redirect.run(
            seconds=arguments.redirect_seconds or (5 if arguments.quick else 10),
            rounds=arguments.redirect_rounds or (1 if arguments.quick else 3),
            connections=32,
            log=log,
        )
        texts.append(bench_redirect.render(results["redirect"]))
    if arguments.only in (None, "dashboard"):
        sizes_to_run = arguments.dashboard_sizes or (
            bench_dashboard.QUICK_SIZES if arguments.quick else bench_dashboard.FULL_SIZES
        )
        results["dashboard"] = bench_dashboard.run(bench_dashboard.Settings(sizes=sizes_to_run), log=log)
        texts.append(bench_dashboard.render(results["dashboard"]))
    if arguments.only in (None, "widgets"):
        results["widgets"] = bench_widgets.run(
            seconds=arguments.widget_seconds or (3 if arguments.quick else 10),
            rounds=arguments.widget_rounds or (1 if arguments.quick else 3),
            connections=16,
            log=log,
        )
        texts.append(bench_widgets.render(results["widgets"]))
    results["meta"]["load_average_at_end"] = os.getloadavg()
    results["meta"]["seconds"] = time.perf_counter() - began
    print("\n\n".join(texts))
    load_start, load_end = results["meta"]["load_average_at_start"][0], results["meta"]["load_average_at_end"][0]
    print(
        f"\n(ran {results['meta']['seconds']:.0f}s on {results['meta']['cpus']} CPUs; "
        f"1-minute load average {load_start:.1f} at start, {load_end:.1f} at end)"
    )
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2, default=str))
        log(f"figures written to {arguments.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
