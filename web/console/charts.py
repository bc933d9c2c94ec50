"""Server-drawn SVG bar charts for the console: the geometry, computed here; the markup is
templates/console/_bar_chart.html. The numbers are always shown in a table beside the chart too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float  # centre (labels)
    left: float
    y: float
    width: float
    height: float
    label: str  # under the bar
    value: str  # above the bar ("" for 0)
    title: str  # tooltip: label and exact value


@dataclass(frozen=True)
class BarChart:
    description: str  # the SVG's accessible name
    width: int
    height: int
    left: int
    baseline: float
    bars: list[Bar]
    gridlines: list[tuple[float, str]]  # (y, label)


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 < value:
        step *= 10
    while step > value:
        step /= 10
    for factor in (1, 2, 5, 10):
        if factor * step >= value:
            return factor * step
    return 10 * step  # unreachable


def bar_chart(
    points: list[tuple[str, float]],
    *,
    description: str,
    shown: Callable[[float], str] = lambda v: f"{v:,.0f}",
    width: int = 900,
    height: int = 260,
) -> BarChart:
    """Bars for (label, value) points, on a scale from 0 to a round number, with three gridlines."""
    left, top_margin, bottom_margin = 64, 28, 30
    top = nice_ceiling(max((value for _, value in points), default=0))
    plot = height - top_margin - bottom_margin
    baseline = top_margin + plot
    slot = (width - left - 4) / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot * value / top if top else 0
        bars.append(
            Bar(
                x=round(left + (index + 0.5) * slot, 1),
                left=round(left + (index + 0.18) * slot, 1),
                y=round(baseline - bar_height, 1),
                width=round(slot * 0.64, 1),
                height=round(bar_height, 1),
                label=label,
                value=shown(value) if value else "",
                title=f"{label}: {shown(value)}",
            )
        )
    gridlines = [(round(baseline - plot * part / 2, 1), shown(top * part / 2)) for part in (0, 1, 2)]
    return BarChart(description, width, height, left, baseline, bars, gridlines)
