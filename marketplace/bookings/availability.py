"""Free slots: a provider's weekly rules and date overrides, read as wall-clock times in their time
zone, minus bookings that hold time, time off and external busy times, within minimum notice and the
booking horizon. Pure functions over plain values; `selectors.free_slots` loads them in a few queries.

Daylight saving: slot starts step in local time; a start that does not exist (the spring-forward gap)
is skipped; an ambiguous one (autumn fold) is read as its first occurrence. A slot lasts its real
duration, and must end by the window's real end."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    start: time
    end: time


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    seat: int = 0  # 0: blocks every seat (time off, external events); else one seat of a booking


@dataclass(frozen=True)
class Rules:
    time_zone: str
    weekly: dict[int, list[Window]]  # weekday (0 = Monday) -> windows
    overrides: dict[date, list[Window]]  # a date -> its windows (empty list: closed)
    slot: timedelta
    step: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    min_notice: timedelta
    horizon: timedelta
    capacity: int


@dataclass(frozen=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    seats_left: int


def _exists(local: datetime, zone: ZoneInfo) -> datetime | None:
    """`local` (naive wall-clock) as an aware UTC time, or None inside a DST gap."""
    aware = local.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return aware.astimezone(UTC) if back == local else None


def _window_end(local_end: datetime, zone: ZoneInfo) -> datetime:
    """A window's end in UTC; an end inside a DST gap moves to the first instant after it."""
    aware = _exists(local_end, zone)
    while aware is None:
        local_end += timedelta(minutes=15)
        aware = _exists(local_end, zone)
    return aware


def _stamps(rules: Rules, first: date, last: date) -> list[tuple[float, float]]:
    """Every slot the rules open from local date `first` to `last` (inclusive) as (start, end) epoch
    seconds, sorted. Days without a DST change are pure arithmetic; the others go through zoneinfo."""
    zone = ZoneInfo(rules.time_zone)
    slot, step = rules.slot.total_seconds(), rules.step.total_seconds()
    slots: list[tuple[float, float]] = []
    day = first
    while day <= last:
        windows = rules.overrides.get(day, rules.weekly.get(day.weekday(), []))
        if windows:
            midnight = datetime.combine(day, time(0))
            offset = zone.utcoffset(midnight)
            if offset == zone.utcoffset(midnight + timedelta(days=1)):
                base = (midnight - offset).replace(tzinfo=UTC).timestamp()
                for window in windows:
                    at = base + window.start.hour * 3600 + window.start.minute * 60
                    end = base + window.end.hour * 3600 + window.end.minute * 60
                    while at + slot <= end:
                        slots.append((at, at + slot))
                        at += step
            else:
                slots += _stamps_across_change(rules, day, windows, zone)
        day += timedelta(days=1)
    slots.sort()
    return slots


def _stamps_across_change(rules: Rules, day: date, windows: list[Window], zone: ZoneInfo) -> list[tuple[float, float]]:
    slots = []
    for window in windows:
        local = datetime.combine(day, window.start)
        local_end = datetime.combine(day, window.end)
        end_utc = _window_end(local_end, zone)
        while local < local_end:
            start_utc = _exists(local, zone)
            if start_utc is not None:
                if start_utc + rules.slot > end_utc:
                    break
                slots.append((start_utc.timestamp(), (start_utc + rules.slot).timestamp()))
            local += rules.step
    return slots


def candidate_slots(rules: Rules, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Every slot the rules open from local date `first` to `last` (inclusive), in UTC, sorted."""
    stamp = datetime.fromtimestamp
    return [(stamp(start, UTC), stamp(end, UTC)) for start, end in _stamps(rules, first, last)]


def free_slots(rules: Rules, first: date, last: date, busy: list[Busy], *, now: datetime) -> list[Slot]:
    """The open slots between local dates `first` and `last` that can still be booked: at least
    `min_notice` from `now`, within the horizon, and with a seat whose time (the slot plus buffers)
    overlaps nothing that blocks it."""
    intervals = [(b.start.timestamp(), b.end.timestamp(), b.seat) for b in busy]
    return free_slots_stamped(rules, first, last, intervals, now=now)


def free_slots_stamped(
    rules: Rules, first: date, last: date, intervals: list[tuple[float, float, int]], *, now: datetime
) -> list[Slot]:
    """`free_slots` with the blocking intervals as (start, end, seat) epoch seconds (seat 0 blocks
    every seat): the sweep runs on plain numbers, and only the slots found become datetimes."""
    earliest = (now + rules.min_notice).timestamp()
    latest = (now + rules.horizon).timestamp()
    before, after = rules.buffer_before.total_seconds(), rules.buffer_after.total_seconds()
    intervals = sorted(intervals)
    active: list[tuple[float, float, int]] = []  # heap of (end, start, seat)
    next_interval, count = 0, len(intervals)
    stamp = datetime.fromtimestamp
    found: list[Slot] = []
    for start, end in _stamps(rules, first, last):
        if start < earliest or start > latest:
            continue
        block_start, block_end = start - before, end + after
        while next_interval < count and intervals[next_interval][0] < block_end:
            lower, upper, seat = intervals[next_interval]
            heapq.heappush(active, (upper, lower, seat))
            next_interval += 1
        while active and active[0][0] <= block_start:
            heapq.heappop(active)
        # Everything left in `active` ends after this slot's block starts and started before it ends.
        if not active:
            found.append(Slot(stamp(start, UTC), stamp(end, UTC), rules.capacity))
            continue
        taken: set[int] = set()
        blocked = False
        for _upper, lower, seat in active:
            if lower >= block_end:
                continue
            if seat == 0:
                blocked = True
                break
            if seat <= rules.capacity:
                taken.add(seat)
        seats_left = 0 if blocked else rules.capacity - len(taken)
        if seats_left > 0:
            found.append(Slot(stamp(start, UTC), stamp(end, UTC), seats_left))
    return found
