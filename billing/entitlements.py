"""What a marketplace's plan allows: features, limits, the platform's fee.

Domain services call these where the thing happens (a booking is made, a listing goes live, a
provider is approved), never templates. Each call reads the subscription with its plan version in one
indexed query: no cache, so a plan change or a suspension counts from the next call, in every process.

A schema without a subscription (the template, the pool) is not limited; every marketplace has one
from the moment it is provisioned.
"""

from __future__ import annotations

from django.conf import settings

from billing import usage
from billing.models import Plan, PlanVersion, Subscription, SubscriptionStatus
from marketplace.common.errors import Conflict, DomainError, PermissionDenied

FEATURE_NAMES = {
    "custom_domain": "Custom domains",
    "remove_branding": "Pages without the platform's mark",
    "api_access": "API keys for integrations",
    "milestone_workflow": "Milestone projects",
    "opensearch": "OpenSearch-powered search features",
    "priority_support": "Priority support channels",
}
LIMIT_NAMES = {
    "active_providers": "active providers",
    "active_listings": "active listings",
    "bookings_per_month": "bookings a month",
    "staff_seats": "staff seats (admins and moderators)",
    "storage_mb": "MB of storage",
}


class FeatureNotInPlan(PermissionDenied):
    code = "feature_not_in_plan"


class PlanLimitReached(DomainError):
    status_code = 402
    code = "plan_limit_reached"


class MarketplaceSuspended(Conflict):
    code = "marketplace_suspended"


def subscription_of(tenant) -> Subscription | None:
    if tenant is None or not getattr(tenant, "pk", None):
        return None
    return Subscription.objects.select_related("plan_version__plan").filter(tenant_id=tenant.pk).first()


def _offered_versions(*, above: int) -> list[PlanVersion]:
    """The current version of every plan that can be chosen and is larger than rank `above`,
    cheapest first."""
    plans = Plan.objects.filter(retired_at__isnull=True, rank__gt=above).prefetch_related("versions").order_by("rank")
    return [max(plan.versions.all(), key=lambda version: version.number) for plan in plans]


def has_feature(tenant, key: str) -> bool:
    subscription = subscription_of(tenant)
    return subscription is None or key in subscription.plan_version.features


def require_feature(tenant, key: str) -> None:
    """403 naming the cheapest larger plan that has the feature."""
    subscription = subscription_of(tenant)
    if subscription is None or key in subscription.plan_version.features:
        return
    name = FEATURE_NAMES[key]
    offer = next((v for v in _offered_versions(above=subscription.plan_version.plan.rank) if key in v.features), None)
    upgrade = f" Upgrade to {offer.plan.name} to use them." if offer else ""
    raise FeatureNotInPlan(f"{name} are not part of this marketplace's plan.{upgrade}", fields={"feature": [key]})


def check_limit(tenant, key: str, adding: int = 1) -> None:
    """402 when `adding` more would exceed the plan's limit, naming the plan that allows it.

    Must run in the tenant's schema, where usage is counted.
    """
    _check(subscription_of(tenant), key, adding)


def _check(subscription: Subscription | None, key: str, adding: int) -> None:
    limit = subscription.plan_version.limit(key) if subscription else None
    if limit is None:
        return
    used = usage.current(key, period_start=subscription.current_period_start)
    if used is None or used + adding <= limit:
        return
    needed = used + adding
    offer = next(
        (
            v
            for v in _offered_versions(above=subscription.plan_version.plan.rank)
            if v.limit(key) is None or v.limit(key) >= needed
        ),
        None,
    )
    upgrade = f" {offer.plan.name} allows {_allowance(offer, key)}." if offer else ""
    raise PlanLimitReached(
        f"This marketplace's plan ({subscription.plan_version.plan.name}) allows {limit} "
        f"{LIMIT_NAMES[key]}; {used} are in use.{upgrade}",
        fields={key: [f"{used} of {limit} in use."]},
    )


def _allowance(version: PlanVersion, key: str) -> str:
    limit = version.limit(key)
    return f"unlimited {LIMIT_NAMES[key]}" if limit is None else f"{limit} {LIMIT_NAMES[key]}"


def require_bookable(tenant) -> None:
    """A new booking needs an open marketplace and room in this month's bookings."""
    subscription = subscription_of(tenant)
    closed = (SubscriptionStatus.SUSPENDED, SubscriptionStatus.CLOSED)
    if not getattr(tenant, "is_available", True) or (subscription is not None and subscription.status in closed):
        status = subscription.status if subscription and subscription.status in closed else tenant.status
        raise MarketplaceSuspended(f"This marketplace is {status} and takes no new bookings.")
    _check(subscription, "bookings_per_month", 1)


def platform_fee_bps(tenant) -> int:
    """The platform's fee on a released booking, in basis points of the gross, as the marketplace's
    plan version says (the platform default for schemas without a subscription)."""
    subscription = subscription_of(tenant)
    return subscription.plan_version.platform_fee_bps if subscription else settings.PLATFORM_FEE_BPS
