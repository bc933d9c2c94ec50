"""Calendars: external calendars imported from a real HTTP server on 127.0.0.1 (one-off, weekly,
all-day, free and cancelled events; broken, missing, oversized, slow and unreachable feeds), their
busy times taking slots away, each member's private feed, and the confirmation email's invite."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings

from marketplace.bookings import calendars
from marketplace.bookings.calendars import booking_ics, calendar_sync, queue_confirmation
from marketplace.bookings.models import Booking, BookingEvent, BusyTime, CalendarFeed, ExternalCalendar
from marketplace.bookings.tasks import sync_calendars
from marketplace.catalogue.listings import listing_create, listing_transition
from marketplace.catalogue.models import Category
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tenants.tasks import dispatch_periodic
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

WEEK = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)]
TODAY = datetime.now(UTC).date()


# --- a real calendar server -------------------------------------------------------------------------------


@dataclass
class Page:
    body: bytes
    status: int = 200
    content_type: str = "text/calendar; charset=utf-8"
    declare_length: bool = True
    delay: float = 0.0


@dataclass
class CalendarServer:
    base_url: str
    pages: dict[str, Page] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture
def server():
    """An HTTP server on 127.0.0.1 serving `server.pages` (404 for anything else)."""
    pages: dict[str, Page] = {}
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            page = pages.get(self.path)
            if page is None:
                self.send_error(404, "Not Found")
                return
            time.sleep(page.delay)
            self.send_response(page.status)
            self.send_header("Content-Type", page.content_type)
            if page.declare_length:
                self.send_header("Content-Length", str(len(page.body)))
            else:
                self.close_connection = True
            self.end_headers()
            try:
                self.wfile.write(page.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading (too large, too slow)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield CalendarServer(f"http://127.0.0.1:{httpd.server_address[1]}", pages, hits)
    httpd.shutdown()
    httpd.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def _stamp(day: date, hour: int) -> str:
    return f"{day:%Y%m%d}T{hour:02d}0000Z"


def _ics(*events: str) -> bytes:
    body = "".join(events)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Calendar//EN\r\n" + body + "END:VCALENDAR\r\n").encode()


def _vevent(uid: str, *lines: str) -> str:
    return (
        "BEGIN:VEVENT\r\n"
        + f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        + "".join(f"{x}\r\n" for x in lines)
        + ("END:VEVENT\r\n")
    )


def _one_off(day: date, hour: int = 10) -> str:
    return _vevent(
        f"one-off-{day}-{hour}", f"DTSTART:{_stamp(day, hour)}", f"DTEND:{_stamp(day, hour + 1)}", "SUMMARY:Dentist"
    )


def _all_day(day: date) -> str:
    return _vevent(
        f"all-day-{day}", f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"
    )


FEED_OFFSETS = {"one_off": 3, "all_day": 5, "weekly_first": 1, "weekly_skipped": 15}


def _full_feed() -> bytes:
    """A one-off event, a weekly event with one skipped week, an all-day event, and a free and a
    cancelled event that must not block anything."""
    weekly = _vevent(
        "weekly",
        f"DTSTART:{_stamp(_day(1), 14)}",
        "DURATION:PT1H",
        "RRULE:FREQ=WEEKLY",
        f"EXDATE:{_stamp(_day(15), 14)}",
        "SUMMARY:Team meeting",
    )
    free = _vevent("free", f"DTSTART:{_stamp(_day(4), 12)}", f"DTEND:{_stamp(_day(4), 13)}", "TRANSP:TRANSPARENT")
    cancelled = _vevent(
        "cancelled", f"DTSTART:{_stamp(_day(6), 12)}", f"DTEND:{_stamp(_day(6), 13)}", "STATUS:CANCELLED"
    )
    return _ics(_one_off(_day(3)), weekly, _all_day(_day(5)), free, cancelled)


# --- a provider with a listing and availability -------------------------------------------------------------


def _auth(api, email):
    token = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json").json()["token"]
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


@dataclass
class Tutoring:
    listing: str
    provider_id: int
    tutor: dict


@pytest.fixture
def tutoring(api_a, tenant_a) -> Tutoring:
    """An instant-booking listing whose provider is open 09:00-17:00 London time every day and can be
    booked up to 30 days ahead."""
    with tenant_context(tenant_a):
        user = UserFactory(email="tutor@example.org", is_provider=True, full_name="Tess Tutor")
        provider = ProviderProfile.objects.create(user=user, headline="Patient tutor", status="approved")
        listing = listing_create(
            user=user,
            category=Category.objects.get(slug="calculus").public_id,
            title="One-to-one sessions",
            description="Sessions planned around your course and your questions.",
            attributes={"level": "Advanced", "format": "Online"},
            packages=[{"name": "Hour", "price": 6000, "duration_minutes": 60}],
        )
        listing_id = listing_transition(user=user, listing=listing, action="submit").public_id
        UserFactory(email="client@example.org", full_name="Cleo Client")
        UserFactory(email="rival@example.org", full_name="Rita Rival")
    tutor = _auth(api_a, "tutor@example.org")
    saved = api_a.put(
        "/api/v1/providers/me/availability/",
        {"time_zone": "Europe/London", "weekly": WEEK, "min_notice_minutes": 60, "horizon_days": 30},
        format="json",
        **tutor,
    )
    assert saved.status_code == 200, saved.content
    return Tutoring(listing_id, provider.pk, tutor)


def _calendar(tenant, tutoring: Tutoring, url: str) -> int:
    with tenant_context(tenant):
        return ExternalCalendar.objects.create(provider_id=tutoring.provider_id, url=url).pk


def _sync(tenant, calendar_id: int) -> ExternalCalendar:
    with tenant_context(tenant):
        calendar = calendar_sync(calendar_id=calendar_id)
        assert calendar is not None
        return calendar


def _busy(tenant, calendar_id: int) -> list[tuple[datetime, datetime]]:
    with tenant_context(tenant):
        return [
            (b.period.lower, b.period.upper)
            for b in BusyTime.objects.filter(calendar_id=calendar_id).order_by("period")
        ]


def _slot_starts(api, listing: str, day: date, tz: str = "UTC") -> list[str]:
    response = api.get(f"/api/v1/listings/{listing}/slots/?package=Hour&from={day}&to={day}&tz={tz}")
    assert response.status_code == 200, response.content
    return [s["starts_at"] for s in response.json()["slots"]]


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# --- importing external calendars ---------------------------------------------------------------------------


def test_sync_imports_one_off_weekly_and_all_day_events_within_the_horizon(api_a, tenant_a, tutoring, server):
    # given a provider in Tokyo (no daylight saving: midnight there is 15:00 UTC the day before)
    saved = api_a.put(
        "/api/v1/providers/me/availability/",
        {"time_zone": "Asia/Tokyo", "weekly": WEEK, "horizon_days": 30},
        format="json",
        **tutoring.tutor,
    )
    assert saved.status_code == 200
    server.pages["/work.ics"] = Page(_full_feed())
    calendar_id = _calendar(tenant_a, tutoring, server.url("/work.ics"))

    # when
    calendar = _sync(tenant_a, calendar_id)

    # then
    assert (calendar.last_error, calendar.last_synced_at is not None) == ("", True)
    assert server.hits == ["/work.ics"]
    # The weekly event repeats up to the 30-day horizon (days 1, 8, 22, 29; day 15 is skipped);
    # the all-day event covers the provider's whole day in Tokyo; free and cancelled events block nothing.
    weekly = [(_at(_day(d), 14), _at(_day(d), 15)) for d in (1, 8, 22, 29)]
    all_day = (_at(_day(4), 15), _at(_day(5), 15))
    assert _busy(tenant_a, calendar_id) == sorted([*weekly, (_at(_day(3), 10), _at(_day(3), 11)), all_day])


def test_a_second_sync_replaces_the_busy_times(tenant_a, tutoring, server):
    # given
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(3))))
    calendar_id = _calendar(tenant_a, tutoring, server.url("/work.ics"))
    _sync(tenant_a, calendar_id)

    # when the event moves and another one is added
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(4), hour=9), _all_day(_day(7))))
    _sync(tenant_a, calendar_id)

    # then
    busy = _busy(tenant_a, calendar_id)
    assert len(busy) == 2 and busy[0] == (_at(_day(4), 9), _at(_day(4), 10))


def test_imported_busy_times_take_free_slots_away(api_a, tenant_a, tutoring, server):
    # given
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(3), hour=10), _all_day(_day(5))))
    calendar_id = _calendar(tenant_a, tutoring, server.url("/work.ics"))
    before_day3 = _slot_starts(api_a, tutoring.listing, _day(3))
    before_day5 = _slot_starts(api_a, tutoring.listing, _day(5), tz="Europe/London")

    # when
    _sync(tenant_a, calendar_id)

    # then only the slot under the event is gone, and the all-day event closes the provider's day
    after_day3 = _slot_starts(api_a, tutoring.listing, _day(3))
    assert f"{_day(3)}T10:00:00+00:00" in before_day3
    assert set(before_day3) - set(after_day3) == {f"{_day(3)}T10:00:00+00:00"}
    assert len(before_day5) == 8 and _slot_starts(api_a, tutoring.listing, _day(5), tz="Europe/London") == []


def test_removing_a_calendar_gives_the_slots_back(api_a, tenant_a, tutoring, server):
    # given
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(3), hour=10)))
    with tenant_context(tenant_a):
        calendar = ExternalCalendar.objects.create(provider_id=tutoring.provider_id, url=server.url("/work.ics"))
    _sync(tenant_a, calendar.pk)
    blocked = _slot_starts(api_a, tutoring.listing, _day(3))

    # when
    removed = api_a.delete(f"/api/v1/providers/me/calendars/{calendar.public_id}/", **tutoring.tutor)

    # then
    assert removed.status_code == 204
    assert f"{_day(3)}T10:00:00+00:00" not in blocked
    assert f"{_day(3)}T10:00:00+00:00" in _slot_starts(api_a, tutoring.listing, _day(3))
    with tenant_context(tenant_a):
        assert not ExternalCalendar.objects.exists() and not BusyTime.objects.exists()


BAD_FEEDS = {
    "malformed": (Page(b"BEGIN:VCALENDAR\r\nthis is not a calendar\r\n"), "not return a valid iCalendar"),
    "html": (Page(b"<html><body>Sign in</body></html>", content_type="text/html"), "not return a valid iCalendar"),
    "broken event": (
        Page(_ics(_vevent("bad", "DTSTART:tomorrow", "DTEND:the day after"))),
        "not return a valid iCalendar",
    ),
    "missing": (None, "HTTP 404"),
    "server error": (Page(b"oops", status=500, content_type="text/plain"), "HTTP 500"),
    "too large": (Page(b"X" * (2 * 1024 * 1024 + 1)), "larger than 2 MB"),
    "too large, undeclared": (Page(b"X" * (2 * 1024 * 1024 + 1), declare_length=False), "larger than 2 MB"),
}


@pytest.mark.parametrize("case", list(BAD_FEEDS))
def test_a_failed_sync_keeps_the_old_busy_times_and_says_why(tenant_a, tutoring, server, case):
    # given a calendar imported once
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(3))))
    calendar_id = _calendar(tenant_a, tutoring, server.url("/work.ics"))
    first = _sync(tenant_a, calendar_id)
    imported = _busy(tenant_a, calendar_id)
    page, message = BAD_FEEDS[case]
    if page is None:
        del server.pages["/work.ics"]
    else:
        server.pages["/work.ics"] = page

    # when
    calendar = _sync(tenant_a, calendar_id)

    # then
    assert message in calendar.last_error and len(calendar.last_error) <= 500
    assert calendar.last_synced_at == first.last_synced_at
    assert _busy(tenant_a, calendar_id) == imported == [(_at(_day(3), 10), _at(_day(3), 11))]


def test_an_unreachable_host_is_reported_and_the_old_busy_times_stay(tenant_a, tutoring, server):
    # given
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(3))))
    calendar_id = _calendar(tenant_a, tutoring, server.url("/work.ics"))
    _sync(tenant_a, calendar_id)
    port = _closed_port()
    with tenant_context(tenant_a):
        ExternalCalendar.objects.filter(pk=calendar_id).update(url=f"http://127.0.0.1:{port}/work.ics")

    # when
    calendar = _sync(tenant_a, calendar_id)

    # then
    assert calendar.last_error == "Could not reach 127.0.0.1: the connection was refused."
    assert len(_busy(tenant_a, calendar_id)) == 1


def test_a_slow_host_is_given_up_on(tenant_a, tutoring, server, monkeypatch):
    # given a server slower than the timeout (shortened to keep the suite fast)
    monkeypatch.setattr(calendars, "FETCH_TIMEOUT_SECONDS", 0.3)
    server.pages["/slow.ics"] = Page(_ics(_one_off(_day(3))), delay=1.0)
    calendar_id = _calendar(tenant_a, tutoring, server.url("/slow.ics"))

    # when
    started = time.monotonic()
    calendar = _sync(tenant_a, calendar_id)

    # then
    assert time.monotonic() - started < 0.9
    assert calendar.last_error == "127.0.0.1 did not send the calendar within 0.3 seconds."
    assert calendar.last_synced_at is None and _busy(tenant_a, calendar_id) == []


def test_a_good_sync_clears_the_last_error(tenant_a, tutoring, server):
    # given
    calendar_id = _calendar(tenant_a, tutoring, server.url("/work.ics"))
    assert "HTTP 404" in _sync(tenant_a, calendar_id).last_error

    # when
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(3))))
    calendar = _sync(tenant_a, calendar_id)

    # then
    assert calendar.last_error == "" and calendar.last_synced_at is not None
    assert len(_busy(tenant_a, calendar_id)) == 1


def test_the_periodic_job_syncs_every_calendar_of_each_marketplace(tenant_a, tenant_b, tutoring, server):
    # given a calendar in each marketplace
    server.pages["/a.ics"] = Page(_ics(_one_off(_day(3))))
    # beta's provider has no schedule: all-day events are UTC days, and the horizon is 60 days
    server.pages["/b.ics"] = Page(_ics(_one_off(_day(4)), _all_day(_day(6)), _one_off(_day(45), hour=8)))
    alpha_id = _calendar(tenant_a, tutoring, server.url("/a.ics"))
    with tenant_context(tenant_b):
        provider = ProviderProfile.objects.create(user=UserFactory(is_provider=True), headline="Designer")
        beta_id = ExternalCalendar.objects.create(provider=provider, url=server.url("/b.ics")).pk

    # when the beat entry's dispatcher runs
    entry = settings.CELERY_BEAT_SCHEDULE["bookings.sync_calendars"]
    dispatched = dispatch_periodic(**{**entry["kwargs"], "jitter": 0})

    # then
    assert entry["task"] == "tenants.dispatch_periodic" and entry["schedule"] == 900.0
    assert dispatched >= 2
    assert _busy(tenant_a, alpha_id) == [(_at(_day(3), 10), _at(_day(3), 11))]
    assert _busy(tenant_b, beta_id) == [
        (_at(_day(4), 10), _at(_day(4), 11)),
        (_at(_day(6), 0), _at(_day(7), 0)),
        (_at(_day(45), 8), _at(_day(45), 9)),
    ]
    with tenant_context(tenant_b):
        assert {b.provider_id for b in BusyTime.objects.all()} == {provider.pk}


def test_the_sync_task_touches_only_its_own_marketplace(tenant_a, tenant_b, tutoring, server):
    # given
    server.pages["/a.ics"] = Page(_ics(_one_off(_day(3))))
    alpha_id = _calendar(tenant_a, tutoring, server.url("/a.ics"))
    with tenant_context(tenant_b):
        provider = ProviderProfile.objects.create(user=UserFactory(is_provider=True), headline="Designer")
        beta_id = ExternalCalendar.objects.create(provider=provider, url=server.url("/a.ics")).pk

    # when
    with tenant_context(tenant_a):
        queued = sync_calendars.delay().get()

    # then
    assert queued == 1 and len(_busy(tenant_a, alpha_id)) == 1
    with tenant_context(tenant_b):
        assert ExternalCalendar.objects.get(pk=beta_id).last_synced_at is None
        assert not BusyTime.objects.exists()


# --- connecting calendars through the API -------------------------------------------------------------------


def test_a_provider_connects_lists_and_removes_calendars(api_a, tenant_a, tutoring, server, run_on_commit):
    # given
    server.pages["/work.ics"] = Page(_ics(_one_off(_day(3))))

    # when
    with run_on_commit():
        added = api_a.post(
            "/api/v1/providers/me/calendars/", {"url": server.url("/work.ics")}, format="json", **tutoring.tutor
        )
    listed = api_a.get("/api/v1/providers/me/calendars/", **tutoring.tutor)

    # then the first import ran after the commit
    assert added.status_code == 201, added.content
    assert added.json()["url"] == server.url("/work.ics") and added.json()["id"].startswith("cal_")
    assert server.hits == ["/work.ics"]
    assert listed.status_code == 200 and listed.json()["count"] == 1
    row = listed.json()["results"][0]
    assert (row["id"], row["last_error"]) == (added.json()["id"], "") and row["last_synced_at"]
    with tenant_context(tenant_a):
        assert BusyTime.objects.filter(provider_id=tutoring.provider_id).count() == 1

    # when it is removed
    removed = api_a.delete(f"/api/v1/providers/me/calendars/{row['id']}/", **tutoring.tutor)
    again = api_a.delete(f"/api/v1/providers/me/calendars/{row['id']}/", **tutoring.tutor)

    # then
    assert (removed.status_code, again.status_code) == (204, 404)
    assert api_a.get("/api/v1/providers/me/calendars/", **tutoring.tutor).json()["count"] == 0
    with tenant_context(tenant_a):
        assert not BusyTime.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://calendar.example.org/work.ics", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("webcal://calendar.example.org/work.ics", "replace webcal://"),
        ("not a url", "http:// or https://"),
        ("", "http:// or https://"),
        (42, "http:// or https://"),
        ("https://calendar.example.org/" + "a" * 1000, "1,000 characters"),
    ],
)
def test_bad_calendar_addresses_are_refused(api_a, tenant_a, tutoring, url, message, run_on_commit):
    # when
    with run_on_commit():
        response = api_a.post("/api/v1/providers/me/calendars/", {"url": url}, format="json", **tutoring.tutor)

    # then
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]["fields"]["url"][0]
    with tenant_context(tenant_a):
        assert not ExternalCalendar.objects.exists()


def test_at_most_five_calendars_and_no_duplicates(api_a, tenant_a, tutoring, server):
    # given
    for n in range(5):
        added = api_a.post(
            "/api/v1/providers/me/calendars/", {"url": server.url(f"/{n}.ics")}, format="json", **tutoring.tutor
        )
        assert added.status_code == 201

    # when
    sixth = api_a.post(
        "/api/v1/providers/me/calendars/", {"url": server.url("/5.ics")}, format="json", **tutoring.tutor
    )
    api_a.delete(f"/api/v1/providers/me/calendars/{added.json()['id']}/", **tutoring.tutor)
    duplicate = api_a.post(
        "/api/v1/providers/me/calendars/", {"url": server.url("/0.ics")}, format="json", **tutoring.tutor
    )

    # then
    assert sixth.status_code == 400 and "up to 5 calendars" in sixth.json()["error"]["fields"]["url"][0]
    assert duplicate.status_code == 400 and "already connected" in duplicate.json()["error"]["fields"]["url"][0]
    with tenant_context(tenant_a):
        assert ExternalCalendar.objects.count() == 4


def test_calendars_belong_to_their_provider(api_a, tenant_a, tutoring, server):
    # given another provider's calendar, and a member who is not a provider
    with tenant_context(tenant_a):
        other = ProviderProfile.objects.create(user=UserFactory(email="other@example.org"), headline="Other")
        theirs = ExternalCalendar.objects.create(provider=other, url=server.url("/theirs.ics"))
    client = _auth(api_a, "client@example.org")

    # when
    listed = api_a.get("/api/v1/providers/me/calendars/", **tutoring.tutor)
    deleted = api_a.delete(f"/api/v1/providers/me/calendars/{theirs.public_id}/", **tutoring.tutor)
    as_client = api_a.post("/api/v1/providers/me/calendars/", {"url": server.url("/x.ics")}, format="json", **client)
    anonymous = api_a.get("/api/v1/providers/me/calendars/")

    # then
    assert listed.json()["count"] == 0
    assert deleted.status_code == 404
    assert as_client.status_code == 409 and as_client.json()["error"]["code"] == "not_a_provider"
    assert anonymous.status_code == 401
    with tenant_context(tenant_a):
        assert list(ExternalCalendar.objects.values_list("pk", flat=True)) == [theirs.pk]


# --- bookings in calendars ------------------------------------------------------------------------------------


def _book(api, listing: str, starts_at: str, email: str) -> str:
    response = api.post(
        "/api/v1/bookings/",
        {"listing": listing, "package": "Hour", "starts_at": starts_at, "time_zone": "America/New_York"},
        format="json",
        **_auth(api, email),
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _act(api, booking: str, action: str, email: str) -> None:
    body = {"action": action, **({"data": {"payment_method": "4242 4242 4242 4242"}} if action == "pay" else {})}
    response = api.post(f"/api/v1/bookings/{booking}/actions/", body, format="json", **_auth(api, email))
    assert response.status_code == 200, response.content


@pytest.fixture
def bookings(api_a, tutoring) -> dict[str, str]:
    """The client's confirmed booking and cancelled booking, and the rival's unpaid one."""
    slots = _slot_starts(api_a, tutoring.listing, _day(10))
    confirmed = _book(api_a, tutoring.listing, slots[0], "client@example.org")
    _act(api_a, confirmed, "pay", "client@example.org")
    cancelled = _book(api_a, tutoring.listing, slots[1], "client@example.org")
    _act(api_a, cancelled, "abandon", "client@example.org")
    unpaid = _book(api_a, tutoring.listing, slots[2], "rival@example.org")
    return {"confirmed": confirmed, "cancelled": cancelled, "unpaid": unpaid}


def _events(content: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(content)
    return {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_booking_ics_is_an_invite_in_utc(tenant_a, bookings):
    # given
    with tenant_context(tenant_a):
        booking = Booking.objects.select_related("listing", "provider__user", "client").get(
            public_id=bookings["confirmed"]
        )

        # when
        parsed = icalendar.Calendar.from_ical(booking_ics(booking))
        cancelled = icalendar.Calendar.from_ical(booking_ics(Booking.objects.get(public_id=bookings["cancelled"])))

    # then
    (event,) = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == "REQUEST" and str(parsed["VERSION"]) == "2.0"
    assert str(event["UID"]) == f"{booking.public_id}@alpha"
    assert event["DTSTART"].dt == booking.starts_at and event["DTSTART"].dt.utcoffset() == timedelta(0)
    assert event["DTEND"].dt == booking.ends_at and event["DTSTAMP"].dt.tzinfo is not None
    assert str(event["SUMMARY"]) == "One-to-one sessions — Hour"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["URL"]) == str(event["LOCATION"]) == booking.meeting_url != ""
    assert "Tess Tutor" in str(event["DESCRIPTION"]) and booking.public_id in str(event["DESCRIPTION"])
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:client@example.org", "mailto:tutor@example.org"]
    assert str(event["ORGANIZER"]) == f"mailto:{settings.DEFAULT_FROM_EMAIL}"
    (gone,) = cancelled.walk("VEVENT")
    assert (str(cancelled["METHOD"]), str(gone["STATUS"]), int(gone["SEQUENCE"])) == ("CANCEL", "CANCELLED", 1)


def test_the_private_feed_lists_the_members_bookings_only(api_a, tenant_a, bookings):
    # given
    url = api_a.get("/api/v1/me/calendar-feed/", **_auth(api_a, "client@example.org")).json()["url"]
    provider_url = api_a.get("/api/v1/me/calendar-feed/", **_auth(api_a, "tutor@example.org")).json()["url"]

    # when (no sign-in: the address is the key)
    response = api_a.get(urlsplit(url).path)
    provider_feed = api_a.get(urlsplit(provider_url).path)

    # then
    assert urlsplit(url).hostname == f"alpha.{settings.PLATFORM_DOMAIN}" and urlsplit(url).path.endswith(".ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert set(events) == {bookings["confirmed"], bookings["cancelled"]}
    assert str(events[bookings["confirmed"]]["STATUS"]) == "CONFIRMED"
    assert str(events[bookings["cancelled"]]["STATUS"]) == "CANCELLED"
    provider_events = _events(provider_feed.content)
    assert set(provider_events) == set(bookings.values())
    assert str(provider_events[bookings["unpaid"]]["STATUS"]) == "TENTATIVE"
    assert url != provider_url


def test_the_feed_address_is_stable_until_rotated(api_a, tenant_a, bookings):
    # given
    client = _auth(api_a, "client@example.org")
    url = api_a.get("/api/v1/me/calendar-feed/", **client).json()["url"]
    same = api_a.get("/api/v1/me/calendar-feed/", **client).json()["url"]

    # when
    rotated = api_a.post("/api/v1/me/calendar-feed/rotate/", **client)

    # then
    new_url = rotated.json()["url"]
    assert url == same and rotated.status_code == 200 and new_url != url
    assert api_a.get(urlsplit(url).path).status_code == 404
    assert api_a.get(urlsplit(new_url).path).status_code == 200
    with tenant_context(tenant_a):
        (feed,) = CalendarFeed.objects.all()
        assert new_url.endswith(f"/calendar/{feed.token}.ics") and len(feed.token) >= 43


def test_a_feed_answers_only_in_its_marketplace(api_a, api_b, bookings):
    # given
    url = api_a.get("/api/v1/me/calendar-feed/", **_auth(api_a, "client@example.org")).json()["url"]

    # when
    elsewhere = api_b.get(urlsplit(url).path)
    unknown = api_a.get("/calendar/not-a-token.ics")
    anonymous = api_a.get("/api/v1/me/calendar-feed/")

    # then
    assert api_a.get(urlsplit(url).path).status_code == 200
    assert (elsewhere.status_code, unknown.status_code, anonymous.status_code) == (404, 404, 401)


def test_the_confirmation_is_emailed_once_with_the_invite(tenant_a, bookings, run_on_commit, mailoutbox):
    # given
    with tenant_context(tenant_a):
        booking = Booking.objects.get(public_id=bookings["confirmed"])

        # when queued twice, as a retried transition would
        with run_on_commit():
            queue_confirmation(booking)
        with run_on_commit():
            queue_confirmation(booking)
        events = list(BookingEvent.objects.filter(booking=booking, action="confirmation_sent"))

    # then one email each to the client and the provider, in their own time zones
    assert sorted(m.to[0] for m in mailoutbox) == ["client@example.org", "tutor@example.org"]
    assert len(events) == 1 and events[0].role == "system" and events[0].to_state == "confirmed"
    by_recipient = {m.to[0]: m for m in mailoutbox}
    client_mail, tutor_mail = by_recipient["client@example.org"], by_recipient["tutor@example.org"]
    new_york = booking.starts_at.astimezone(ZoneInfo("America/New_York"))
    assert client_mail.subject.startswith("Booking confirmed: One-to-one sessions with Tess Tutor")
    assert f"{new_york:%H:%M}" in client_mail.body and "America/New_York" in client_mail.body
    assert "Cleo Client booked you on Alpha University" in tutor_mail.body and "Europe/London" in tutor_mail.body
    for mail in mailoutbox:
        (invite,) = mail.attachments
        assert invite.get_content_type() == "text/calendar" and invite.get_param("method") == "REQUEST"
        assert invite.get_filename() == "invite.ics"
        (event,) = icalendar.Calendar.from_ical(invite.get_payload(decode=True)).walk("VEVENT")
        assert str(event["UID"]) == f"{booking.public_id}@alpha" and event["DTSTART"].dt == booking.starts_at
        assert "text/calendar" in mail.message().as_string()


def test_no_confirmation_for_a_booking_that_is_not_confirmed(tenant_a, bookings, run_on_commit, mailoutbox):
    # given
    with tenant_context(tenant_a):
        unpaid = Booking.objects.get(public_id=bookings["unpaid"])
        cancelled = Booking.objects.get(public_id=bookings["cancelled"])

        # when
        with run_on_commit():
            queue_confirmation(unpaid)
            queue_confirmation(cancelled)

        # then
        assert mailoutbox == []
        assert not BookingEvent.objects.filter(action="confirmation_sent").exists()
