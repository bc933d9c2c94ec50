"""Reading billing: plans on offer, a marketplace's subscription, and its usage against its limits."""

from __future__ import annotations

from django.db.models import QuerySet

from billing import usage
from billing.models import LIMITS, Plan, Subscription, TenantInvoice
from marketplace.common.errors import NotFound
from tenants.context import tenant_context
from tenants.models import Tenant


def plans_offered(*, include_retired: bool = False) -> QuerySet[Plan]:
    plans = Plan.objects.prefetch_related("versions").order_by("rank")
    return plans if include_retired else plans.filter(retired_at__isnull=True)


def subscription_for(tenant: Tenant) -> Subscription:
    subscription = (
        Subscription.objects.select_related("plan_version__plan", "scheduled_version__plan", "tenant")
        .filter(tenant=tenant)
        .first()
    )
    if subscription is None:
        raise NotFound("This marketplace has no subscription.")
    return subscription


def usage_against_limits(subscription: Subscription) -> dict[str, dict]:
    """Each limit with what is used now (null where not measured yet) and the plan's allowance
    (null = unlimited)."""
    start, end = usage.usage_month(subscription.current_period_start)
    with tenant_context(subscription.tenant):
        figures = {key: usage.current(key, period_start=subscription.current_period_start) for key in LIMITS}
    return {
        "period": {"start": start, "end": end},
        "limits": {key: {"used": figures[key], "limit": subscription.plan_version.limit(key)} for key in LIMITS},
    }


def invoices_of(tenant: Tenant) -> QuerySet[TenantInvoice]:
    return TenantInvoice.objects.filter(tenant=tenant).prefetch_related("lines").order_by("-issued_at", "-id")


def invoice_for(tenant: Tenant, public_id: str) -> TenantInvoice:
    invoice = invoices_of(tenant).filter(public_id=public_id).first()
    if invoice is None:
        raise NotFound("No such invoice.")
    return invoice
