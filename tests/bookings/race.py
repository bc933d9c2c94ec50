"""Many clients racing for the same slots, each in its own process with its own database connection.

`run()` commits a provider, a listing with `slots` open hours and one client per attempt in the given
marketplace, releases all attempts at once (a barrier), and reports every attempt's HTTP-equivalent
status, the bookings that exist afterwards, and how long it took; then removes what it made. Used by
tests/bookings/test_race.py (as a subprocess on the test database) and bench/bench_booking.py.

    python tests/bookings/race.py <schema> <attempts> <slots> <capacity>   # prints JSON
"""

from __future__ import annotations

import multiprocessing
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _attempt(schema: str, client_id: int, listing_id: str, starts: list[str], barrier, results) -> None:
    """One client: book its preferred slot; after a 409, look at the free slots again and take the
    first one it still likes, until it has a booking or nothing is left."""
    from datetime import datetime

    from django.db import connection

    from accounts.models import User
    from marketplace.bookings.selectors import listing_free_slots
    from marketplace.bookings.services import booking_create
    from marketplace.catalogue.models import Listing
    from marketplace.common.errors import DomainError
    from tenants.context import tenant_context
    from tenants.models import Tenant

    connection.close()  # never share the parent's socket
    tenant = Tenant.objects.get(schema_name=schema)
    with tenant_context(tenant):
        client = User.objects.get(pk=client_id)
        listing = Listing.objects.get(public_id=listing_id)
        package = listing.packages.get()
        day = datetime.fromisoformat(starts[0]).date()
        barrier.wait()
        wanted = list(starts)
        status = 409
        while wanted:
            try:
                booking_create(client=client, listing_id=listing_id, package="Hour", starts_at=wanted[0])
                status = 201
                break
            except DomainError as error:
                if error.status_code != 409:
                    status = error.status_code
                    break
            except Exception:  # noqa: BLE001 - reported as a server error, which the caller asserts on
                traceback.print_exc()
                status = 500
                break
            free = {slot.start for slot in listing_free_slots(listing, package, day, day)}
            wanted = [start for start in wanted if datetime.fromisoformat(start) in free]
        results.put(status)
    connection.close()


def run(schema: str, *, attempts: int, slots: int, capacity: int = 1) -> dict:
    from django.db import connection, connections

    from accounts.models import User
    from marketplace.bookings.models import AvailabilitySchedule, Booking, WeeklyRule
    from marketplace.catalogue.models import Category, Listing, Package
    from marketplace.configuration.selectors import marketplace_settings
    from marketplace.providers.models import ProviderProfile
    from tenants.context import tenant_context
    from tenants.models import Tenant

    tag = uuid.uuid4().hex[:8]
    tenant = Tenant.objects.get(schema_name=schema)
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    with tenant_context(tenant):
        provider_user = User.objects.create_user(f"race-{tag}-provider@example.org", None, is_provider=True)
        provider = ProviderProfile.objects.create(user=provider_user, headline="Racing tutor", status="approved")
        category = Category.objects.filter(workflow="instant").first()
        listing = Listing.objects.create(
            provider=provider,
            category=category,
            title="Contested sessions",
            description="Everybody wants these.",
            currency=marketplace_settings().currency,
            status="active",
            published_at=datetime.now(UTC),
            price_from=5000,
        )
        Package.objects.create(listing=listing, name="Hour", price=5000, duration_minutes=60)
        schedule = AvailabilitySchedule.objects.create(
            provider=provider, time_zone="UTC", min_notice_minutes=0, capacity=capacity
        )
        WeeklyRule.objects.create(schedule=schedule, weekday=day.weekday(), start="00:00", end=f"{slots:02d}:00")
        clients = [User.objects.create_user(f"race-{tag}-{i}@example.org", None).pk for i in range(attempts)]
    starts = [datetime(day.year, day.month, day.day, hour, tzinfo=UTC).isoformat() for hour in range(slots)]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(attempts + 1), context.Queue()
    workers = []
    for index, client_id in enumerate(clients):
        # Every client tries the slots in its own order, starting from a different one.
        order = starts[index % slots :] + starts[: index % slots]
        workers.append(
            context.Process(target=_attempt, args=(schema, client_id, listing.public_id, order, barrier, results))
        )
    for worker in workers:
        worker.start()
    barrier.wait()
    started = time.perf_counter()
    statuses = [results.get(timeout=300) for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join(timeout=60)
    try:
        with tenant_context(tenant):
            made = Booking.objects.filter(listing=listing)
            booked = list(made.values_list("starts_at", "seat"))
    finally:
        with tenant_context(tenant):
            Booking.objects.filter(listing=listing).delete()
            schedule.delete()
            listing.delete()
            provider.delete()
            User.objects.filter(email__startswith=f"race-{tag}-").delete()
        connection.close()
    return {
        "statuses": sorted(statuses),
        "bookings": len(booked),
        "distinct_seats": len(set(booked)),
        "seconds": elapsed,
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from tests.processes import script_main

    schema, attempts, slots, capacity = sys.argv[1], *map(int, sys.argv[2:5])
    script_main(lambda: run(schema, attempts=attempts, slots=slots, capacity=capacity))
