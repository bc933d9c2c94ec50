"""Availability on the provider dashboard: weekly windows per weekday, date overrides and slot
settings saved through the booking service; bad input refused with each problem next to its field
and nothing saved; a preview of next week's free slots that time off empties; time off and
external calendars."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from marketplace.bookings.models import AvailabilitySchedule, ExternalCalendar, TimeOff
from marketplace.bookings.services import schedule_set
from tenants.context import tenant_context
from tests.web.provider.conftest import make_provider

pytestmark = pytest.mark.django_db

ZONE = "Europe/Berlin"


def _form(**windows):
    data = {
        "time_zone": ZONE,
        "slot_minutes": "60",
        "step_minutes": "60",
        "buffer_before_minutes": "0",
        "buffer_after_minutes": "0",
        "min_notice_minutes": "0",
        "horizon_days": "30",
        "capacity": "1",
        "o_rows": "1",
    }
    for day in range(7):
        data[f"w{day}_rows"] = "2"
    data.update(windows)
    return data


def _every_day(start="09:00", end="12:00"):
    windows = {}
    for day in range(7):
        windows[f"w{day}_0_start"], windows[f"w{day}_0_end"] = start, end
    return windows


def test_weekly_windows_are_saved_and_the_preview_shows_the_slots(tenant_b, provider_b, web):
    # given
    browser = web(tenant_b, provider_b)
    data = _form(**_every_day(), w0_1_start="14:00", w0_1_end="16:00")

    # when
    response = browser.post("/provider/availability/", data)

    # then
    assert response.status_code == 302
    with tenant_context(tenant_b):
        schedule = AvailabilitySchedule.objects.get(provider__user=provider_b, listing__isnull=True)
        assert schedule.time_zone == ZONE and schedule.min_notice_minutes == 0
        monday = [(r.start.strftime("%H:%M"), r.end.strftime("%H:%M")) for r in schedule.rules.filter(weekday=0)]
        assert monday == [("09:00", "12:00"), ("14:00", "16:00")]
        assert schedule.rules.count() == 8
    page = browser.get("/provider/availability/").content.decode()
    assert "Free slots, next 7 days" in page
    assert page.count("<li>10:00</li>") >= 6  # every day has 09:00, 10:00, 11:00 (today's past ones aside)
    assert 'value="14:00"' in page


def test_overlapping_windows_are_refused_next_to_the_window_and_nothing_is_saved(tenant_b, provider_b, web):
    # given: a saved schedule
    with tenant_context(tenant_b):
        schedule_set(user=provider_b, time_zone=ZONE, weekly=[{"weekday": 2, "start": "08:00", "end": "10:00"}])

    # when
    response = web(tenant_b, provider_b).post(
        "/provider/availability/", _form(w1_0_start="09:00", w1_0_end="13:00", w1_1_start="12:00", w1_1_end="15:00")
    )

    # then
    assert response.status_code == 400
    page = response.content.decode()
    errors_at = page.index('id="id_w1_1_start_errors"')
    assert "Overlaps the window ending at 13:00" in page[errors_at : errors_at + 200]
    with tenant_context(tenant_b):
        schedule = AvailabilitySchedule.objects.get(provider__user=provider_b)
        assert [(r.weekday, r.start.hour) for r in schedule.rules.all()] == [(2, 8)]


def test_an_end_before_the_start_and_an_unknown_zone_are_named(tenant_b, provider_b, web):
    response = web(tenant_b, provider_b).post(
        "/provider/availability/", _form(time_zone="Mars/Olympus", w3_0_start="17:00", w3_0_end="09:00")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_time_zone_errors"' in page
    assert 'id="id_w3_0_start_errors"' in page and "The start must be before the end" in page
    with tenant_context(tenant_b):
        assert not AvailabilitySchedule.objects.exists()


def test_time_off_blocks_slots_in_the_preview(tenant_b, provider_b, web):
    # given: open every day 09:00-12:00 Berlin time
    with tenant_context(tenant_b):
        schedule_set(
            user=provider_b,
            time_zone=ZONE,
            weekly=[{"weekday": d, "start": "09:00", "end": "12:00"} for d in range(7)],
            min_notice_minutes=0,
        )
    browser = web(tenant_b, provider_b)
    tomorrow = (datetime.now(ZoneInfo(ZONE)) + timedelta(days=1)).date()
    before = browser.get("/provider/availability/").content.decode()
    assert before.count("<li>09:00</li>") >= 6

    # when: all of tomorrow and the day after off
    response = browser.post(
        "/provider/availability/time-off/",
        {
            "starts_at": f"{tomorrow}T00:00",
            "ends_at": f"{tomorrow + timedelta(days=2)}T00:00",
            "note": "Conference",
        },
    )

    # then
    assert response.status_code == 302
    after = browser.get("/provider/availability/").content.decode()
    assert after.count("<li>09:00</li>") == before.count("<li>09:00</li>") - 2
    assert "Conference" in after
    with tenant_context(tenant_b):
        off = TimeOff.objects.get(provider__user=provider_b)
        assert off.period.lower == datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=ZoneInfo(ZONE))

    # when: removed again
    removed = browser.post(f"/provider/availability/time-off/{off.public_id}/remove/")

    # then
    assert removed.status_code == 302
    assert browser.get("/provider/availability/").content.decode().count("<li>09:00</li>") == before.count(
        "<li>09:00</li>"
    )


def test_time_off_ending_before_it_starts_is_refused(tenant_b, provider_b, web):
    response = web(tenant_b, provider_b).post(
        "/provider/availability/time-off/", {"starts_at": "2030-01-02T10:00", "ends_at": "2030-01-01T10:00"}
    )

    assert response.status_code == 400
    assert 'id="id_ends_at_errors"' in response.content.decode()
    with tenant_context(tenant_b):
        assert not TimeOff.objects.exists()


def test_an_external_calendar_is_connected_with_its_state_shown_and_removed(tenant_b, provider_b, web):
    browser = web(tenant_b, provider_b)

    added = browser.post("/provider/availability/calendars/", {"url": "https://calendar.example.org/me.ics"})
    bad = browser.post("/provider/availability/calendars/", {"url": "webcal://calendar.example.org/me.ics"})

    assert added.status_code == 302
    assert bad.status_code == 400 and 'id="id_url_errors"' in bad.content.decode()
    with tenant_context(tenant_b):
        calendar = ExternalCalendar.objects.get(provider__user=provider_b)
        ExternalCalendar.objects.filter(pk=calendar.pk).update(last_error="The calendar could not be reached.")
    page = browser.get("/provider/availability/").content.decode()
    assert "https://calendar.example.org/me.ics" in page and "The calendar could not be reached." in page
    assert browser.post(f"/provider/availability/calendars/{calendar.public_id}/remove/").status_code == 302
    with tenant_context(tenant_b):
        assert not ExternalCalendar.objects.exists()


def test_adding_a_window_row_saves_nothing(tenant_b, provider_b, web):
    response = web(tenant_b, provider_b).post("/provider/availability/", _form(add_window="4"))

    assert response.status_code == 200
    assert 'name="w4_2_start"' in response.content.decode()
    with tenant_context(tenant_b):
        assert not AvailabilitySchedule.objects.exists()


def test_the_other_marketplaces_time_off_cannot_be_removed(tenant_a, tenant_b, provider_b, web):
    # given: time off of a provider at alpha
    other = make_provider(tenant_a, email="alpha-off@example.org")
    with tenant_context(tenant_a):
        from marketplace.bookings.services import time_off_add

        off = time_off_add(user=other, starts_at="2030-01-01T10:00:00+00:00", ends_at="2030-01-02T10:00:00+00:00")

    # when
    response = web(tenant_b, provider_b).post(f"/provider/availability/time-off/{off.public_id}/remove/")

    # then
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert TimeOff.objects.filter(pk=off.pk).exists()
