"""Plans: seeded, versioned (a change of terms never touches existing subscribers), retired plans
cannot be chosen, only platform staff manage them."""

import pytest

from accounts.models import User
from billing.models import Plan, Subscription
from billing.services import plan_retire, plan_update, subscription_change
from marketplace.common.errors import ValidationFailed
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff@platform.test", PASSWORD, is_staff=True)


@pytest.fixture
def operator(db):
    return User.objects.create_user("op@platform.test", PASSWORD, is_operator=True)


def _starter_for(tenant):
    Subscription.objects.filter(tenant=tenant).update(plan_version=Plan.objects.get(code="starter").current_version)


def test_the_seeded_plans_are_offered_cheapest_first_with_their_terms(api_platform):
    response = api_platform.get("/api/v1/billing/plans/")

    assert response.status_code == 200
    plans = response.json()
    assert [p["code"] for p in plans] == ["starter", "growth", "enterprise"]
    starter, growth, enterprise = (p["terms"] for p in plans)
    assert (starter["monthly_price"], starter["yearly_price"], starter["currency"]) == (4_900, 49_000, "USD")
    assert (starter["trial_days"], starter["platform_fee_bps"]) == (14, 500)
    assert starter["limits"]["active_listings"] == 100 and starter["features"] == []
    assert "milestone_workflow" in growth["features"] and "opensearch" not in growth["features"]
    assert set(enterprise["limits"].values()) == {None}


def test_a_price_change_is_a_new_version_and_subscribers_keep_their_terms(tenant_a, tenant_b, staff):
    # given alpha subscribed to Starter v1; beta is still on its Enterprise trial
    _starter_for(tenant_a)
    starter = Plan.objects.get(code="starter")
    v1 = starter.current_version

    # when staff raise the price, then beta moves to Starter
    plan_update(actor=staff, plan=starter, monthly_price=5_900)
    subscription_change(actor=staff, subscription=tenant_b.subscription, plan_code="starter")

    # then alpha keeps v1's price; beta signed up for v2
    v2 = starter.current_version
    assert (v1.number, v1.monthly_price, v2.number, v2.monthly_price) == (1, 4_900, 2, 5_900)
    assert v2.limits == v1.limits and v2.yearly_price == v1.yearly_price
    assert Subscription.objects.get(tenant=tenant_a).plan_version == v1
    assert Subscription.objects.get(tenant=tenant_b).plan_version == v2


def test_an_update_that_changes_nothing_makes_no_version(staff):
    starter = Plan.objects.get(code="starter")

    plan_update(actor=staff, plan=starter, monthly_price=4_900)

    assert starter.versions.count() == 1


def test_a_retired_plan_cannot_be_chosen_but_its_subscribers_keep_it(tenant_a, tenant_b, staff, operator, api_platform):
    # given alpha is on Starter
    _starter_for(tenant_a)

    # when Starter is retired
    plan_retire(actor=staff, plan=Plan.objects.get(code="starter"))

    # then beta cannot move to it, a new sign-up cannot choose it, alpha keeps it
    with pytest.raises(ValidationFailed) as refused:
        subscription_change(actor=staff, subscription=tenant_b.subscription, plan_code="starter")
    assert "plan" in refused.value.fields
    api_platform.force_authenticate(operator)
    signup = api_platform.post(
        "/api/v1/signups/", {"name": "Late Co", "slug": "late-co", "kind": "agency", "plan": "starter"}, format="json"
    )
    assert signup.status_code == 400 and "plan" in signup.json()["error"]["fields"]
    assert Subscription.objects.get(tenant=tenant_b).plan_version.plan.code == "enterprise"
    assert Subscription.objects.get(tenant=tenant_a).plan_version.plan.code == "starter"
    assert [p["code"] for p in api_platform.get("/api/v1/billing/plans/").json()] == ["growth", "enterprise"]


def test_only_platform_staff_manage_plans(api_platform, operator, staff):
    # given an operator
    api_platform.force_authenticate(operator)

    # when they try to change a price, create or retire a plan
    changed = api_platform.patch("/api/v1/billing/plans/starter/", {"monthly_price": 1}, format="json")
    retired = api_platform.post("/api/v1/billing/plans/starter/retire/")

    # then nothing changed
    assert (changed.status_code, retired.status_code) == (403, 403)
    starter = Plan.objects.get(code="starter")
    assert starter.versions.count() == 1 and starter.retired_at is None

    # and staff can
    api_platform.force_authenticate(staff)
    staff_change = api_platform.patch("/api/v1/billing/plans/starter/", {"monthly_price": 5_400}, format="json")
    assert staff_change.status_code == 200, staff_change.content
    assert staff_change.json()["terms"]["monthly_price"] == 5_400 and staff_change.json()["terms"]["number"] == 2


def test_staff_create_a_plan_and_bad_terms_are_refused_field_by_field(api_platform, staff):
    api_platform.force_authenticate(staff)
    terms = {
        "currency": "USD",
        "monthly_price": 99_900,
        "yearly_price": 999_000,
        "trial_days": 30,
        "platform_fee_bps": 100,
        "limits": {"active_providers": None},
        "features": ["opensearch"],
    }

    created = api_platform.post(
        "/api/v1/billing/plans/", {"code": "scale", "name": "Scale", "rank": 40, **terms}, format="json"
    )
    bad = api_platform.post(
        "/api/v1/billing/plans/",
        {**terms, "code": "bad", "name": "Bad", "rank": 50, "platform_fee_bps": 20_000, "features": ["teleport"]},
        format="json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["terms"]["number"] == 1
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"platform_fee_bps", "features"}
    assert not Plan.objects.filter(code="bad").exists()
