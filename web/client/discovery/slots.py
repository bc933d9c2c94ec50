"""The slot picker: a week of a listing's free slots (from `listing_free_slots`), grouped by the
viewer's dates and shown in the viewer's time zone."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from marketplace.bookings.selectors import listing_free_slots

DAYS = 7
LOOK_AHEAD_WEEKS = 9  # an empty week offers a jump to the first free time within this many weeks


@dataclass
class Day:
    date: date
    times: list[dict] = field(default_factory=list)  # {"value": ISO start in the zone, "start": aware datetime}


@dataclass
class Picker:
    zone: str
    week: date
    days: list[Day]
    previous_week: date | None
    next_week: date
    selected: str
    first_free: datetime | None = None  # when the week is empty: the first free time after it
    first_free_week: date | None = None

    @property
    def empty(self) -> bool:
        return not any(day.times for day in self.days)


def _slots_between(listing, package, first: date, last: date, zone, extra_minutes: int) -> list:
    # The viewer's dates, widened by a day each side for the provider's zone, then cut back.
    slots = listing_free_slots(
        listing, package, first - timedelta(days=1), last + timedelta(days=1), extra_minutes=extra_minutes
    )
    return [s for s in slots if first <= s.start.astimezone(zone).date() <= last]


def slot_picker(
    listing,
    package,
    *,
    zone_name: str,
    week: date | None,
    extra_minutes: int = 0,
    selected: str = "",
    held: datetime | None = None,
) -> Picker:
    """`held`: the start of the viewer's own unpaid booking (a declined card), shown among the free
    times although it is not free to anyone else."""
    zone = zoneinfo.ZoneInfo(zone_name)
    today = timezone.now().astimezone(zone).date()
    week = max(week or today, today)
    last = week + timedelta(days=DAYS - 1)
    days = [Day(week + timedelta(days=n)) for n in range(DAYS)]
    for slot in _slots_between(listing, package, week, last, zone, extra_minutes):
        start = slot.start.astimezone(zone)
        days[(start.date() - week).days].times.append({"value": start.isoformat(), "start": start, "held": False})
    if held is not None:
        start = held.astimezone(zone)
        if week <= start.date() <= last:
            day = days[(start.date() - week).days]
            day.times = [t for t in day.times if t["start"] != start]
            day.times.append({"value": start.isoformat(), "start": start, "held": True})
            day.times.sort(key=lambda t: t["start"])
            selected = selected or start.isoformat()
    picker = Picker(
        zone=zone.key,
        week=week,
        days=days,
        previous_week=max(week - timedelta(days=DAYS), today) if week > today else None,
        next_week=week + timedelta(days=DAYS),
        selected=selected,
    )
    chosen = parse_datetime(selected) if selected else None
    for day in days:
        for time in day.times:
            time["checked"] = chosen is not None and chosen.tzinfo is not None and time["start"] == chosen
    if picker.empty:
        later = _slots_between(
            listing, package, last + timedelta(days=1), last + timedelta(weeks=LOOK_AHEAD_WEEKS), zone, extra_minutes
        )
        if later:
            picker.first_free = later[0].start.astimezone(zone)
            picker.first_free_week = picker.first_free.date()
    return picker
