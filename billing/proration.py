"""What an upgrade costs now. Pure integer arithmetic on minor units; time is counted in whole
seconds. Every rounding goes the customer's way, by less than one minor unit."""

from __future__ import annotations

from datetime import datetime


def _seconds(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds()), 0)


def unused_credit(*, price: int, period_start: datetime, period_end: datetime, now: datetime) -> int:
    """The part of `price` paid for the rest of the period: ⌈price × remaining / length⌉."""
    length = _seconds(period_start, period_end)
    remaining = min(_seconds(now, period_end), length)
    return -(-price * remaining // length) if length else 0


def upgrade_in_period(
    *, old_price: int, new_price: int, period_start: datetime, period_end: datetime, now: datetime
) -> int:
    """Same billing interval, same period end: the difference for the rest of the period,
    ⌊(new − old) × remaining / length⌋."""
    length = _seconds(period_start, period_end)
    remaining = min(_seconds(now, period_end), length)
    return max((new_price - old_price) * remaining // length, 0) if length else 0


def upgrade_new_period(
    *, old_price: int, new_price: int, period_start: datetime, period_end: datetime, now: datetime
) -> int:
    """A change of interval starts a new period now: the new price less the unused part of the old."""
    credit = unused_credit(price=old_price, period_start=period_start, period_end=period_end, now=now)
    return max(new_price - credit, 0)
