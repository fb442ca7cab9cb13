"""Badges as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from clarion_plugins.gamification.services.badges import BadgeProgress


class BadgeOut(BaseModel):
    """A badge, earned or not, with progress towards it."""

    name: str = Field(examples=["shares-10"])
    title: str = Field(examples=["10 shares"])
    description: str = Field(examples=["You published 10 shares."])
    image_svg: str = Field(description="A small self-contained SVG image.", examples=['<svg xmlns="…">…</svg>'])
    measure: str = Field(description="What is counted.", examples=["shares"])
    measure_label: str = Field(examples=["published shares"])
    threshold: int = Field(description="The value that earns the badge.", examples=[10])
    current: int = Field(description="Your value of the measure now.", examples=[7])
    earned: bool = Field(examples=[False])
    earned_at: datetime | None = Field(description="When the threshold was first reached.", examples=[None])

    @classmethod
    def of(cls, progress: BadgeProgress) -> BadgeOut:
        badge = progress.badge
        return cls(
            name=badge.name,
            title=badge.title,
            description=badge.description,
            image_svg=badge.image_svg,
            measure=badge.measure,
            measure_label=progress.measure_label,
            threshold=badge.threshold,
            current=progress.current,
            earned=progress.earned,
            earned_at=progress.earned_at,
        )


class BadgesOut(BaseModel):
    earned: int = Field(description="How many of the badges are earned.", examples=[3])
    items: list[BadgeOut] = Field(description="Earned badges first (oldest first), then the rest in programme order.")

    @classmethod
    def of(cls, progress: list[BadgeProgress]) -> BadgesOut:
        earned = sorted((item for item in progress if item.earned_at), key=lambda item: item.earned_at)  # type: ignore[arg-type, return-value]
        rest = [item for item in progress if not item.earned]
        return cls(earned=len(earned), items=[BadgeOut.of(item) for item in [*earned, *rest]])
