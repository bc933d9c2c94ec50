"""Counting bookings for reports: per day or month of the marketplace's zone, in one query."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.bookings.models import Booking
from marketplace.bookings.selectors import bookings_made_per_period
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _made_at(booking, when):
    Booking.objects.filter(pk=booking.pk).update(created_at=when)


def test_bookings_are_counted_per_local_day_and_month_in_one_query(tenant_a):
    # given: 23:30 UTC on 30 June is already 1 July in London (summer time)
    late_june_utc = datetime(2026, 6, 30, 23, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    bookings = [make_booking(tenant_a, tag=tag) for tag in ("a", "b", "c")]
    with tenant_context(tenant_a):
        _made_at(bookings[0], late_june_utc)
        _made_at(bookings[1], late_june_utc - timedelta(hours=2))
        _made_at(bookings[2], datetime(2026, 5, 3, 12, tzinfo=LONDON))
        since = datetime(2026, 5, 1, tzinfo=LONDON)
        until = datetime(2026, 7, 2, tzinfo=LONDON)

        # when
        with CaptureQueriesContext(connection) as queries:
            per_day = bookings_made_per_period(since=since, until=until, per="day", zone=LONDON)
        per_month = bookings_made_per_period(since=since, until=until, per="month", zone=LONDON)

    # then
    assert len(queries) == 1
    assert per_day == {
        datetime(2026, 7, 1).date(): 1,
        datetime(2026, 6, 30).date(): 1,
        datetime(2026, 5, 3).date(): 1,
    }
    assert per_month == {datetime(2026, 7, 1).date(): 1, datetime(2026, 6, 1).date(): 1, datetime(2026, 5, 1).date(): 1}


def test_bookings_outside_the_period_and_at_another_marketplace_are_not_counted(tenant_a, tenant_b):
    # given
    inside = make_booking(tenant_a, tag="in")
    outside = make_booking(tenant_a, tag="out")
    make_booking(tenant_b, tag="beta")
    with tenant_context(tenant_a):
        _made_at(inside, datetime(2026, 3, 10, 9, tzinfo=LONDON))
        _made_at(outside, datetime(2026, 4, 1, 0, 0, tzinfo=LONDON))  # the first moment after the period

        # when
        counted = bookings_made_per_period(
            since=datetime(2026, 3, 1, tzinfo=LONDON), until=datetime(2026, 4, 1, tzinfo=LONDON), per="day", zone=LONDON
        )

    # then
    assert counted == {datetime(2026, 3, 10).date(): 1}
