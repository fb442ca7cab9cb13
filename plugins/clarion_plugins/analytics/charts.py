"""Charts for the admin dashboards: small SVG drawings made on the server from a series of numbers.

A chart is decoration over data the page also gives as text: the template names it (a heading
the SVG is labelled by), summarises it in a sentence and holds every value in a table. So the
SVG carries no text a reader depends on beyond the axis labels; see decision 0029.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH = 480
HEIGHT = 230
LEFT = 74  # room for the y-axis labels
RIGHT = 8
TOP = 12
BOTTOM = 32  # room for the x-axis labels
FONT_SIZE = 18  # large for the view box: a chart 300 px wide (a 360 px phone) still writes 11 px


def nice_maximum(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above ``value`` (1 for nothing), the axis top."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10 * power, which is always enough


def _coordinate(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Series:
    """A time series as a chart needs it: one value per bucket, the buckets' first days."""

    starts: Sequence[date]
    values: Sequence[float]

    @property
    def total(self) -> float:
        return sum(self.values)

    @property
    def peak(self) -> tuple[date, float] | None:
        """The first bucket with the highest value, or ``None`` when every value is zero."""
        if not self.values or max(self.values) <= 0:
            return None
        position = max(range(len(self.values)), key=lambda index: (self.values[index], -index))
        return self.starts[position], self.values[position]


def column_chart(
    series: Series,
    *,
    labelled_by: str,
    format_value: Callable[[float], str],
    format_day: Callable[[date], str],
) -> Markup:
    """An SVG column chart of ``series``: one column per bucket, a y axis from zero, first and last days.

    Args:
        series: The buckets and their values.
        labelled_by: Space-separated ids of the elements that name and summarise the chart.
        format_value: Writes an axis value the way the reader's language does.
        format_day: Writes a bucket's first day the way the reader's language does.
    """
    count = max(len(series.values), 1)
    top = nice_maximum(max(series.values, default=0))
    if top < 2 and all(float(value).is_integer() for value in series.values):
        top = 2  # counts: gridlines at 0, 1 and 2 rather than at 0.5
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    slot = plot_width / count
    gap = min(slot * 0.2, 4)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{escape(labelled_by)}"'
        f' focusable="false" xmlns="http://www.w3.org/2000/svg">'
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_height * (1 - fraction)
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{_coordinate(y)}" y2="{_coordinate(y)}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{_coordinate(y + FONT_SIZE / 3)}" text-anchor="end"'
            f' font-size="{FONT_SIZE}">{escape(format_value(top * fraction))}</text>'
        )
    for index, (start, value) in enumerate(zip(series.starts, series.values, strict=True)):
        height = plot_height * max(value, 0) / top
        x = LEFT + index * slot + gap / 2
        parts.append(
            f'<rect class="bar" x="{_coordinate(x)}" y="{_coordinate(TOP + plot_height - height)}"'
            f' width="{_coordinate(max(slot - gap, 0.5))}" height="{_coordinate(height)}">'
            f"<title>{escape(format_day(start))}: {escape(format_value(value))}</title></rect>"
        )
    if series.starts:
        baseline = HEIGHT - BOTTOM + FONT_SIZE + 4
        parts.append(
            f'<text class="axis" x="{LEFT}" y="{baseline}" font-size="{FONT_SIZE}">'
            f"{escape(format_day(series.starts[0]))}</text>"
        )
        if len(series.starts) > 1:
            parts.append(
                f'<text class="axis" x="{WIDTH - RIGHT}" y="{baseline}" text-anchor="end" font-size="{FONT_SIZE}">'
                f"{escape(format_day(series.starts[-1]))}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def bar(value: float, maximum: float) -> Markup:
    """A horizontal bar for a table cell, its length ``value / maximum``; hidden from assistive technology,
    since the cell beside it states the number."""
    fraction = max(value, 0) / maximum if maximum > 0 else 0
    return Markup(
        '<svg class="cell-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false"'
        f' xmlns="http://www.w3.org/2000/svg"><rect width="{_coordinate(100 * fraction)}" height="10"/></svg>'
    )
