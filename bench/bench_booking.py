"""Booking engine: free slots and contention.

1. Free slots for 60 days for a provider with 500 existing bookings and 200 external calendar events
   (open 08:00-20:00 every day, 30-minute slots): p50/p95 of the slot computation (queries + Python)
   and of the slots API in-process.
2. 200 concurrent booking attempts (separate processes, separate connections) at 20 slots: how many
   bookings exist afterwards (must be 20), the status of every attempt (no 5xx), and the time it took.
Environment: BENCH_RUNS (default 200), BENCH_ATTEMPTS (200), BENCH_SLOTS (20).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta

from _setup import ROOT, active_listing, emit, percentile, prepare_platform, timed_gets, use_fresh_database

RUNS = int(os.environ.get("BENCH_RUNS", "200"))
ATTEMPTS = int(os.environ.get("BENCH_ATTEMPTS", "200"))
SLOTS = int(os.environ.get("BENCH_SLOTS", "20"))


def busy_provider(tenant):
    """A provider with a week-round schedule, 500 bookings and 200 external events over 60 days."""
    import random

    from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

    from accounts.models import User
    from marketplace.bookings.models import AvailabilitySchedule, Booking, BusyTime, ExternalCalendar, WeeklyRule
    from marketplace.catalogue.models import Category

    rng = random.Random(11)
    provider, listing, package = active_listing(
        "busy@bench.test",
        headline="Busy tutor",
        title="Popular sessions",
        category=Category.objects.filter(workflow="instant").first(),
        minutes=30,
    )
    schedule = AvailabilitySchedule.objects.create(
        provider=provider,
        time_zone="Europe/London",
        slot_minutes=30,
        step_minutes=30,
        min_notice_minutes=0,
        buffer_after_minutes=10,
    )
    WeeklyRule.objects.bulk_create(
        WeeklyRule(schedule=schedule, weekday=d, start="08:00", end="20:00") for d in range(7)
    )
    client = User.objects.create_user("client@bench.test", None)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    taken: set[datetime] = set()
    bookings = []
    while len(bookings) < 500:
        start = today + timedelta(days=rng.randrange(1, 60), hours=rng.randrange(8, 19), minutes=rng.choice([0, 30]))
        if start in taken or start - timedelta(minutes=30) in taken or start + timedelta(minutes=30) in taken:
            continue
        taken.add(start)
        end = start + timedelta(minutes=30)
        bookings.append(
            Booking(
                listing=listing,
                package=package,
                package_name="Hour",
                provider=provider,
                client=client,
                workflow="instant",
                state="confirmed",
                holds_time=True,
                starts_at=start,
                ends_at=end,
                period=DateTimeTZRange(start, end + timedelta(minutes=10)),
                price=5000,
                currency="USD",
                commission_bps=1000,
            )
        )
    Booking.objects.bulk_create(bookings)
    calendar = ExternalCalendar.objects.create(provider=provider, url="https://calendar.example.org/busy.ics")
    events = []
    for _ in range(200):
        start = today + timedelta(days=rng.randrange(1, 60), hours=rng.randrange(6, 21))
        events.append(
            BusyTime(calendar=calendar, provider=provider, period=DateTimeTZRange(start, start + timedelta(hours=1)))
        )
    BusyTime.objects.bulk_create(events)
    return listing, package


def main() -> None:
    use_fresh_database("bench_booking")

    from django.db import connection

    from marketplace.bookings.selectors import listing_free_slots
    from tenants.context import tenant_context
    from tenants.services import tenant_provision

    prepare_platform()
    tenant = tenant_provision(
        name="Booking Bench University", slug="bookbench", kind="university", admin_email="admin@bookbench.test"
    )
    with tenant_context(tenant):
        listing, package = busy_provider(tenant)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        first = datetime.now(UTC).date()
        last = first + timedelta(days=59)
        times = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            slots = listing_free_slots(listing, package, first, last)
            times.append(time.perf_counter() - t0)
    emit("slots_60_days_p50", percentile(times, 0.5) * 1000, "ms", bookings=500, external_events=200, slots=len(slots))
    emit("slots_60_days_p95", percentile(times, 0.95) * 1000, "ms", bookings=500, external_events=200, target="< 20")

    query = f"package=Hour&from={first}&to={last}&tz=America/New_York"
    api_times = timed_gets("bookbench.localhost", [(f"/api/v1/listings/{listing.public_id}/slots/", query)] * RUNS)
    emit("slots_api_60_days_p50", percentile(api_times, 0.5) * 1000, "ms")
    emit("slots_api_60_days_p95", percentile(api_times, 0.95) * 1000, "ms", target="< 20")

    sys.path.insert(0, str(ROOT))
    from tests.bookings.race import run

    result = run("bookbench", attempts=ATTEMPTS, slots=SLOTS)
    statuses = result["statuses"]
    emit(
        "booking_contention_bookings",
        result["bookings"],
        "bookings",
        attempts=ATTEMPTS,
        slots=SLOTS,
        expected=SLOTS,
        created=statuses.count(201),
        conflicts=statuses.count(409),
        server_errors=sum(1 for s in statuses if s >= 500),
    )
    emit("booking_contention_seconds", result["seconds"], "s", attempts=ATTEMPTS, slots=SLOTS)


if __name__ == "__main__":
    main()
