"""Platform billing end to end: an operator signs up on the platform site and picks a plan; the
marketplace runs its trial; the trial ends unpaid (past due, still open), the grace period ends
(suspended: readable, no bookings or sign-ups, saying why); the operator pays from the suspended
marketplace and it is back at once; an upgrade, paid with the saved card, unlocks custom domains;
the platform's console shows the MRR change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from billing import entitlements
from billing.dunning import dunning_run
from billing.models import Subscription, SubscriptionStatus, TenantInvoice
from tenants.context import tenant_context
from tenants.models import Tenant
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Olga Operator",
    "email": "olga@law.example.com",
    "password": "Operator-pass-2026",
    "name": "Olga Legal Help",
    "slug": "olga-legal",
    "kind": "law_firm",
    "plan": "starter",
}


def _mrr(currency: str = "USD") -> int:
    """MRR in minor units as the platform staff's console API shows it."""
    staff = User.objects.get_or_create(email="console@platform.test", defaults={"is_staff": True})[0]
    api = APIClient(HTTP_HOST="localhost")
    api.force_authenticate(staff)
    body = api.get("/api/v1/billing/console/").json()
    return next((row["amount"] for row in body["mrr"]["paying"] if row["currency"] == currency), 0)


def test_from_sign_up_to_suspension_payment_and_upgrade(run_on_commit, tenant_a, tenant_b):
    mrr_at_start = _mrr()

    # --- an operator signs up on the platform site and picks Starter ---
    with run_on_commit():
        signed_up = Client(HTTP_HOST="localhost").post("/signup/", SIGNUP)
    assert signed_up.status_code == 302
    tenant = Tenant.objects.get(schema_name="olga-legal")
    subscription = Subscription.objects.get(tenant=tenant)
    assert (subscription.plan_version.plan.code, subscription.status, subscription.collection) == (
        "starter",
        SubscriptionStatus.TRIALING,
        "automatic",
    )
    assert abs(subscription.trial_ends_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
    assert tenant.status == "trial" and _mrr() == mrr_at_start  # a trial is not revenue yet

    api = APIClient(HTTP_HOST="olga-legal.localhost")
    token = api.post(
        "/api/v1/auth/login/", {"email": SIGNUP["email"], "password": SIGNUP["password"]}, format="json"
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    overview = api.get("/api/v1/billing/").json()
    assert (overview["plan"], overview["status"], overview["payment_method"]) == ("starter", "trialing", None)
    assert overview["usage"]["active_providers"] == {"used": 0, "limit": 25}

    # Starter has no custom domains: refused, naming the plan that has them
    refused = api.post("/api/v1/marketplace/domains/", {"domain": "help.olga-legal.com"}, format="json")
    assert refused.status_code == 403
    assert "Upgrade to Growth" in refused.json()["error"]["message"]

    # --- the trial ends without a payment: past due, still open, the operator is emailed ---
    ended = timezone.now() - timedelta(hours=1)
    Subscription.objects.filter(tenant=tenant).update(
        trial_ends_at=ended, current_period_start=ended - timedelta(days=14), current_period_end=ended
    )
    with run_on_commit():
        assert dunning_run() == {"invoiced": 1, "past_due": 1}
    tenant.refresh_from_db()
    assert tenant.status == "past_due"
    assert [(m.to, m.subject) for m in mail.outbox[-1:]] == [([SIGNUP["email"]], "Payment due for Olga Legal Help")]
    with tenant_context(tenant):
        entitlements.require_bookable(tenant)  # still takes bookings during the grace period
    invoice = TenantInvoice.objects.get(tenant=tenant)
    assert (invoice.status, invoice.total, invoice.period_start) == ("open", 4_900, ended)

    # --- the grace period ends: suspended; readable, nothing new, and it says why ---
    Subscription.objects.filter(tenant=tenant).update(status_changed_at=timezone.now() - timedelta(days=7, hours=1))
    with run_on_commit():
        assert dunning_run() == {"suspended": 1}
    tenant.refresh_from_db()
    assert tenant.status == "suspended"
    assert mail.outbox[-1].subject == "Olga Legal Help is suspended until it is paid"
    visitor = APIClient(HTTP_HOST="olga-legal.localhost")
    assert visitor.get("/api/v1/marketplace/").status_code == 200
    sign_up = visitor.post("/api/v1/auth/register/", {"email": "new@example.org", "password": PASSWORD}, format="json")
    assert sign_up.status_code == 503
    assert "Olga Legal Help is suspended and takes no new bookings" in sign_up.json()["error"]["message"]
    with tenant_context(tenant), pytest.raises(entitlements.MarketplaceSuspended) as no_booking:
        entitlements.require_bookable(tenant)
    assert str(no_booking.value) == "This marketplace is suspended and takes no new bookings."

    # --- the operator pays from the suspended marketplace: back at once ---
    assert api.post("/api/v1/billing/payment-method/", {"card": "4242424242424242"}, format="json").status_code == 200
    with run_on_commit():
        paid = api.post(f"/api/v1/billing/invoices/{invoice.public_id}/pay/")
    assert (paid.status_code, paid.json()["status"]) == (200, "paid")
    tenant.refresh_from_db()
    assert tenant.status == "active"
    assert Subscription.objects.get(tenant=tenant).status == SubscriptionStatus.ACTIVE
    assert visitor.post("/api/v1/auth/register/", {}, format="json").status_code == 400  # open again
    with tenant_context(tenant):
        entitlements.require_bookable(tenant)
    mrr_on_starter = _mrr()
    assert mrr_on_starter == mrr_at_start + 4_900

    # --- an upgrade to Growth, paid with the saved card, unlocks custom domains ---
    upgraded = api.post("/api/v1/billing/change/", {"plan": "growth"}, format="json")
    assert (upgraded.status_code, upgraded.json()["plan"]) == (200, "growth")
    upgrade_invoice = TenantInvoice.objects.get(tenant=tenant, kind="upgrade")
    assert upgrade_invoice.status == "paid" and 0 < upgrade_invoice.total <= 10_000
    added = api.post("/api/v1/marketplace/domains/", {"domain": "help.olga-legal.com"}, format="json")
    assert (added.status_code, added.json()["verification"]) == (201, "pending")

    # --- the console shows the MRR change; the other marketplaces were not touched ---
    assert _mrr() == mrr_on_starter + 10_000
    assert Subscription.objects.get(tenant=tenant_a).plan_version.plan.code == "enterprise"
    assert not TenantInvoice.objects.filter(tenant__in=[tenant_a, tenant_b]).exists()
