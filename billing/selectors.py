"""Reading billing: plans on offer, a marketplace's subscription, and its usage against its limits."""

from __future__ import annotations

from django.db.models import QuerySet

from billing import usage
from billing.models import LIMITS, Plan, PlanVersion, Subscription, TenantInvoice
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


# --- the platform console's lists -------------------------------------------------------------------


def subscriptions_search(
    *, q: str = "", status: str = "", plan: str = "", interval: str = "", collection: str = ""
) -> QuerySet[Subscription]:
    """Marketplaces' subscriptions by marketplace name: `q` in its name or address, and filters."""
    from django.db.models import Q

    from tenants.models import TenantRole

    items = Subscription.objects.filter(tenant__role=TenantRole.MARKETPLACE).select_related(
        "tenant", "plan_version__plan", "scheduled_version__plan"
    )
    if q := q.strip():
        items = items.filter(Q(tenant__name__icontains=q) | Q(tenant__schema_name__icontains=q))
    filters = {"status": status, "plan_version__plan__code": plan, "interval": interval, "collection": collection}
    items = items.filter(**{lookup: value for lookup, value in filters.items() if value})
    return items.order_by("tenant__name", "pk")


def invoices_search(*, q: str = "", status: str = "", kind: str = "", failed: bool = False) -> QuerySet[TenantInvoice]:
    """The platform's invoices, newest first: `q` in the number, the marketplace's name or address or
    the billed name; `failed`: open invoices the provider failed to collect."""
    from django.db.models import Q

    items = TenantInvoice.objects.select_related("tenant", "subscription")
    if q := q.strip():
        items = items.filter(
            Q(number__icontains=q)
            | Q(tenant__name__icontains=q)
            | Q(tenant__schema_name__icontains=q)
            | Q(bill_to_name__icontains=q)
        )
    if status:
        items = items.filter(status=status)
    if kind:
        items = items.filter(kind=kind)
    if failed:
        items = items.filter(status="open", attempts__gt=0)
    return items.order_by("-issued_at", "-id")


def plan_subscriber_counts() -> dict[int, dict[str, int]]:
    """Per plan id: marketplaces subscribed (`total`), paying (active or past due) and trialing."""
    from django.db.models import Count, Q

    from tenants.models import TenantRole

    rows = (
        Subscription.objects.filter(tenant__role=TenantRole.MARKETPLACE)
        .values("plan_version__plan_id")
        .annotate(
            total=Count("pk"),
            paying=Count("pk", filter=Q(status__in=["active", "past_due"])),
            trialing=Count("pk", filter=Q(status="trialing")),
        )
        .order_by()
    )
    return {row.pop("plan_version__plan_id"): row for row in rows}


def plan_versions(plan: Plan) -> QuerySet[PlanVersion]:
    """Every version of a plan's terms, newest first, with how many subscriptions point at each."""
    from django.db.models import Count

    return (
        PlanVersion.objects.filter(plan=plan)
        .annotate(subscribers=Count("subscriptions"))
        .select_related("created_by")
        .order_by("-number")
    )
