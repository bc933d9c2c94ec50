"""The platform's fee on a release is the one the marketplace's plan set when the booking was made:
a plan change afterwards does not change the deal; the other marketplace keeps its own fee."""

import pytest

from billing.models import PlanVersion
from marketplace.bookings.models import Booking
from marketplace.payments.ledger import platform_totals
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _act, _book, _day, _slots, tutoring_listing

pytestmark = pytest.mark.django_db


def test_a_booking_keeps_its_plans_fee_through_a_plan_change(api_a, tenant_a, tenant_b, put_on_plan):
    tutoring = tutoring_listing(api_a, tenant_a)
    put_on_plan(tenant_a, features=("milestone_workflow",))  # 900 bps
    booking = _book(api_a, tutoring, _slots(api_a, tutoring, _day())[0]["starts_at"]).json()["id"]
    _act(api_a, booking, "pay", "client@example.org")
    # when: the plan's fee changes before the session is completed
    PlanVersion.objects.filter(plan__code="tiny-alpha").update(platform_fee_bps=100)
    with tenant_context(tenant_a):
        Booking.objects.filter(public_id=booking).update(
            starts_at="2020-01-01T10:00:00Z", ends_at="2020-01-01T11:00:00Z"
        )
    completed = _act(api_a, booking, "complete", "tutor@example.org")

    with tenant_context(tenant_a):
        stored = Booking.objects.get(public_id=booking)
        totals = platform_totals("USD")
    with tenant_context(tenant_b):
        elsewhere = platform_totals("USD")
    assert completed.status_code == 200, completed.content
    assert stored.platform_fee_bps == 900
    assert -totals["platform_fee"] == 6000 * 900 // 10_000
    assert -totals["marketplace_commission"] == 6000 * 1000 // 10_000 - 6000 * 900 // 10_000
    assert not any(elsewhere.values())
