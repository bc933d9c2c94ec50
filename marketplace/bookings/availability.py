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


def candidate_slots(rules: Rules, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """Every slot the rules open from local date `first` to `last` (inclusive), in UTC, sorted."""
    zone = ZoneInfo(rules.time_zone)
    slots: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        windows = rules.overrides.get(day, rules.weekly.get(day.weekday(), []))
        midnight = datetime.combine(day, time(0))
        offset = zone.utcoffset(midnight)
        steady = offset == zone.utcoffset(midnight + timedelta(days=1))  # no DST change today: fast path
        for window in windows:
            local = datetime.combine(day, window.start)
            local_end = datetime.combine(day, window.end)
            end_utc = (local_end - offset).replace(tzinfo=UTC) if steady else _window_end(local_end, zone)
            while local < local_end:
                start_utc = (local - offset).replace(tzinfo=UTC) if steady else _exists(local, zone)
                if start_utc is not None:
                    if start_utc + rules.slot > end_utc:
                        break
                    slots.append((start_utc, start_utc + rules.slot))
                local += rules.step
        day += timedelta(days=1)
    slots.sort()
    return slots


def free_slots(rules: Rules, first: date, last: date, busy: list[Busy], *, now: datetime) -> list[Slot]:
    """The open slots between local dates `first` and `last` that can still be booked: at least
    `min_notice` from `now`, within the horizon, and with a seat whose time (the slot plus buffers)
    overlaps nothing that blocks it."""
    earliest, latest = now + rules.min_notice, now + rules.horizon
    intervals = sorted(busy, key=lambda b: b.start)
    active: list[tuple[datetime, int, Busy]] = []  # heap by end
    next_interval = 0
    found: list[Slot] = []
    for start, end in candidate_slots(rules, first, last):
        if start < earliest or start > latest:
            continue
        block_start, block_end = start - rules.buffer_before, end + rules.buffer_after
        while next_interval < len(intervals) and intervals[next_interval].start < block_end:
            item = intervals[next_interval]
            heapq.heappush(active, (item.end, next_interval, item))
            next_interval += 1
        while active and active[0][0] <= block_start:
            heapq.heappop(active)
        # Everything left in `active` overlaps this slot's block (starts before its end, ends after its start).
        taken: set[int] = set()
        blocked = False
        for _end, _index, item in active:
            if item.start >= block_end:
                continue
            if item.seat == 0:
                blocked = True
                break
            taken.add(item.seat)
        seats_left = 0 if blocked else rules.capacity - len({s for s in taken if s <= rules.capacity})
        if seats_left > 0:
            found.append(Slot(start, end, seats_left))
    return found
