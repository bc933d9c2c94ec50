"""Subscriptions: started by provisioning and sign-up, status moves explained by their events and
carried to the marketplace, upgrades at once with proration, downgrades at the period's end."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from billing import proration
from billing.models import Plan, Subscription, SubscriptionStatus
from billing.services import plan_create, subscription_change, subscription_transition
from marketplace.common.errors import InvalidTransition
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_close, tenant_reactivate
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff@platform.test", PASSWORD, is_staff=True)


def _subscription(tenant) -> Subscription:
    return Subscription.objects.select_related("plan_version__plan").get(tenant=tenant)


def _paying(tenant, plan: str, *, days_into_period: int = 10, interval: str = "month") -> Subscription:
    """`tenant` paid for a 30-day period of `plan` that began `days_into_period` days ago."""
    start = timezone.now() - timedelta(days=days_into_period)
    Subscription.objects.filter(tenant=tenant).update(
        plan_version=Plan.objects.get(code=plan).current_version,
        interval=interval,
        status=SubscriptionStatus.ACTIVE,
        current_period_start=start,
        current_period_end=start + timedelta(days=30),
    )
    return _subscription(tenant)


def _chain(subscription) -> list[tuple[str, str]]:
    return [(e.from_status, e.to_status) for e in subscription.events.all()]


def test_provisioned_marketplaces_start_an_enterprise_trial(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        subscription = _subscription(tenant)
        assert (subscription.plan_version.plan.code, subscription.status) == ("enterprise", "trialing")
        assert subscription.trial_ends_at == subscription.current_period_end
        assert _chain(subscription) == [("", "trialing")]
    assert _subscription(tenant_a).pk != _subscription(tenant_b).pk


def test_signup_chooses_a_plan_and_starts_its_trial(api_platform, run_on_commit, tenant_a):
    # given an operator
    api_platform.force_authenticate(User.objects.create_user("op@example.com", PASSWORD, is_operator=True))

    # when they launch one marketplace on Growth, yearly, and one with no plan named
    with run_on_commit():
        growth = api_platform.post(
            "/api/v1/signups/",
            {"name": "Op Studio", "slug": "op-studio", "kind": "agency", "plan": "growth", "interval": "year"},
            format="json",
        )
        default = api_platform.post(
            "/api/v1/signups/", {"name": "Op Two", "slug": "op-two", "kind": "agency"}, format="json"
        )

    # then each runs a trial of its plan; alpha is untouched
    assert growth.status_code == 202, growth.content
    studio = _subscription(Tenant.objects.get(schema_name="op-studio"))
    assert (studio.plan_version.plan.code, studio.interval, studio.status) == ("growth", "year", "trialing")
    assert abs(studio.trial_ends_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
    assert default.status_code == 202
    assert _subscription(Tenant.objects.get(schema_name="op-two")).plan_version.plan.code == "starter"
    assert _subscription(tenant_a).plan_version.plan.code == "enterprise"


def test_the_marketplace_follows_its_subscription_into_suspension_and_back(
    tenant_a, tenant_b, api_a, api_b, run_on_commit
):
    # given alpha's trial ended unpaid
    subscription = subscription_transition(
        subscription=_subscription(tenant_a), to="past_due", reason="The trial ended without a payment."
    )
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.PAST_DUE

    # when the grace period ends
    with run_on_commit():
        subscription_transition(subscription=subscription, to="suspended", reason="Unpaid 14 days after the trial.")

    # then alpha takes nothing new (but stays readable), beta is not affected
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.SUSPENDED
    assert api_a.post("/api/v1/auth/register/", {}, format="json").status_code == 503
    assert api_a.get("/api/v1/marketplace/").status_code == 200  # still readable
    assert api_b.get("/api/v1/marketplace/").status_code == 200

    # when alpha pays
    with run_on_commit():
        subscription_transition(subscription=subscription, to="active", reason="Paid invoice 1.", action="paid")

    # then it is back at once, and every status is explained by an event
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.ACTIVE
    assert api_a.get("/api/v1/marketplace/").status_code == 200
    subscription = _subscription(tenant_a)
    events = list(subscription.events.all())
    assert _chain(subscription) == [
        ("", "trialing"),
        ("trialing", "past_due"),
        ("past_due", "suspended"),
        ("suspended", "active"),
    ]
    assert events[-1].to_status == subscription.status and all(e.reason for e in events)
    assert _chain(_subscription(tenant_b)) == [("", "trialing")]


def test_a_move_the_status_does_not_allow_is_refused_and_changes_nothing(tenant_a):
    subscription = _subscription(tenant_a)

    with pytest.raises(InvalidTransition) as refused:
        subscription_transition(subscription=subscription, to="suspended", reason="Skipping the grace period.")

    assert refused.value.fields == {"allowed": ["active", "closed", "past_due"]}
    assert _subscription(tenant_a).status == "trialing" and subscription.events.count() == 1
    assert Tenant.objects.get(pk=tenant_a.pk).status == TenantStatus.TRIAL


def test_closing_and_reopening_the_marketplace_closes_and_reopens_its_subscription(tenant_a, tenant_b, staff):
    tenant_close(actor=staff, tenant=tenant_a, reason="Moving on.")
    assert _subscription(tenant_a).status == "closed"

    tenant_reactivate(actor=staff, tenant=Tenant.objects.get(pk=tenant_a.pk))
    assert _subscription(tenant_a).status == "active"
    assert _chain(_subscription(tenant_a))[-2:] == [("trialing", "closed"), ("closed", "active")]
    assert _subscription(tenant_b).status == "trialing"


def test_an_upgrade_applies_at_once_and_charges_the_prorated_difference(tenant_a, tenant_b, staff):
    # given alpha is 10 days into a paid 30-day Starter month
    subscription = _paying(tenant_a, "starter")

    # when it upgrades to Growth
    subscription_change(actor=staff, subscription=subscription, plan_code="growth")

    # then Growth applies now, for the rest of the same period, at the prorated difference
    subscription = _subscription(tenant_a)
    event = subscription.events.last()
    expected = proration.upgrade_in_period(
        old_price=4_900,
        new_price=14_900,
        period_start=subscription.current_period_start,
        period_end=subscription.current_period_end,
        now=event.created_at,
    )
    assert subscription.plan_version.plan.code == "growth" and subscription.scheduled_version is None
    assert event.action == "upgraded" and event.data["currency"] == "USD"
    assert abs(event.data["prorated_amount"] - expected) <= 1 and 6_600 <= event.data["prorated_amount"] <= 6_667
    assert _subscription(tenant_b).plan_version.plan.code == "enterprise"


def test_a_downgrade_waits_for_the_end_of_the_period(tenant_a, staff):
    subscription = _paying(tenant_a, "growth")

    subscription_change(actor=staff, subscription=subscription, plan_code="starter", interval="month")

    subscription = _subscription(tenant_a)
    assert subscription.plan_version.plan.code == "growth"
    assert (subscription.scheduled_version.plan.code, subscription.scheduled_interval) == ("starter", "month")
    assert subscription.events.last().data["effective_at"] == subscription.current_period_end.isoformat()


def test_a_downgrade_below_current_usage_is_refused_with_what_to_reduce(tenant_a, tenant_b, staff, api_platform):
    # given a plan for one provider, and alpha paying for Growth with two approved providers
    plan_create(
        actor=staff,
        code="solo",
        name="Solo",
        rank=5,
        currency="USD",
        monthly_price=900,
        yearly_price=9_000,
        trial_days=7,
        platform_fee_bps=800,
        limits={"active_providers": 1},
        features=[],
    )
    _paying(tenant_a, "growth")
    with tenant_context(tenant_a):
        for _ in range(2):
            ProviderProfile.objects.create(user=UserFactory(is_provider=True), status="approved")
    api_platform.force_authenticate(staff)

    # when alpha and beta (no providers, on its trial) ask for Solo
    refused = api_platform.post(
        f"/api/v1/billing/subscriptions/{tenant_a.public_id}/change/", {"plan": "solo"}, format="json"
    )
    allowed = api_platform.post(
        f"/api/v1/billing/subscriptions/{tenant_b.public_id}/change/", {"plan": "solo"}, format="json"
    )

    # then alpha is told what to reduce and nothing changed; beta's trial moved to Solo at once
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "downgrade_blocked"
    assert error["fields"] == {"active_providers": ["2 in use; Solo allows 1. Remove 1."]}
    alpha = _subscription(tenant_a)
    assert (alpha.plan_version.plan.code, alpha.scheduled_version) == ("growth", None)
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["plan"] == "solo" and allowed.json()["events"][-1]["action"] == "plan_changed"


def test_a_subscription_is_shown_to_its_owner_and_staff_only(api_platform, tenant_a):
    owner = User.objects.create_user("owner@example.com", PASSWORD, is_operator=True)
    stranger = User.objects.create_user("other@example.com", PASSWORD, is_operator=True)
    Tenant.objects.filter(pk=tenant_a.pk).update(owner=owner)
    url = f"/api/v1/billing/subscriptions/{tenant_a.public_id}/"

    api_platform.force_authenticate(stranger)
    hidden = api_platform.get(url)
    changed = api_platform.post(url + "change/", {"plan": "growth"}, format="json")
    api_platform.force_authenticate(owner)
    shown = api_platform.get(url)

    assert (hidden.status_code, changed.status_code) == (404, 404)
    assert shown.status_code == 200 and shown.json()["plan"] == "enterprise"
    assert [e["action"] for e in shown.json()["events"]] == ["started"]
    assert _subscription(tenant_a).plan_version.plan.code == "enterprise"
