"""Counting disputes for reports: opened per day of the marketplace's zone, in one query."""

import zoneinfo
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.disputes.models import Dispute
from marketplace.disputes.selectors import disputes_opened_per_period
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def _dispute(booking, opened_at):
    dispute = Dispute.objects.create(
        booking=booking,
        opened_by=booking.client,
        opened_by_role="client",
        reason="not_delivered",
        desired_outcome="full_refund",
        description="Nothing was delivered.",
        amount=booking.price,
        currency=booking.currency,
    )
    Dispute.objects.filter(pk=dispute.pk).update(created_at=opened_at)


def test_disputes_are_counted_per_local_day_in_one_query(tenant_a, tenant_b):
    # given: 16:00 UTC on 1 March is 2 March in Tokyo
    one, two = make_booking(tenant_a, tag="one"), make_booking(tenant_a, tag="two")
    elsewhere = make_booking(tenant_b, tag="beta")
    utc = zoneinfo.ZoneInfo("UTC")
    with tenant_context(tenant_b):
        _dispute(elsewhere, datetime(2026, 3, 2, 3, tzinfo=utc))
    with tenant_context(tenant_a):
        _dispute(one, datetime(2026, 3, 1, 16, tzinfo=utc))
        _dispute(two, datetime(2026, 3, 1, 10, tzinfo=utc))

        # when
        with CaptureQueriesContext(connection) as queries:
            counted = disputes_opened_per_period(
                since=datetime(2026, 3, 1, tzinfo=TOKYO),
                until=datetime(2026, 3, 8, tzinfo=TOKYO),
                per="day",
                zone=TOKYO,
            )

    # then
    assert len(queries) == 1
    assert counted == {date(2026, 3, 1): 1, date(2026, 3, 2): 1}
