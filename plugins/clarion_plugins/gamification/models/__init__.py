"""The gamification plugin's tables: badges earned, challenges, and the period totals leaderboards read.

Imported after the core's models, so these tables join the shared metadata without becoming core
tables (:data:`clarion.models.CORE_TABLES`); the plugin's own Alembic history owns them.
"""

import clarion.models  # noqa: F401  # the core's tables and naming convention first  # isort: skip

from clarion_plugins.gamification.models.badge import BadgeAward
from clarion_plugins.gamification.models.challenge import (
    Challenge,
    ChallengeKind,
    ChallengeMeasure,
    ChallengeParticipant,
    ChallengeResult,
)
from clarion_plugins.gamification.models.leaderboard import ALL_TIME_START, PeriodKind, PeriodPoints, WindowTotals

__all__ = [
    "ALL_TIME_START",
    "BadgeAward",
    "Challenge",
    "ChallengeKind",
    "ChallengeMeasure",
    "ChallengeParticipant",
    "ChallengeResult",
    "PeriodKind",
    "PeriodPoints",
    "WindowTotals",
]

TABLES = [
    BadgeAward.__table__,  # type: ignore[attr-defined]
    Challenge.__table__,  # type: ignore[attr-defined]
    ChallengeParticipant.__table__,  # type: ignore[attr-defined]
    ChallengeResult.__table__,  # type: ignore[attr-defined]
    PeriodPoints.__table__,  # type: ignore[attr-defined]
    WindowTotals.__table__,  # type: ignore[attr-defined]
]
