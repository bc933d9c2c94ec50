"""The plans the platform launches with, and a subscription for every marketplace that existed before
platform billing: Enterprise, which limits nothing and charges the fee they paid until now."""

from dateutil.relativedelta import relativedelta
from django.db import migrations
from django.utils import timezone

PLANS = [
    # code, name, rank, monthly, yearly (two months free), trial days, fee bps, limits, features
    (
        "starter",
        "Starter",
        10,
        4_900,
        49_000,
        14,
        500,
        {"active_providers": 25, "active_listings": 100, "bookings_per_month": 200, "staff_seats": 2, "storage_mb": 1_024},
        [],
    ),
    (
        "growth",
        "Growth",
        20,
        14_900,
        149_000,
        14,
        300,
        {
            "active_providers": 250,
            "active_listings": 1_000,
            "bookings_per_month": 2_000,
            "staff_seats": 10,
            "storage_mb": 10_240,
        },
        ["api_access", "custom_domain", "milestone_workflow", "remove_branding"],
    ),
    (
        "enterprise",
        "Enterprise",
        30,
        49_900,
        499_000,
        30,
        200,
        {key: None for key in ("active_providers", "active_listings", "bookings_per_month", "staff_seats", "storage_mb")},
        ["api_access", "custom_domain", "milestone_workflow", "opensearch", "priority_support", "remove_branding"],
    ),
]

STATUS = {"trial": "trialing", "active": "active", "past_due": "past_due", "suspended": "suspended", "closed": "closed"}


def seed(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    PlanVersion = apps.get_model("billing", "PlanVersion")
    Subscription = apps.get_model("billing", "Subscription")
    SubscriptionEvent = apps.get_model("billing", "SubscriptionEvent")
    Tenant = apps.get_model("tenants", "Tenant")
    versions = {}
    for code, name, rank, monthly, yearly, trial, fee, limits, features in PLANS:
        plan, _ = Plan.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})
        versions[code], _ = PlanVersion.objects.get_or_create(
            plan=plan,
            number=1,
            defaults={
                "currency": "USD",
                "monthly_price": monthly,
                "yearly_price": yearly,
                "trial_days": trial,
                "platform_fee_bps": fee,
                "limits": limits,
                "features": features,
            },
        )
    now = timezone.now()
    for tenant in Tenant.objects.filter(role="marketplace", subscription__isnull=True):
        subscription = Subscription.objects.create(
            tenant=tenant,
            plan_version=versions["enterprise"],
            interval="month",
            status=STATUS[tenant.status],
            status_changed_at=now,
            current_period_start=now,
            current_period_end=now + relativedelta(months=1),
        )
        SubscriptionEvent.objects.create(
            subscription=subscription,
            action="started",
            from_status="",
            to_status=subscription.status,
            reason="An existing marketplace, moved onto Enterprise when platform billing launched.",
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("tenants", "0002_template_snapshot")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
