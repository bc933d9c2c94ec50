"""Dunning: what happens when a marketplace does not pay. Run hourly, platform-wide, by the periodic
job `billing.run_dunning`; every step is decided from the subscription's own rows, so running the job
twice (or late) changes nothing the second time.

For each open subscription whose period has ended:

1. a downgrade scheduled for the end of the period applies;
2. trialing or active with no payment for the next period → past due (the marketplace stays online;
   its operator is emailed);
3. past due: a reminder on each of `REMINDER_DAYS` after it became past due (one per day reached;
   days missed while the job did not run are not sent late);
4. past due for `BILLING_GRACE_DAYS` → suspended: the marketplace goes offline and takes no bookings
   until a payment is recorded (`services.subscription_payment_record`).
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing.invoices import account_for, invoice_collect, open_period_invoice, period_invoice_issue
from billing.models import Collection, InvoiceStatus, Subscription, SubscriptionEvent, SubscriptionStatus
from billing.providers.base import BillingProviderError
from billing.services import (
    INTERVAL_LENGTH,
    scheduled_change_apply,
    subscription_event_record,
    subscription_locked,
    subscription_transition,
)
from marketplace.common.money import Money

logger = logging.getLogger(__name__)

REMINDER_DAYS = (1, 3, 5)  # days after becoming past due; the grace period should be longer


def dunning_run() -> dict[str, int]:
    """Every subscription that needs a step, each in its own transaction; returns what was done."""
    now = timezone.now()
    ended = Q(
        status__in=[SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE],
        current_period_end__lte=now,
    )
    done: Counter[str] = Counter()
    with schema_context(get_public_schema_name()):  # platform rows, whatever the caller had active
        for pk in Subscription.objects.filter(ended).order_by("pk").values_list("pk", flat=True):
            try:
                done.update(subscription_dun(subscription_id=pk))
            except BillingProviderError:  # the provider is down: this one waits for the next run
                logger.warning("billing provider unavailable while dunning subscription %s", pk, exc_info=True)
                done["provider_unavailable"] += 1
    return dict(done)


@transaction.atomic
def subscription_dun(*, subscription_id: int) -> list[str]:
    """The dunning steps one subscription is due for now (none when it was paid meanwhile)."""
    subscription = subscription_locked(Subscription(pk=subscription_id))
    now, done = timezone.now(), []
    if subscription.current_period_end > now or subscription.status not in _DUNNED:
        return done
    if subscription.scheduled_version is not None:
        scheduled_change_apply(subscription, actor=None)
        done.append("downgraded")
    invoice = open_period_invoice(subscription)
    if invoice is None:
        start = subscription.current_period_end  # online meanwhile: the next period runs from the end
        invoice = period_invoice_issue(subscription, start=start, end=start + INTERVAL_LENGTH[subscription.interval])
        done.append("invoiced")
    if subscription.collection != Collection.AUTOMATIC:
        return done  # invoiced (sales-led): platform staff follow up on unpaid invoices, never the job
    if subscription.status in (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE):
        if _collected(invoice):
            return [*done, "paid"]
        what = "free trial" if subscription.status == SubscriptionStatus.TRIALING else "paid period"
        subscription = subscription_transition(
            subscription=subscription,
            to=SubscriptionStatus.PAST_DUE,
            action="payment_missed",
            reason=f"The {what} ended on {subscription.current_period_end:%Y-%m-%d} without a payment "
            f"of {invoice.amount_due().format()} (invoice {invoice.number}).{_why(invoice)}",
            data=_due(invoice),
        )
        _notify(subscription, "past_due")
        return [*done, "past_due"]
    overdue = now - subscription.status_changed_at
    grace = settings.BILLING_GRACE_DAYS
    if overdue >= timedelta(days=grace):
        subscription = subscription_transition(
            subscription=subscription,
            to=SubscriptionStatus.SUSPENDED,
            action="suspended_unpaid",
            reason=f"Unpaid {grace} days after the payment of {invoice.amount_due().format()} "
            f"(invoice {invoice.number}) was missed.",
            data=_due(invoice),
        )
        _notify(subscription, "suspended")
        return [*done, "suspended"]
    day = max((d for d in REMINDER_DAYS if overdue >= timedelta(days=d)), default=None)
    if day is not None and not _reminded(subscription, day):
        if _collected(invoice):  # the retry of the day paid it
            return [*done, "paid"]
        subscription_event_record(
            subscription,
            actor=None,
            action="payment_reminder",
            before=subscription.status,
            reason=f"Reminded {day} day{'s' if day > 1 else ''} after the payment of "
            f"{invoice.amount_due().format()} (invoice {invoice.number}) was missed.{_why(invoice)}",
            data={"day": day, **_due(invoice)},
        )
        _notify(subscription, "reminder")
        done.append("reminded")
    return done


def _collected(invoice) -> bool:
    """Charge the saved payment method once (when there is one); True when the invoice is paid."""
    if not account_for(invoice.tenant).has_payment_method:
        return False
    return invoice_collect(invoice).status == InvoiceStatus.PAID


def _why(invoice) -> str:
    invoice.refresh_from_db(fields=["last_failure", "attempts"])
    if not invoice.attempts:
        return " No card is saved."
    return f" The card was refused: {invoice.last_failure}" if invoice.last_failure else ""


def _due(invoice) -> dict:
    return {"amount_due": invoice.total, "currency": invoice.currency, "invoice": invoice.number}


_DUNNED = (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE)


def _reminded(subscription: Subscription, day: int) -> bool:
    """A reminder for `day` was sent since the subscription became past due this time."""
    return SubscriptionEvent.objects.filter(
        subscription=subscription,
        action="payment_reminder",
        created_at__gte=subscription.status_changed_at,
        data__day__gte=day,
    ).exists()


def _notify(subscription: Subscription, kind: str) -> None:
    """Email the operator once the step is committed (the task re-reads the subscription), and show it
    to the marketplace's admins in the app."""
    from billing.tasks import send_dunning_email
    from marketplace.notifications.events import billing_step

    event = subscription.events.order_by("-created_at", "-id").first()
    event_id = event.pk if event else None
    if event is not None:
        due = Money(event.data.get("amount_due", 0), event.data.get("currency", subscription.plan_version.currency))
        billing_step(
            subscription.tenant,
            "billing.suspended" if kind == "suspended" else "billing.past_due",
            {
                "event": f"subscription-event:{event.pk}",
                "marketplace": subscription.tenant.name,
                "invoice": event.data.get("invoice", ""),
                "amount": due.format(),
                "grace_days": settings.BILLING_GRACE_DAYS,
            },
        )
    transaction.on_commit(
        lambda: send_dunning_email.apply_async(kwargs={"event_id": event_id, "kind": kind, "_schema": "public"})
    )
