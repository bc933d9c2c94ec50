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

from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing.models import Collection, Subscription, SubscriptionEvent, SubscriptionStatus
from billing.services import (
    amount_due,
    scheduled_change_apply,
    subscription_event_record,
    subscription_locked,
    subscription_transition,
)

REMINDER_DAYS = (1, 3, 5)  # days after becoming past due; the grace period should be longer


def dunning_run() -> dict[str, int]:
    """Every subscription that needs a step, each in its own transaction; returns what was done."""
    now = timezone.now()
    ended = Q(
        status__in=[SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE],
        current_period_end__lte=now,
    )
    done: Counter[str] = Counter()
    for pk in Subscription.objects.filter(ended).order_by("pk").values_list("pk", flat=True):
        done.update(subscription_dun(subscription_id=pk))
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
    if subscription.collection != Collection.AUTOMATIC:
        return done  # invoiced (sales-led): platform staff follow up on unpaid invoices, never the job
    due = amount_due(subscription)
    if subscription.status in (SubscriptionStatus.TRIALING, SubscriptionStatus.ACTIVE):
        what = "free trial" if subscription.status == SubscriptionStatus.TRIALING else "paid period"
        subscription = subscription_transition(
            subscription=subscription,
            to=SubscriptionStatus.PAST_DUE,
            action="payment_missed",
            reason=f"The {what} ended on {subscription.current_period_end:%Y-%m-%d} without a payment "
            f"of {due.format()}.",
            data={"amount_due": due.amount, "currency": due.currency},
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
            reason=f"Unpaid {grace} days after the payment of {due.format()} was missed.",
            data={"amount_due": due.amount, "currency": due.currency},
        )
        _notify(subscription, "suspended")
        return [*done, "suspended"]
    day = max((d for d in REMINDER_DAYS if overdue >= timedelta(days=d)), default=None)
    if day is not None and not _reminded(subscription, day):
        subscription_event_record(
            subscription,
            actor=None,
            action="payment_reminder",
            before=subscription.status,
            reason=f"Reminded {day} day{'s' if day > 1 else ''} after the payment of {due.format()} was missed.",
            data={"day": day, "amount_due": due.amount, "currency": due.currency},
        )
        _notify(subscription, "reminder")
        done.append("reminded")
    return done


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
    """Email the operator once the step is committed; the task re-reads the subscription."""
    from billing.tasks import send_dunning_email

    event_id = subscription.events.order_by("-created_at", "-id").values_list("id", flat=True).first()
    transaction.on_commit(
        lambda: send_dunning_email.apply_async(kwargs={"event_id": event_id, "kind": kind, "_schema": "public"})
    )
