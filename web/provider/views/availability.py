"""When the provider can be booked: weekly windows per weekday, date overrides, slot settings (the
default schedule, or one listing's own), time off and external calendars, with a preview of the
free slots the next week opens. The booking service checks every rule; an invalid schedule is
shown with each problem next to its field and nothing saved."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace.bookings.calendars import calendar_add, calendar_remove, calendars_of
from marketplace.bookings.provider_work import (
    provider_time_zone,
    schedule_of,
    schedule_preview,
    time_off_of,
    time_off_remove,
)
from marketplace.bookings.services import SCHEDULE_NUMBERS, schedule_set, time_off_add
from marketplace.catalogue.models import Listing, ListingStatus
from marketplace.common.errors import DomainError
from marketplace.configuration.selectors import marketplace_settings
from web.provider.access import back_to, provider_page
from web.provider.forms import (
    MAX_OVERRIDES,
    MAX_WINDOWS_PER_DAY,
    ExternalCalendarForm,
    ScheduleForm,
    TimeOffForm,
    place_errors,
    schedule_field,
)

NEW_WEEK = {day: [(time(9), time(17))] for day in range(5)}  # suggested for a first schedule


def _listing_of(request) -> Listing | None:
    public_id = request.GET.get("listing") or ""
    if not public_id:
        return None
    listing = Listing.objects.filter(public_id=public_id, provider=request.provider).first()
    if listing is None:
        raise Http404(_("No such listing of yours."))
    return listing


def _bounded(value, low: int, high: int, default: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


def _schedule_form(request, schedule, zone_name: str, *, bind: bool) -> ScheduleForm:
    data = request.POST.copy() if bind else None
    if data is not None:
        rows = [_bounded(data.get(f"w{day}_rows"), 1, MAX_WINDOWS_PER_DAY, 1) for day in range(7)]
        override_rows = _bounded(data.get("o_rows"), 0, MAX_OVERRIDES, 0)
        if (day := data.get("add_window", "")).isdigit() and int(day) < 7:
            rows[int(day)] = min(rows[int(day)] + 1, MAX_WINDOWS_PER_DAY)
        if "add_override" in data:
            override_rows = min(override_rows + 1, MAX_OVERRIDES)
        return ScheduleForm(data, rows=rows, override_rows=override_rows)
    weekly: dict[int, list] = {}
    if schedule is not None:
        for rule in schedule.rules.all():
            weekly.setdefault(rule.weekday, []).append((rule.start, rule.end))
        overrides = list(schedule.overrides.all())
    else:
        weekly, overrides = dict(NEW_WEEK), []
    rows = [min(len(weekly.get(day, [])) + 1, MAX_WINDOWS_PER_DAY) for day in range(7)]
    initial = {"time_zone": schedule.time_zone if schedule else zone_name}
    for name in ScheduleForm.NUMBERS:
        initial[name] = getattr(schedule, name) if schedule else SCHEDULE_NUMBERS[name][2]
    for day, windows in weekly.items():
        for index, (start, end) in enumerate(windows):
            initial[f"w{day}_{index}_start"], initial[f"w{day}_{index}_end"] = start, end
    for index, override in enumerate(overrides):
        initial[f"o{index}_date"] = override.date
        initial[f"o{index}_start"], initial[f"o{index}_end"] = override.start, override.end
        initial[f"o{index}_closed"] = override.start is None
    return ScheduleForm(initial=initial, rows=rows, override_rows=min(len(overrides) + 1, MAX_OVERRIDES))


def _page(request, *, schedule_form=None, time_off_form=None, calendar_form=None, status=200):
    provider = request.provider
    listing = _listing_of(request)
    zone_name = provider_time_zone(provider)
    schedule = schedule_of(provider, listing=listing) if listing else schedule_of(provider)
    if schedule_form is None:
        schedule_form = _schedule_form(request, schedule, zone_name, bind=False)
    shown_zone = ZoneInfo(schedule.time_zone if schedule else zone_name)
    with timezone.override(shown_zone):
        today = timezone.localdate()
        slots = schedule_preview(provider, listing=listing, first=today, days=7)
        by_day: dict = {}
        for slot in slots:
            by_day.setdefault(timezone.localtime(slot.start).date(), []).append(slot)
        preview = [(today + timedelta(days=i), by_day.get(today + timedelta(days=i), [])) for i in range(7)]
        listings = list(
            Listing.objects.filter(provider=provider)
            .exclude(status=ListingStatus.ARCHIVED)
            .select_related("schedule")
            .order_by("title")
        )
        context = {
            "listing": listing,
            "listings": listings,
            "schedule": schedule,
            "has_own_schedule": listing is not None and schedule is not None and schedule.listing_id == listing.pk,
            "form": schedule_form,
            "preview": preview,
            "zone": shown_zone.key,
            "time_zones": sorted(available_timezones()),
            "time_off": list(time_off_of(provider)),
            "time_off_form": time_off_form or TimeOffForm(),
            "calendars": list(calendars_of(user=request.user)),
            "calendar_form": calendar_form or ExternalCalendarForm(),
            "marketplace_zone": marketplace_settings().time_zone,
        }
        return render(request, "provider/availability.html", context, status=status)


@provider_page
def availability_view(request):
    if request.method != "POST":
        return _page(request)
    listing = _listing_of(request)
    form = _schedule_form(request, None, "", bind=True)
    if "add_window" in request.POST or "add_override" in request.POST:
        form.full_clean()
        form._errors = type(form.errors)()  # one more row, not a submission: no errors shown
        return _page(request, schedule_form=form)
    if form.is_valid():
        values, weekly_fields, override_fields = form.schedule_values()
        try:
            schedule_set(user=request.user, listing_id=listing.public_id if listing else None, **values)
        except DomainError as exc:
            place_errors(form, exc, lambda name: schedule_field(name, weekly_fields, override_fields))
        else:
            messages.success(request, _("Availability saved. The preview shows the slots clients can book."))
            return redirect(request.get_full_path())
    return _page(request, schedule_form=form, status=400)


@provider_page
@require_POST
def time_off_add_view(request):
    zone = ZoneInfo(provider_time_zone(request.provider))
    with timezone.override(zone):
        form = TimeOffForm(request.POST)
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
                return redirect(back_to(request, "/provider/availability/"))
    return _page(request, time_off_form=form, status=400)


@provider_page
@require_POST
def time_off_remove_view(request, public_id: str):
    try:
        time_off_remove(user=request.user, time_off_id=public_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Time off removed: those hours can be booked again."))
    return redirect(back_to(request, "/provider/availability/"))


@provider_page
@require_POST
def calendar_add_view(request):
    form = ExternalCalendarForm(request.POST)
    if form.is_valid():
        try:
            calendar_add(user=request.user, url=form.cleaned_data["url"])
        except DomainError as exc:
            place_errors(form, exc)
        else:
            messages.success(request, _("Calendar connected: its busy times are imported now and every 15 minutes."))
            return redirect("/provider/availability/#calendars")
    return _page(request, calendar_form=form, status=400)


@provider_page
@require_POST
def calendar_remove_view(request, public_id: str):
    try:
        calendar_remove(user=request.user, calendar_id=public_id)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    messages.success(request, _("Calendar disconnected: its busy times no longer block you."))
    return redirect("/provider/availability/#calendars")
