"""``clarion import-metrics FILE``: the operator's way to the CSV import, all rows or none."""

from __future__ import annotations

from typing import Any

import click

from clarion import schema
from clarion.cli import clean_errors
from clarion.engine import Engine
from clarion.errors import ClarionError, InvalidRows
from clarion_plugins.metric_import.service import import_csv


def import_metrics_command(engine: Engine) -> click.Command:
    """The ``import-metrics`` command, acting on ``engine``."""

    @click.command("import-metrics")
    @click.argument("file", type=click.File("rb"))
    @click.option("--dry-run", is_flag=True, help="Check every row and show what would be imported; store nothing.")
    @clean_errors
    def import_metrics(file: Any, dry_run: bool) -> None:
        """Import figures from FILE (CSV: share,metric,value,observed_at; '-' reads stdin). All rows or none."""
        content = file.read()
        schema.require_current_schema(engine.db, engine.schemas().values())
        try:
            report = import_csv(engine, None, content, dry_run=dry_run)
        except InvalidRows as exc:
            for problem in exc.problems:
                column = f", column {problem.column}" if problem.column else ""
                click.echo(f"line {problem.line}{column}: {problem.message}", err=True)
            raise ClarionError(exc.detail) from None
        for row in report.rows:
            state = "unchanged" if row.unchanged else ("would import" if dry_run else "imported")
            click.echo(
                f"line {row.line}: share {row.share_id} {row.metric} = {row.value} at "
                f"{row.observed_at.isoformat()} ({state})"
            )
        verb = "would import" if dry_run else "imported"
        click.echo(f"{verb} {report.imported} sample(s); {report.unchanged} row(s) already stored")

    return import_metrics
