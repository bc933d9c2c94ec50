"""Billing emails to a marketplace's operator: its owner on the platform, or else its first admin."""

from __future__ import annotations

from django.conf import settings
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.models import User
from billing.models import SubscriptionEvent, SubscriptionStatus
from marketplace.common.money import Money
from tenants.context import tenant_context
from tenants.models import Tenant
from tenants.selectors import platform_url

SUBJECTS = {
    "past_due": "Payment due for {name}",
    "reminder": "Reminder: payment due for {name}",
    "suspended": "{name} is suspended until it is paid",
}


def billing_contact(tenant: Tenant) -> str | None:
    """Who hears about the marketplace's bill: the operator who owns it (self-service sign-ups), or
    else its first admin (marketplaces platform staff created; read in its own schema)."""
    if tenant.owner_id:
        with schema_context(get_public_schema_name()):  # platform accounts, whichever schema is active
            owner = User.objects.filter(pk=tenant.owner_id, is_active=True).first()
        if owner is not None:
            return owner.email
    with tenant_context(tenant):
        admin = User.objects.filter(is_marketplace_admin=True, is_active=True).order_by("created_at", "pk").first()
        return admin.email if admin else None


def render_dunning_email(event: SubscriptionEvent, kind: str) -> tuple[str, str]:
    subscription = event.subscription
    tenant = subscription.tenant
    due = Money(event.data.get("amount_due", 0), event.data.get("currency", subscription.plan_version.currency))
    grace = settings.BILLING_GRACE_DAYS
    lines = ["Hello,", ""]
    if kind == "suspended":
        lines.append(f"{tenant.name} was suspended: {due.format()} is unpaid after the {grace}-day grace period.")
        lines.append("It is offline and takes no bookings; it comes back as soon as the payment is recorded.")
    else:
        lines.append(f"{event.reason}")
        lines.append(f"{tenant.name} stays online for {grace} days after the payment was missed, then is suspended.")
    lines += ["", f"Pay or contact us at {platform_url()}.", "", f"— {settings.PLATFORM_NAME}"]
    return SUBJECTS[kind].format(name=tenant.name), "\n".join(lines) + "\n"


def should_send(event: SubscriptionEvent) -> bool:
    """Not once the marketplace has paid (or closed) since the event."""
    return event.subscription.status in (SubscriptionStatus.PAST_DUE, SubscriptionStatus.SUSPENDED)
