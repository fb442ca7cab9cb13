"""What a badge is: a name, words and an image, and the measure and threshold that earn it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

BadgeMeasure = Literal["shares", "verified_shares", "approved_produced", "potential_reach", "weekly_streak"]
MEASURE_LABELS: dict[str, str] = {
    "shares": "published shares",
    "verified_shares": "verified shares",
    "approved_produced": "own articles approved",
    "potential_reach": "potential reach (followers of the accounts you shared to, per share)",
    "weekly_streak": "weeks in a row with a published share",
}


@dataclass(frozen=True)
class Badge:
    """A badge an ambassador earns once, when ``measure`` first reaches ``threshold``.

    Attributes:
        name: Unique, stable key (``shares-10``); awards are stored under it.
        title: Short human title ("10 shares").
        description: What earns it, in words the ambassador understands.
        image_svg: A small self-contained SVG image.
        measure: What is counted: published shares, verified shares, the ambassador's own (produced)
            articles approved, potential reach (the sum over published shares of the follower count of
            the account shared to), or the longest run of consecutive ISO weeks with a published share.
        threshold: The value of ``measure`` that earns the badge (at least 1).
    """

    name: str
    title: str
    description: str
    image_svg: str
    measure: BadgeMeasure
    threshold: int

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"badge {self.name!r}: threshold must be at least 1")
        if self.measure not in MEASURE_LABELS:
            raise ValueError(f"badge {self.name!r}: unknown measure {self.measure!r}")
