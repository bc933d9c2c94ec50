"""The marketplace's own billing page: plan, status, trial end, usage against limits, for admins."""

import pytest

from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _auth
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_admins_see_their_marketplaces_plan_and_usage(api_a, api_b, tenant_a, tenant_b, put_on_plan):
    # given alpha on a small plan with one approved provider
    put_on_plan(tenant_a, limits={"active_providers": 5, "bookings_per_month": 50})
    with tenant_context(tenant_a):
        ProviderProfile.objects.create(user=UserFactory(is_provider=True), status="approved")

    # when each admin opens the billing overview
    alpha = api_a.get("/api/v1/billing/", **_auth(api_a, "admin@alpha.test")).json()
    beta = api_b.get("/api/v1/billing/", **_auth(api_b, "admin@beta.test")).json()

    # then each sees its own
    assert (alpha["plan"], alpha["status"], alpha["terms"]["platform_fee_bps"]) == ("tiny-alpha", "trialing", 900)
    assert alpha["usage"]["active_providers"] == {"used": 1, "limit": 5}
    assert alpha["usage"]["bookings_per_month"] == {"used": 0, "limit": 50}
    assert alpha["usage"]["staff_seats"] == {"used": 1, "limit": None}
    assert alpha["usage"]["storage_mb"] == {"used": 0, "limit": None}
    assert alpha["trial_ends_at"] and alpha["usage_period"]["start"]
    assert beta["plan"] == "enterprise"
    assert beta["usage"]["active_providers"] == {"used": 0, "limit": None}


def test_members_who_are_not_admins_cannot_see_billing(api_a, tenant_a):
    with tenant_context(tenant_a):
        UserFactory(email="member@example.org")

    response = api_a.get("/api/v1/billing/", **_auth(api_a, "member@example.org"))

    assert response.status_code == 403
