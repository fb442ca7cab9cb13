"""``clarion kudos week`` and ``clarion kudos summarise``: the weeks' kudos from the command line."""

from __future__ import annotations

from typing import Any

import click
from clarion.errors import ValidationFailed
from clarion.models.types import utcnow

from clarion_kudos import service
from clarion_kudos.jobs import summarise_last_week

WEEK_HELP = "An ISO week such as 2026-W49."


def kudos_group(engine: Any) -> click.Group:
    @click.group("kudos", help="Kudos colleagues gave for shares.")
    def kudos() -> None:
        pass

    @kudos.command("week", help="Who received kudos this week (or in --week), most first.")
    @click.option("--week", "week", default=None, help=WEEK_HELP)
    def week(week: str | None) -> None:
        try:
            monday = service.parse_week(week) if week else service.week_start(utcnow().date())
        except ValidationFailed as exc:
            raise click.BadParameter(exc.detail, param_hint="--week") from None
        with engine.transaction() as session:
            lines = service.week_lines(session, monday)
        year, number, _ = monday.isocalendar()
        click.echo(f"Kudos in {year}-W{number:02d} (from {monday.isoformat()}): {sum(line.received for line in lines)}")
        for line in lines:
            click.echo(f"  {line.ambassador.name}: {line.received}")

    @kudos.command("summarise", help="Record the last full week (or --week) now, as the Monday job does.")
    @click.option("--week", "week", default=None, help=WEEK_HELP)
    def summarise(week: str | None) -> None:
        try:
            recorded = summarise_last_week(engine, week)
        except ValidationFailed as exc:
            raise click.BadParameter(exc.detail, param_hint="--week") from None
        click.echo(f"{recorded} weekly summar{'y' if recorded == 1 else 'ies'} recorded")

    return kudos
