"""The built-in badges: first share, first verified share, share counts, first own article, reach and streaks."""

from __future__ import annotations

from html import escape

from pydantic import BaseModel, ConfigDict, Field

from clarion import hookimpl
from clarion.badges import Badge

PLUGIN_NAME = "badges"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    share_counts: list[int] = Field(default=[10, 50, 100], description="Badges for this many published shares.")
    reach_milestones: list[int] = Field(
        default=[1_000, 10_000, 100_000], description="Badges for this much potential reach in total."
    )
    streak_weeks: list[int] = Field(default=[4, 12], description="Badges for this many weeks in a row with a share.")


def image(label: str, colour: str) -> str:
    """A round medal with a short label."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64" role="img">'
        f"<title>{escape(label)}</title>"
        f'<circle cx="32" cy="32" r="29" fill="{colour}" stroke="#1f2937" stroke-width="3"/>'
        '<circle cx="32" cy="32" r="22" fill="none" stroke="#ffffff" stroke-opacity="0.6" stroke-width="2"/>'
        f'<text x="32" y="38" font-family="sans-serif" font-size="{16 if len(label) <= 3 else 12}" '
        f'font-weight="700" text-anchor="middle" fill="#ffffff">{escape(label)}</text></svg>'
    )


def _short(number: int) -> str:
    for unit, suffix in ((1_000_000, "M"), (1_000, "k")):
        if number >= unit and number % unit == 0:
            return f"{number // unit}{suffix}"
    return str(number)


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_badges_register(engine):
    settings: Settings = engine.plugin_config(PLUGIN_NAME)
    badges = [
        Badge("first-share", "First share", "You published your first share.", image("1", "#2563eb"), "shares", 1),
        Badge(
            "first-verified-share",
            "First verified share",
            "Your first share published through a connected account or confirmed with its post link.",
            image("✓", "#059669"),
            "verified_shares",
            1,
        ),
        Badge(
            "first-own-article",
            "First own article",
            "An article you wrote yourself was approved for sharing.",
            image("✎", "#7c3aed"),
            "approved_produced",
            1,
        ),
    ]
    badges += [
        Badge(
            f"shares-{count}",
            f"{count} shares",
            f"You published {count} shares.",
            image(str(count), "#1d4ed8"),
            "shares",
            count,
        )
        for count in sorted(set(settings.share_counts))
        if count > 1
    ]
    badges += [
        Badge(
            f"reach-{_short(reach)}",
            f"Reach {_short(reach)}",
            f"Your shares reached a potential audience of {reach:,} (followers of the accounts you shared to).",
            image(_short(reach), "#d97706"),
            "potential_reach",
            reach,
        )
        for reach in sorted(set(settings.reach_milestones))
        if reach >= 1
    ]
    badges += [
        Badge(
            f"streak-{weeks}-weeks",
            f"{weeks}-week streak",
            f"You shared something every week for {weeks} weeks in a row.",
            image(f"{weeks}w", "#dc2626"),
            "weekly_streak",
            weeks,
        )
        for weeks in sorted(set(settings.streak_weeks))
        if weeks >= 1
    ]
    return badges
