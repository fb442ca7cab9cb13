"""``clarion demo``: load the demo programme, with a progress bar per step on stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from clarion.engine import Engine

T = TypeVar("T")


def with_progress(work: Callable[[Any], T]) -> T:
    """Run ``work(progress)`` with progress bars on stderr, one per step it reports."""
    bar: Any = None

    def progress(step: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None or bar.label != step:
            if bar is not None:
                bar.render_finish()
            bar = click.progressbar(length=total, label=step, file=sys.stderr, show_pos=True)
            bar.label = step
        bar.update(done - bar.pos)

    result = work(progress)
    if bar is not None:
        bar.render_finish()
    return result


def demo_command(engine: Engine) -> click.Command:
    from clarion.cli import clean_errors

    @click.command("demo")
    @clean_errors
    def demo() -> None:
        """Load the demo programme (idempotent): people, campaigns, content, 90 days of shares."""
        from clarion import schema
        from clarion_plugins.demo.loader import load_demo

        schema.upgrade(engine.db, "head", engine.schemas().values())
        click.echo(with_progress(lambda progress: load_demo(engine, progress=progress)), err=True)

    return demo
