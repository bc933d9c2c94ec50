"""Usage months and the periodic snapshot of each marketplace's usage."""

from datetime import UTC, datetime

import pytest

from billing.models import UsageRecord
from billing.tasks import record_usage
from billing.usage import usage_month
from tests.bookings.test_booking_api import _act, _book, _day, _slots, tutoring_listing

pytestmark = pytest.mark.django_db


def test_usage_months_count_from_the_subscribers_own_day():
    anchor = datetime(2026, 1, 31, 9, tzinfo=UTC)

    assert usage_month(anchor, datetime(2026, 1, 31, 9, tzinfo=UTC)) == (anchor, datetime(2026, 2, 28, 9, tzinfo=UTC))
    assert usage_month(anchor, datetime(2026, 3, 15, tzinfo=UTC)) == (
        datetime(2026, 2, 28, 9, tzinfo=UTC),
        datetime(2026, 3, 31, 9, tzinfo=UTC),
    )
    assert usage_month(anchor, datetime(2027, 2, 1, tzinfo=UTC))[0] == datetime(2027, 1, 31, 9, tzinfo=UTC)


def test_the_periodic_job_snapshots_each_marketplaces_own_usage(api_a, tenant_a, tenant_b):
    # given a paid booking in alpha, nothing in beta
    listing = tutoring_listing(api_a, tenant_a)
    booking = _book(api_a, listing, _slots(api_a, listing, _day())[1]["starts_at"]).json()
    assert _act(api_a, booking["id"], "pay", "client@example.org").status_code == 200

    # when the job runs for each marketplace, twice for alpha
    for schema in ("alpha", "alpha", "beta"):
        record_usage.apply(kwargs={"_schema": schema}).get()

    # then each has one record of its own figures
    alpha = UsageRecord.objects.get(tenant=tenant_a)
    beta = UsageRecord.objects.get(tenant=tenant_b)
    assert (alpha.bookings, alpha.gmv, alpha.currency, alpha.active_providers, alpha.active_listings) == (
        1,
        6_000,
        "USD",
        1,
        1,
    )
    assert alpha.staff_seats == 1
    assert (beta.bookings, beta.gmv, beta.active_providers, beta.active_listings) == (0, 0, 0, 0)
