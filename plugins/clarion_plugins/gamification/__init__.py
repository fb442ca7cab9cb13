"""Gamification: levels, badges, challenges and leaderboards, as one built-in plugin.

It owns its tables and their migrations (``alembic_version_gamification``), its API under the
paths it always had, the challenges and leaderboard widgets, the ``/admin/challenges`` pages, the
job that freezes challenge results and a ``clarion challenges`` command. It follows the core's
points ledger through hooks: period totals move with every ledger write
(``clarion_points_on_change``), levels and badges follow a scored event
(``clarion_points_on_scored``), and ``clarion scores recompute`` rebuilds both
(``clarion_points_on_recompute``). Block it (``disabled_plugins = ["gamification"]``) and the core
runs on: shares still score points in the ledger; these routes answer 404.

The badge catalogue is its own plugin (``badges``, :mod:`clarion_plugins.gamification.badge_catalogue`),
so a programme can replace the built-in badges and keep the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from sqlmodel import Session

from clarion import hookimpl
from clarion.contracts import AdminPage, Erasure, Job, PersonRows, Schema, person_rows
from clarion.events import EventKind, RecordedEvent
from clarion.models import PointsEntry
from clarion.scoring import PointsMoved
from clarion_plugins.gamification import impact
from clarion_plugins.gamification.models import TABLES, ChallengeParticipant
from clarion_plugins.gamification.services import badges, challenges, levels, periods
from clarion_plugins.gamification.settings import PLUGIN_NAME, GamificationSettings
from clarion_plugins.gamification.web.admin.challenges import AdminChallengeController
from clarion_plugins.gamification.web.badges.controller import BadgeController
from clarion_plugins.gamification.web.challenges.controller import ChallengeController, MyChallengeController
from clarion_plugins.gamification.web.leaderboards.controller import LeaderboardController
from clarion_plugins.gamification.web.levels.controller import LevelController
from clarion_plugins.gamification.widgets import challenges as challenges_widget
from clarion_plugins.gamification.widgets import leaderboard as leaderboard_widget

if TYPE_CHECKING:
    from clarion.engine import Engine

__all__ = ["PLUGIN_NAME", "Settings"]

Settings = GamificationSettings  # what `[plugins.gamification]` accepts, named as every built-in names it

MIGRATIONS = Path(__file__).parent / "migrations"
# The tables naming a person: exported with them and covered by their erasure.
PERSON_TABLES = [table for table in TABLES if "ambassador_id" in table.c]
FREEZE_CHALLENGES = "gamification.freeze_challenges"
# The job's name while it was the core's: tasks queued under it before an upgrade still run.
OLD_FREEZE_CHALLENGES = "clarion.freeze_challenges"
# The widgets were plugins of their own; a programme that blocked one by that name keeps it hidden.
OLD_WIDGET_PLUGINS = {"challenges": "widget-challenges", "leaderboard": "widget-leaderboard"}


def _freeze_challenges(engine: Engine) -> int:
    # Results also freeze on first read; this makes the challenge.qualified events arrive on time.
    return challenges.freeze_due(engine)


@hookimpl
def clarion_config_register() -> type[GamificationSettings]:
    return GamificationSettings


@hookimpl
def clarion_tables_register() -> Schema:
    return Schema(PLUGIN_NAME, MIGRATIONS, TABLES)


@hookimpl
def clarion_routes_register() -> list[Any]:
    return [
        LevelController,
        BadgeController,
        LeaderboardController,
        ChallengeController,
        MyChallengeController,
    ]


@hookimpl
def clarion_admin_pages_register() -> list[AdminPage]:
    return [AdminPage("/admin/challenges", "Challenges", "editor", [AdminChallengeController], order=40)]


@hookimpl
def clarion_widgets_register(engine: Engine) -> list[Any]:
    widgets = [challenges_widget.WIDGET, leaderboard_widget.WIDGET]
    return [widget for widget in widgets if not engine.pm.is_blocked(OLD_WIDGET_PLUGINS[widget.name])]


@hookimpl
def clarion_jobs_register() -> list[Job]:
    return [
        Job(FREEZE_CHALLENGES, _freeze_challenges, schedule="7 * * * *"),
        Job(OLD_FREEZE_CHALLENGES, _freeze_challenges),
    ]


@hookimpl
def clarion_commands_register(engine: Engine) -> list[click.Command]:
    @click.group("challenges", help="Challenges: freeze the results of those that ended.")
    def challenges_group() -> None:
        pass

    @challenges_group.command("freeze", help="Freeze the results of every challenge whose grace period is over.")
    def freeze() -> None:
        click.echo(f"{_freeze_challenges(engine)} challenge result(s) frozen")

    return [challenges_group]


@hookimpl
def clarion_points_on_change(session: Session, changes: Sequence[PointsMoved]) -> None:
    for change in changes:
        periods.add_to_periods(session, change.ambassador_id, change.day, change.points)


@hookimpl
def clarion_points_on_scored(engine: Engine, event: RecordedEvent, entries: Sequence[PointsEntry]) -> None:
    concerned = {entry.ambassador_id for entry in entries}
    if event.ambassador_id is not None and event.kind != EventKind.LEVEL_CHANGED:
        concerned.add(event.ambassador_id)  # verified shares and approved content count for levels too
    for ambassador_id in sorted(concerned):
        levels.promote_if_ready(engine, ambassador_id)
        with engine.transaction() as session:
            badges.award_badges(engine, session, ambassador_id)


@hookimpl
def clarion_points_on_recompute(engine: Engine, session: Session) -> None:
    periods.rebuild_periods(session)
    badges.rederive(engine, session)


@hookimpl
def clarion_widget_context_compute(engine: Engine, widget: str, viewer: Any, session: Session) -> dict[str, Any] | None:
    if widget == "my-impact":
        return impact.my_impact_additions(engine, viewer, session)
    return None


@hookimpl
def clarion_person_export_compute(session: Session, ambassador_id: int) -> list[PersonRows]:
    return [person_rows(session, table, ambassador_id, columns=["ambassador_id"]) for table in PERSON_TABLES]


@hookimpl
def clarion_person_erase_prepare(session: Session, erasure: Erasure) -> None:
    # Badges, period totals and frozen results stay under the pseudonym (leaderboards hide it); a running
    # challenge loses the participant.
    participant = ChallengeParticipant.__table__  # type: ignore[attr-defined]
    session.execute(participant.delete().where(participant.c.ambassador_id == erasure.ambassador_id))
    erasure.covered(*(table.name for table in PERSON_TABLES))
