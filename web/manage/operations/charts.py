"""Server-drawn SVG charts of a report's series: the geometry here, the drawing in
`templates/manage/operations/_chart.html`. Each chart is drawn twice — wide for screens, narrow (fewer
labels, bigger type for its size) for phones — and the stylesheet shows one."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from marketplace.common.money import CURRENCY_EXPONENTS, Money
from web.manage.operations.reports import Report

# width, height, left margin (axis labels), top margin, bottom margin (period labels), labels along x
SIZES = {
    "wide": (720, 260, 60, 14, 34, 8),
    "narrow": (360, 240, 44, 12, 34, 4),
}


@dataclass(frozen=True)
class Mark:
    x: float  # the centre of the day or month
    left: float  # a bar's left edge
    y: float
    width: float
    height: float
    value: Decimal | int | None
    title: str  # the exact figure, for the tooltip: "3 Mar: £45.00"


@dataclass(frozen=True)
class Chart:
    key: str  # gmv, bookings, commission, dispute_rate
    kind: str  # bar | line
    size: str  # wide | narrow
    title: str
    description: str
    width: int
    height: int
    left: float
    right: float
    top: float
    baseline: float
    marks: list[Mark]
    lines: list[str]  # line charts: polyline points, one run per stretch without gaps
    gridlines: list[tuple[float, str]]  # (y, label)
    ticks: list[tuple[float, str]]  # (x, label) along the bottom
    empty: bool  # nothing happened in the period

    @property
    def label_x(self) -> float:  # the right edge of the axis labels
        return self.left - 8

    @property
    def tick_y(self) -> float:  # the baseline of the labels under the axis
        return self.baseline + 18

    @property
    def middle(self) -> float:
        return round((self.left + self.right) / 2, 1)

    @property
    def middle_y(self) -> float:
        return round((self.top + self.baseline) / 2, 1)


def _nice_step(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above `value`, at least 1: a gridline step in whole units."""
    if value <= 1:
        return 1
    step = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * step >= value:
            return factor * step
    return 10 * step  # unreachable


GRID_STEPS = 4  # gridlines above the baseline


def compact(number: float) -> str:
    """Axis numbers: 950, 1.2k, 12k, 3.4M."""
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if abs(number) >= divisor:
            shown = number / divisor
            return (f"{shown:.1f}".removesuffix(".0") if shown < 10 else f"{shown:.0f}") + suffix
    return f"{number:.1f}".removesuffix(".0")


def draw(
    *,
    key: str,
    kind: str,
    size: str,
    values: Sequence[Decimal | int | None],
    labels: Sequence[str],
    title: str,
    description: str,
    exact: Callable[[Decimal | int], str],
    unit: float = 1,
) -> Chart:
    """A bar or line chart of `values` (None: no figure, a gap in a line). `unit` divides values for
    the axis labels (minor units to whole units); `exact` formats a value for its tooltip."""
    width, height, left, top, bottom, tick_count = SIZES[size]
    right = width - 8
    baseline = height - bottom
    plot = baseline - top
    known = [float(v) for v in values if v is not None]
    step = _nice_step(max(known, default=0) / unit / GRID_STEPS)  # whole units: 0, 1, 2, 3, 4 at the least
    ceiling = step * GRID_STEPS * unit
    slot = (right - left) / max(len(values), 1)
    marks = []
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = left + (index + 0.5) * slot
        bar = plot * float(value or 0) / ceiling
        marks.append(
            Mark(
                x=round(x, 1),
                left=round(left + index * slot + slot * 0.15, 1),
                y=round(baseline - bar, 1),
                width=round(max(slot * 0.7, 1), 1),
                height=round(bar, 1),
                value=value,
                title=f"{label}: {'—' if value is None else exact(value)}",
            )
        )
    lines, run = [], []
    for mark in marks:
        if mark.value is None:
            if run:
                lines.append(" ".join(run))
            run = []
        else:
            run.append(f"{mark.x},{mark.y}")
    if run:
        lines.append(" ".join(run))
    gridlines = [
        (round(baseline - plot * part / GRID_STEPS, 1), compact(step * part)) for part in range(GRID_STEPS + 1)
    ]
    every = max(math.ceil(len(values) / tick_count), 1)
    ticks = [(marks[i].x, labels[i]) for i in range(0, len(values), every)]
    return Chart(
        key=key,
        kind=kind,
        size=size,
        title=title,
        description=description,
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        baseline=baseline,
        marks=marks,
        lines=lines,
        gridlines=gridlines,
        ticks=ticks,
        empty=not any(known),
    )


def _describe(values, labels, *, exact, total: str | None, span: str) -> str:
    known = [(v, label) for v, label in zip(values, labels, strict=True) if v is not None]
    if not known or not any(v for v, _label in known):
        return _("%(span)s: nothing in this period.") % {"span": span}
    best, when = max(known, key=lambda pair: pair[0])
    parts = [span + "."]
    if total is not None:
        parts.append(_("Total %(total)s.") % {"total": total})
    parts.append(_("Highest %(value)s on %(when)s.") % {"value": exact(best), "when": when})
    return " ".join(parts)


def report_charts(report: Report) -> list[dict]:
    """The overview's charts (GMV, bookings, commission when money is shown; the dispute rate), each
    as {"key", "title", "wide", "narrow"}."""
    labels = [point.label for point in report.points]
    span = f"{labels[0]} – {labels[-1]}" if labels else ""
    per_day = report.per == "day"
    currency = report.currency
    unit = 10 ** CURRENCY_EXPONENTS[currency]

    def money(amount) -> str:
        return Money(int(amount), currency).format()

    def count(number) -> str:
        return f"{int(number):,}"

    def percent(value) -> str:
        return f"{value}%"

    series = []
    if report.with_money:
        series.append(
            (
                "gmv",
                "bar",
                _("GMV per day") if per_day else _("GMV per month"),
                [p.gmv for p in report.points],
                money,
                unit,
                money(report.gmv),
            )
        )
    series.append(
        (
            "bookings",
            "bar",
            _("Bookings per day") if per_day else _("Bookings per month"),
            [p.bookings for p in report.points],
            count,
            1,
            count(report.bookings),
        )
    )
    if report.with_money:
        series.append(
            (
                "commission",
                "bar",
                _("Commission per day") if per_day else _("Commission per month"),
                [p.commission for p in report.points],
                money,
                unit,
                money(report.commission),
            )
        )
    series.append(
        (
            "dispute_rate",
            "line",
            _("Dispute rate per day") if per_day else _("Dispute rate per month"),
            [p.dispute_rate for p in report.points],
            percent,
            1,
            None,
        )
    )
    charts = []
    for key, kind, title, values, exact, chart_unit, total in series:
        description = _describe(values, labels, exact=exact, total=total, span=span)
        charts.append(
            {
                "key": key,
                "title": title,
                "description": description,
                **{
                    size: draw(
                        key=key,
                        kind=kind,
                        size=size,
                        values=values,
                        labels=labels,
                        title=title,
                        description=description,
                        exact=exact,
                        unit=chart_unit,
                    )
                    for size in SIZES
                },
            }
        )
    return charts
