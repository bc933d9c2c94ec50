"""The provider's calendar (week and month, in their own time zone, with time off added from it)
and their requests and work by stage. Every booking links to its booking page, where its actions
are taken."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.bookings.provider_work import (
    WORK_TABS,
    provider_bookings,
    provider_calendar,
    provider_tab_counts,
    provider_time_zone,
    time_off_of,
)
from marketplace.bookings.services import time_off_add
from marketplace.common.errors import DomainError
from web.provider import labels
from web.provider.access import provider_page
from web.provider.forms import TimeOffForm, place_errors


@dataclass
class Entry:
    kind: str  # booking | time_off | busy
    start: datetime
    end: datetime
    title: str
    url: str = ""
    booking: object = None
    continues_before: bool = False
    continues_after: bool = False


@dataclass
class Day:
    date: date
    today: bool
    in_month: bool = True
    entries: list[Entry] = field(default_factory=list)


def _anchor(value: str | None, today: date) -> date:
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _days(provider, mode: str, anchor: date, today: date, zone: ZoneInfo) -> tuple[list[Day], date, date]:
    if mode == "month":
        first_of_month = _month_start(anchor)
        next_month = _month_start(anchor, 1)
        first = first_of_month - timedelta(days=first_of_month.weekday())
        last_of_month = next_month - timedelta(days=1)
        last = last_of_month + timedelta(days=6 - last_of_month.weekday())
    else:
        first = anchor - timedelta(days=anchor.weekday())
        last = first + timedelta(days=6)
    count = (last - first).days + 1
    days = [
        Day(
            first + timedelta(days=i),
            first + timedelta(days=i) == today,
            (first + timedelta(days=i)).month == anchor.month or mode == "week",
        )
        for i in range(count)
    ]
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    found = provider_calendar(provider, start, end)
    entries = [
        Entry("booking", b.starts_at, b.ends_at, b.listing.title, f"/bookings/{b.public_id}/", b)
        for b in labels.booking_rows(found.bookings)
    ]
    entries += [Entry("time_off", o.period.lower, o.period.upper, o.note or _("Time off")) for o in found.time_off]
    entries += [Entry("busy", b.period.lower, b.period.upper, _("Busy (external calendar)")) for b in found.busy]
    for day in days:
        day_start = datetime.combine(day.date, time.min, tzinfo=zone)
        day_end = datetime.combine(day.date + timedelta(days=1), time.min, tzinfo=zone)
        for entry in entries:
            if entry.start < day_end and entry.end > day_start:
                day.entries.append(
                    Entry(
                        entry.kind,
                        max(entry.start, day_start),
                        min(entry.end, day_end),
                        entry.title,
                        entry.url,
                        entry.booking,
                        entry.start < day_start,
                        entry.end > day_end,
                    )
                )
        day.entries.sort(key=lambda e: (e.start, e.kind))
    return days, first, last


@provider_page
def calendar_view(request):
    provider = request.provider
    zone = ZoneInfo(provider_time_zone(provider))
    with timezone.override(zone):
        today = timezone.localdate()
        mode = "month" if request.GET.get("view") == "month" else "week"
        anchor = _anchor(request.GET.get("date"), today)
        form = TimeOffForm(request.POST or None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    time_off_add(
                        user=request.user,
                        starts_at=form.cleaned_data["starts_at"].isoformat(),
                        ends_at=form.cleaned_data["ends_at"].isoformat(),
                        note=form.cleaned_data["note"],
                    )
                except DomainError as exc:
                    place_errors(form, exc)
                else:
                    messages.success(request, _("Time off added: nobody can book you then."))
                    return redirect(request.get_full_path())
            status = 400
        days, first, last = _days(provider, mode, anchor, today, zone)
        if mode == "month":
            previous, following = _month_start(anchor, -1), _month_start(anchor, 1)
        else:
            previous, following = first - timedelta(days=7), first + timedelta(days=7)
        context = {
            "mode": mode,
            "days": days,
            "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
            "first": first,
            "last": last,
            "anchor": anchor,
            "previous": previous,
            "following": following,
            "today": today,
            "zone": zone.key,
            "form": form,
            "time_off": list(time_off_of(provider)[:10]),
        }
        return render(request, "provider/calendar.html", context, status=status)


@provider_page
def bookings_view(request):
    provider = request.provider
    tab = request.GET.get("tab", "requests")
    if tab not in WORK_TABS:
        tab = "requests"
    page = Paginator(provider_bookings(provider, tab), 20).get_page(request.GET.get("page"))
    counts = provider_tab_counts(provider)
    tabs = [(key, labels.WORK_TABS[key], counts[key]) for key in WORK_TABS]
    context = {"tab": tab, "tabs": tabs, "page_obj": page, "bookings": labels.booking_rows(page.object_list)}
    return render(request, "provider/bookings.html", context)
