"""``clarion analytics update|rebuild``: keep the daily rollups the reports read current, or rebuild them.

The rollups are the metrics domain's (:mod:`clarion.metrics.rollups`; the worker updates them every
minute whether this plugin is loaded or not); these commands let an operator run an update now or
recompute everything after a fix.
"""

from __future__ import annotations

import time
from typing import Any

import click

from clarion import schema
from clarion.cli import clean_errors
from clarion.engine import Engine
from clarion.metrics import rollups


def _folded(report: Any) -> str:
    folded = report.folded
    return (
        f"{folded['share_event']} share(s), {folded['click']} click(s) and {folded['metric_sample']} metric sample(s)"
    )


def analytics_group(engine: Engine) -> click.Group:
    """The ``analytics`` command group, acting on ``engine``."""

    @click.group()
    def analytics() -> None:
        """Keep the daily analytics rollups current, or rebuild them from the raw data."""

    @analytics.command("update")
    @click.option(
        "--batch-size",
        default=None,
        type=click.IntRange(1, 1_000_000),
        help="Raw rows per source and transaction [default: the analytics_batch_size setting].",
    )
    @clean_errors
    def update(batch_size: int | None) -> None:
        """Fold the raw rows recorded since the last update into the rollups (the worker does it every minute)."""
        schema.require_current_schema(engine.db, engine.schemas().values())
        report = rollups.update(engine, batch_size=batch_size)
        click.echo(f"folded {_folded(report)} in {report.batches} batch(es)")

    @analytics.command("rebuild")
    @clean_errors
    def rebuild() -> None:
        """Recompute every rollup from the raw shares, clicks and metric samples (same result as the updates)."""
        schema.require_current_schema(engine.db, engine.schemas().values())
        started = time.monotonic()
        report = rollups.rebuild(engine)
        click.echo(f"rebuilt the rollups from {_folded(report)} in {time.monotonic() - started:.1f} s")

    return analytics
