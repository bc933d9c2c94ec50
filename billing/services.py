"""Platform billing writes: plans (every change of terms is a new version) and subscriptions (start,
status moves, plan changes), each change written as a `SubscriptionEvent` with its reason."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from accounts.permissions import require
from billing import proration, usage
from billing.models import (
    FEATURES,
    LIMITS,
    TRANSITIONS,
    Collection,
    Interval,
    InvoiceStatus,
    Plan,
    PlanVersion,
    Subscription,
    SubscriptionEvent,
    SubscriptionPayment,
    SubscriptionStatus,
    UsageRecord,
)
from marketplace.common.errors import Conflict, InvalidTransition, ValidationFailed
from marketplace.common.money import CURRENCY_EXPONENTS, Money
from tenants.context import tenant_context
from tenants.models import Domain, DomainKind, Tenant, TenantStatus
from tenants.selectors import host_cache

TERMS = ("currency", "monthly_price", "yearly_price", "trial_days", "platform_fee_bps", "limits", "features")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
INTERVAL_LENGTH = {Interval.MONTH: relativedelta(months=1), Interval.YEAR: relativedelta(years=1)}

# The marketplace's status follows its subscription's.
TENANT_STATUS = {
    SubscriptionStatus.TRIALING: TenantStatus.TRIAL,
    SubscriptionStatus.ACTIVE: TenantStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE: TenantStatus.PAST_DUE,
}


# --- plans ------------------------------------------------------------------------------------------


def _count(value: Any, *, high: int | None = None) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0 and (high is None or value <= high)


def _terms_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "currency" in values and values["currency"] not in CURRENCY_EXPONENTS:
        errors["currency"] = ["Use an ISO 4217 code such as USD."]
    for field in ("monthly_price", "yearly_price"):
        if field in values and not _count(values[field]):
            errors[field] = ["Use a whole number of minor units (cents), 0 or more."]
    if "trial_days" in values and not _count(values["trial_days"], high=365):
        errors["trial_days"] = ["Use 0 to 365 days."]
    if "platform_fee_bps" in values and not _count(values["platform_fee_bps"], high=10_000):
        errors["platform_fee_bps"] = ["Use 0 to 10,000 basis points."]
    if "limits" in values:
        limits = values["limits"]
        if not isinstance(limits, dict) or any(
            k not in LIMITS or not (v is None or _count(v)) for k, v in limits.items()
        ):
            errors["limits"] = [f"Give a count (or null for unlimited) for any of: {', '.join(LIMITS)}."]
    if "features" in values:
        features = values["features"]
        if not isinstance(features, list) or any(f not in FEATURES for f in features):
            errors["features"] = [f"Choose from: {', '.join(FEATURES)}."]
    return errors


@transaction.atomic
def plan_create(*, actor, code: str, name: str, rank: int, **terms: Any) -> Plan:
    """A new plan with its first version; every term is required."""
    require(actor, "platform.billing.manage")
    errors = _terms_errors(terms)
    for field in TERMS:
        if field not in terms:
            errors.setdefault(field, ["Required."])
    if not isinstance(code, str) or not CODE_PATTERN.match(code):
        errors["code"] = ["Use 2 to 40 lower-case letters, digits and hyphens, starting with a letter."]
    elif Plan.objects.filter(code=code).exists():
        errors["code"] = [f"A plan '{code}' exists already."]
    if not isinstance(name, str) or not name.strip():
        errors["name"] = ["Give the plan a name."]
    if not _count(rank) or Plan.objects.filter(rank=rank).exists():
        errors["rank"] = ["Use a rank no other plan has (small to large)."]
    if errors:
        raise ValidationFailed("The plan could not be created: fix the fields listed.", fields=errors)
    plan = Plan.objects.create(code=code, name=name.strip(), rank=rank)
    terms = {field: terms[field] for field in TERMS}
    terms["features"] = sorted(set(terms["features"]))
    PlanVersion.objects.create(plan=plan, number=1, created_by=_user(actor), **terms)
    return plan


@transaction.atomic
def plan_update(*, actor, plan: Plan, **changes: Any) -> Plan:
    """Rename, or change terms: a change of terms is a new version; subscribers keep theirs."""
    require(actor, "platform.billing.manage")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    unknown = set(changes) - set(TERMS) - {"name"}
    errors = {field: ["Cannot be changed."] for field in unknown} | _terms_errors(changes)
    if "name" in changes and (not isinstance(changes["name"], str) or not changes["name"].strip()):
        errors["name"] = ["Give the plan a name."]
    if errors:
        raise ValidationFailed("The plan could not be changed: fix the fields listed.", fields=errors)
    if "name" in changes:
        plan.name = changes["name"].strip()
        plan.save(update_fields=["name", "updated_at"])
    current = plan.current_version
    terms = {field: getattr(current, field) for field in TERMS}
    new_terms = terms | {field: changes[field] for field in TERMS if field in changes}
    new_terms["features"] = sorted(set(new_terms["features"]))
    if new_terms != terms:
        PlanVersion.objects.create(plan=plan, number=current.number + 1, created_by=_user(actor), **new_terms)
    return plan


@transaction.atomic
def plan_retire(*, actor, plan: Plan) -> Plan:
    """Stop offering a plan. Its subscribers keep it until they change plans."""
    require(actor, "platform.billing.manage")
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.retired_at is None:
        plan.retired_at = timezone.now()
        plan.save(update_fields=["retired_at", "updated_at"])
    return plan


def plan_version_choosable(plan_code: Any) -> PlanVersion:
    """The current terms of a plan that can be chosen; 400 on `plan` otherwise."""
    plan = Plan.objects.filter(code=plan_code, retired_at__isnull=True).first() if isinstance(plan_code, str) else None
    if plan is None:
        offered = ", ".join(Plan.objects.filter(retired_at__isnull=True).values_list("code", flat=True))
        raise ValidationFailed("Choose a plan.", fields={"plan": [f"Choose one of: {offered}."]})
    return plan.current_version


def _interval(value: Any) -> str:
    if value not in Interval.values:
        raise ValidationFailed(
            "Choose how often to pay.", fields={"interval": [f"Choose {' or '.join(Interval.values)}."]}
        )
    return value


def _user(actor):
    """The actor as a platform account (billing rows are public): a marketplace's own admin acting
    on its marketplace's host is a row of that marketplace's schema, so it is not one."""
    if not getattr(actor, "pk", None) or connection.schema_name != get_public_schema_name():
        return None
    return actor


def _marketplace_actor(actor) -> dict:
    """Who acted when it was a marketplace's own admin (see `_user`)."""
    if getattr(actor, "pk", None) and connection.schema_name != get_public_schema_name():
        return {"by": actor.email, "by_marketplace": connection.schema_name}
    return {}


# --- subscriptions ----------------------------------------------------------------------------------


def subscription_event_record(
    subscription: Subscription, *, actor, action: str, before: str, reason: str, data=None
) -> None:
    SubscriptionEvent.objects.create(
        subscription=subscription,
        actor=_user(actor),
        action=action,
        from_status=before,
        to_status=subscription.status,
        reason=reason[:255],
        data=(data or {}) | _marketplace_actor(actor),
    )


@transaction.atomic
def subscription_start(
    *, tenant: Tenant, plan_code: str, interval: str = Interval.MONTH, actor=None, collection: str = "automatic"
) -> Subscription:
    """A new marketplace's subscription: a free trial of the chosen plan's current version. Self-service
    sign-ups pay through the billing provider (`automatic`, dunned when unpaid); marketplaces platform
    staff create are sales-led (`invoiced`: paid against the platform's invoices, never suspended by
    the dunning job)."""
    version = plan_version_choosable(plan_code)
    interval = _interval(interval)
    now = timezone.now()
    trial_ends_at = now + timedelta(days=version.trial_days)
    subscription = Subscription.objects.create(
        tenant=tenant,
        plan_version=version,
        interval=interval,
        status=SubscriptionStatus.TRIALING,
        status_changed_at=now,
        collection=collection,
        trial_ends_at=trial_ends_at,
        current_period_start=now,
        current_period_end=trial_ends_at if version.trial_days else now + INTERVAL_LENGTH[interval],
    )
    subscription_event_record(
        subscription,
        actor=actor,
        action="started",
        before="",
        reason=f"Signed up for {version.plan.name} with a {version.trial_days}-day free trial.",
        data={"plan_version": version.public_id, "interval": interval},
    )
    return subscription


def subscription_locked(subscription: Subscription) -> Subscription:
    return (
        Subscription.objects.select_for_update().select_related("plan_version__plan", "tenant").get(pk=subscription.pk)
    )


@transaction.atomic
def subscription_transition(
    *,
    subscription: Subscription,
    to: str,
    reason: str,
    actor=None,
    action: str = "status_changed",
    data: dict | None = None,
    sync_tenant: bool = True,
) -> Subscription:
    """The one way a subscription's status changes: checked against TRANSITIONS, recorded with its
    reason, and carried over to the marketplace (suspended marketplaces go offline; paying brings
    them back). `sync_tenant=False` when the marketplace's own lifecycle service is the caller."""
    subscription = subscription_locked(subscription)
    allowed = sorted(TRANSITIONS[subscription.status])
    if to not in allowed:
        raise InvalidTransition(
            f"A {subscription.status} subscription cannot become {to}; allowed: {', '.join(allowed)}.",
            fields={"allowed": allowed},
        )
    before = subscription.status
    subscription.status, subscription.status_changed_at = to, timezone.now()
    subscription.save(update_fields=["status", "status_changed_at", "updated_at"])
    subscription_event_record(subscription, actor=actor, action=action, before=before, reason=reason, data=data)
    if sync_tenant:
        _sync_tenant(subscription, before=before, actor=actor, reason=reason)
    return subscription


def _sync_tenant(subscription: Subscription, *, before: str, actor, reason: str) -> None:
    with schema_context(get_public_schema_name()):  # tenant rows are only written from the public schema
        _sync_tenant_status(subscription, before=before, actor=actor, reason=reason)


def _sync_tenant_status(subscription: Subscription, *, before: str, actor, reason: str) -> None:
    from tenants.services import tenant_reactivate, tenant_suspend

    tenant = Tenant.objects.get(pk=subscription.tenant_id)
    if subscription.status == SubscriptionStatus.SUSPENDED:
        tenant_suspend(actor=actor, tenant=tenant, reason=reason)
        return
    if before == SubscriptionStatus.SUSPENDED and tenant.status == TenantStatus.SUSPENDED:
        tenant = tenant_reactivate(actor=actor, tenant=tenant)
    target = TENANT_STATUS.get(subscription.status)
    if target and tenant.is_available and tenant.status != target:
        tenant.status = target
        tenant.save(update_fields=["status", "updated_at"])
        transaction.on_commit(host_cache.forget)


def subscription_close(*, tenant: Tenant, actor, reason: str) -> None:
    """The marketplace was closed (`tenants.services.tenant_close`): so is its subscription."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if subscription is not None and subscription.status != SubscriptionStatus.CLOSED:
        subscription_transition(
            subscription=subscription,
            to=SubscriptionStatus.CLOSED,
            actor=actor,
            reason=reason or "The marketplace was closed.",
            sync_tenant=False,
        )


def subscription_reopen(*, tenant: Tenant, actor) -> None:
    """Platform staff reactivated a suspended or closed marketplace: its subscription is active again."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if subscription is not None and subscription.status in (SubscriptionStatus.SUSPENDED, SubscriptionStatus.CLOSED):
        subscription_transition(
            subscription=subscription,
            to=SubscriptionStatus.ACTIVE,
            actor=actor,
            reason="Reactivated by platform staff.",
            sync_tenant=False,
        )


def _is_upgrade(old: PlanVersion, old_interval: str, new: PlanVersion, new_interval: str) -> bool:
    """Up: a larger plan, or yearly instead of monthly on the same plan. Yearly to monthly waits for
    the end of the paid year whatever the plan."""
    if old_interval == Interval.YEAR and new_interval == Interval.MONTH:
        return False
    if new.plan_id == old.plan_id:
        return new_interval == Interval.YEAR
    return new.plan.rank > old.plan.rank


def downgrade_problems(tenant: Tenant, version: PlanVersion, *, period_start) -> dict[str, list[str]]:
    """What the marketplace must reduce before `version` fits it, per limit or feature."""
    problems: dict[str, list[str]] = {}
    with tenant_context(tenant):
        for key in ("active_providers", "active_listings", "staff_seats"):
            limit = version.limit(key)
            used = usage.current(key, period_start=period_start)
            if limit is not None and used is not None and used > limit:
                problems[key] = [f"{used} in use; {version.plan.name} allows {limit}. Remove {used - limit}."]
    if "custom_domain" not in version.features:
        custom = list(Domain.objects.filter(tenant=tenant, kind=DomainKind.CUSTOM).values_list("domain", flat=True))
        if custom:
            problems["custom_domain"] = [f"{version.plan.name} has no custom domains; remove {', '.join(custom)}."]
    return problems


@transaction.atomic
def subscription_change(
    *, actor, subscription: Subscription, plan_code: str, interval: str | None = None
) -> Subscription:
    """Change plan or interval. During the trial any change applies at once (nothing is paid yet).
    Upgrades apply at once and charge the prorated difference (see proration.py); downgrades are
    scheduled for the end of the period, and refused (409, what to reduce) when usage exceeds them."""
    subscription = subscription_locked(subscription)
    if subscription.status in (SubscriptionStatus.SUSPENDED, SubscriptionStatus.CLOSED):
        raise Conflict(f"A {subscription.status} subscription cannot change plans.", code="subscription_not_open")
    if subscription.status == SubscriptionStatus.PAST_DUE:
        # The period it would be prorated over has ended unpaid: settle that first.
        raise Conflict("Pay the open invoice before changing plans.", code="payment_due")
    new = plan_version_choosable(plan_code)
    interval = _interval(interval or subscription.interval)
    old = subscription.plan_version
    if new.plan_id == old.plan_id and interval == subscription.interval:
        raise Conflict(f"The marketplace is already on {new.plan.name}, {interval}ly.", code="no_change")
    if new.currency != old.currency:
        raise Conflict("Plans in another currency cannot be switched to; ask platform support.", code="currency_change")
    upgrade = _is_upgrade(old, subscription.interval, new, interval)
    if not upgrade and (
        problems := downgrade_problems(subscription.tenant, new, period_start=subscription.current_period_start)
    ):
        raise Conflict(
            f"This marketplace uses more than {new.plan.name} allows; reduce what is listed first.",
            code="downgrade_blocked",
            fields=problems,
        )
    data = {"from": old.public_id, "to": new.public_id, "from_interval": subscription.interval, "interval": interval}
    before = subscription.status
    if subscription.status == SubscriptionStatus.TRIALING:
        _apply(subscription, new, interval)
        subscription_event_record(
            subscription,
            actor=actor,
            action="plan_changed",
            before=before,
            reason=f"Trial moved to {new.plan.name}.",
            data=data,
        )
    elif upgrade:
        amount = _upgrade(subscription, new, interval, now=timezone.now())
        data |= {"prorated_amount": amount, "currency": new.currency}
        data["invoice"] = _upgrade_invoice(subscription, amount=amount, old=old).number
        subscription_event_record(
            subscription,
            actor=actor,
            action="upgraded",
            before=before,
            reason=f"Upgraded to {new.plan.name}.",
            data=data,
        )
    else:
        subscription.scheduled_version, subscription.scheduled_interval = new, interval
        subscription.save(update_fields=["scheduled_version", "scheduled_interval", "updated_at"])
        data["effective_at"] = subscription.current_period_end.isoformat()
        subscription_event_record(
            subscription,
            actor=actor,
            action="downgrade_scheduled",
            before=before,
            reason=f"Moves to {new.plan.name} at the end of the period.",
            data=data,
        )
    _tell_admins_of_the_plan(subscription, new, interval, data)
    return subscription


def _tell_admins_of_the_plan(subscription: Subscription, version: PlanVersion, interval: str, data: dict) -> None:
    """The marketplace's admins see a plan change in the app (the operator chose it; no email)."""
    from marketplace.notifications.events import billing_step

    event = subscription.events.order_by("-created_at", "-id").first()
    when = data.get("effective_at", "")[:10] or timezone.now().date().isoformat()
    billing_step(
        subscription.tenant,
        "billing.plan_changed",
        {
            "event": f"subscription-event:{event.pk}",
            "marketplace": subscription.tenant.name,
            "plan": version.plan.name,
            "interval": f"{interval}ly",
            "when": when,
        },
    )


def _upgrade_invoice(subscription: Subscription, *, amount: int, old: PlanVersion):
    """Invoice the prorated price. A self-service marketplace pays it now with its saved card, or the
    upgrade does not happen (402, nothing changed); a contract marketplace gets it with its terms."""
    from billing import invoices

    invoice = invoices.upgrade_invoice_issue(subscription, amount=amount, old_name=old.plan.name)
    if subscription.collection != Collection.AUTOMATIC:
        return invoice
    invoice = invoices.invoice_collect(invoice)
    if invoice.status != InvoiceStatus.PAID:
        due = invoice.amount_due().format()
        raise invoices.PaymentFailed(
            f"The upgrade costs {due} now and the payment failed: {invoice.last_failure} "
            "Save a card that pays on the billing page and try again.",
            fields={"payment_method": [invoice.last_failure]},
        )
    return invoice


def _apply(subscription: Subscription, version: PlanVersion, interval: str) -> None:
    subscription.plan_version, subscription.interval = version, interval
    subscription.scheduled_version, subscription.scheduled_interval = None, ""
    subscription.save(
        update_fields=["plan_version", "interval", "scheduled_version", "scheduled_interval", "updated_at"]
    )


def _upgrade(subscription: Subscription, new: PlanVersion, interval: str, *, now) -> int:
    """Switch now; return what the rest of the period costs on top of what was paid."""
    old_price = subscription.plan_version.price(subscription.interval).amount
    new_price = new.price(interval).amount
    period = {
        "period_start": subscription.current_period_start,
        "period_end": subscription.current_period_end,
        "now": now,
    }
    if interval == subscription.interval:
        amount = proration.upgrade_in_period(old_price=old_price, new_price=new_price, **period)
    else:
        amount = proration.upgrade_new_period(old_price=old_price, new_price=new_price, **period)
        subscription.current_period_start, subscription.current_period_end = now, now + INTERVAL_LENGTH[interval]
        subscription.save(update_fields=["current_period_start", "current_period_end", "updated_at"])
    _apply(subscription, new, interval)
    return amount


# --- payments ---------------------------------------------------------------------------------------


def next_period(subscription: Subscription, *, now) -> tuple:
    """The period a payment made now pays for.

    Trialing: from now, and what is left of the trial is kept (the paid period ends one interval
    after the trial would have). Past due, or active with the period over: from when it was due, as
    the marketplace stayed online meanwhile (from now if that period is over already). Suspended:
    from now; the days offline are not charged."""
    length = INTERVAL_LENGTH[subscription.interval]
    if subscription.status == SubscriptionStatus.TRIALING:
        return now, max(now, subscription.current_period_end) + length
    if subscription.status != SubscriptionStatus.SUSPENDED and subscription.current_period_end + length > now:
        return subscription.current_period_end, subscription.current_period_end + length
    return now, now + length


def amount_due(subscription: Subscription) -> Money:
    """What the next period costs: the scheduled plan's price when a downgrade waits for it."""
    version = subscription.scheduled_version or subscription.plan_version
    return version.price(subscription.scheduled_interval or subscription.interval)


@transaction.atomic
def subscription_payment_record(
    *, actor, tenant: Tenant, amount: int, reference: str, currency: str | None = None
) -> SubscriptionPayment:
    """Platform staff record a payment (a bank transfer, a paid contract invoice) for the marketplace's
    next period: it pays the open period invoice, or one issued now for the next period. Idempotent
    by `reference`. The subscription becomes active at once (from trialing, past due or suspended; a
    suspended marketplace is back online), a downgrade waiting for the period's end applies, and the
    period advances. 400 when less than the invoice's total is paid, 409 when the period is paid
    already; nothing changes then."""
    from billing import invoices

    require(actor, "platform.billing.manage")
    reference = reference.strip() if isinstance(reference, str) else ""
    if not reference or len(reference) > 100:
        raise ValidationFailed("Give the payment's reference.", fields={"reference": ["Use 1 to 100 characters."]})
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if subscription is None:
        raise Conflict("This marketplace has no subscription.", code="no_subscription")
    subscription = subscription_locked(subscription)
    existing = SubscriptionPayment.objects.filter(reference=reference).first()
    if existing is not None:
        if existing.subscription_id != subscription.pk or existing.amount != amount:
            raise Conflict(
                f"The reference {reference} was recorded for another payment.",
                code="payment_reference_used",
                fields={"reference": ["Already recorded with another marketplace or amount."]},
            )
        return existing  # the same payment recorded again: nothing to do
    now = timezone.now()
    if subscription.status == SubscriptionStatus.CLOSED:
        raise Conflict(
            "The marketplace is closed; reactivate it before recording a payment.", code="subscription_closed"
        )
    invoice = invoices.open_period_invoice(subscription)
    if invoice is None and subscription.status == SubscriptionStatus.ACTIVE and subscription.current_period_end > now:
        raise Conflict(
            f"This period is paid already (until {subscription.current_period_end:%Y-%m-%d}).",
            code="period_already_paid",
            fields={"paid_until": [subscription.current_period_end.isoformat()]},
        )
    due = invoice.amount_due() if invoice else amount_due(subscription)
    if currency is not None and currency != due.currency:
        raise ValidationFailed(
            f"The subscription is billed in {due.currency}.", fields={"currency": [f"Use {due.currency}."]}
        )
    if not _count(amount):
        raise ValidationFailed(
            "Give the amount paid.", fields={"amount": [f"A whole number of minor units of {due.currency}."]}
        )
    if invoice is None:
        start, end = next_period(subscription, now=now)
        invoice = invoices.period_invoice_issue(subscription, start=start, end=end)
    invoices.invoice_pay(invoice, reference=reference, actor=actor, amount=amount)
    return SubscriptionPayment.objects.get(reference=reference)


def period_paid(invoice, *, actor, amount: int) -> SubscriptionPayment:
    """A period invoice was paid (its row is locked and marked paid): the subscription pays that
    period and is active. A suspended marketplace's period starts now: the days offline are not
    charged, so the invoice's period moves with it."""
    subscription = subscription_locked(invoice.subscription)
    before = subscription.status
    if subscription.scheduled_version is not None:
        scheduled_change_apply(subscription, actor=actor)
    start, end = invoice.period_start, invoice.period_end
    if before == SubscriptionStatus.SUSPENDED or end <= invoice.paid_at:
        start, end = invoice.paid_at, invoice.paid_at + INTERVAL_LENGTH[invoice.interval]
        invoice.period_start, invoice.period_end = start, end
        invoice.save(update_fields=["period_start", "period_end", "updated_at"])
    payment = SubscriptionPayment.objects.create(
        subscription=subscription,
        reference=invoice.payment_reference,
        amount=amount,
        currency=invoice.currency,
        plan_version=subscription.plan_version,
        interval=subscription.interval,
        period_start=start,
        period_end=end,
        recorded_by=_user(actor),
        invoice=invoice,
    )
    if end > subscription.current_period_end or before != SubscriptionStatus.ACTIVE:
        subscription.current_period_start, subscription.current_period_end = start, end
        subscription.save(update_fields=["current_period_start", "current_period_end", "updated_at"])
    data = {
        "payment": payment.public_id,
        "invoice": invoice.number,
        "reference": payment.reference,
        "amount": amount,
        "currency": invoice.currency,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
    }
    reason = (
        f"Paid {Money(amount, invoice.currency).format()} (invoice {invoice.number}, ref. {payment.reference}) "
        f"until {end:%Y-%m-%d}."
    )
    if before == SubscriptionStatus.ACTIVE:
        subscription_event_record(subscription, actor=actor, action="paid", before=before, reason=reason, data=data)
    else:
        subscription_transition(
            subscription=subscription,
            to=SubscriptionStatus.ACTIVE,
            actor=actor,
            action="paid",
            reason=reason,
            data=data,
        )
    return payment


def scheduled_change_apply(subscription: Subscription, *, actor) -> None:
    """The period ended: the downgrade waiting for it applies (the subscription is locked)."""
    old, new = subscription.plan_version, subscription.scheduled_version
    data = {"from": old.public_id, "to": new.public_id, "from_interval": subscription.interval}
    _apply(subscription, new, subscription.scheduled_interval or subscription.interval)
    data["interval"] = subscription.interval
    subscription_event_record(
        subscription,
        actor=actor,
        action="downgraded",
        before=subscription.status,
        reason=f"Moved to {new.plan.name} at the end of the period.",
        data=data,
    )


# --- usage ------------------------------------------------------------------------------------------


@transaction.atomic
def usage_record(*, tenant: Tenant) -> UsageRecord:
    """Snapshot the marketplace's usage month so far (created or refreshed; running it twice
    changes nothing). Its figures are the same exact counts the limits are checked against."""
    from billing.storage import used_bytes
    from marketplace.configuration.selectors import marketplace_settings
    from marketplace.payments.selectors import money_totals

    subscription = Subscription.objects.get(tenant=tenant)
    start, end = usage.usage_month(subscription.current_period_start)
    with tenant_context(tenant):
        currency = marketplace_settings().currency
        figures = {
            "period_end": end,
            "bookings": usage.bookings_since(start),
            "gmv": money_totals(currency=currency, since=start, until=end)["gmv"],
            "currency": currency,
            "active_providers": usage.active_providers(),
            "active_listings": usage.active_listings(),
            "staff_seats": usage.staff_seats(),
            "storage_bytes": used_bytes(),
        }
    record, _ = UsageRecord.objects.update_or_create(tenant=tenant, period_start=start, defaults=figures)
    return record
