"""Events from the payment processor: stored once by their id (a repeated delivery is acknowledged
and ignored), then processed by a task after the storing transaction commits. Processing looks at
the current state of what the event is about, so events arriving out of order or twice change
nothing they should not."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.payments.gateways.base import WebhookMessage
from marketplace.payments.models import PayeeAccount, WebhookEvent

log = logging.getLogger(__name__)


class NotYetKnown(Exception):
    """The event is about something whose own transaction has not committed yet: process it later."""


def webhook_store(gateway_name: str, message: WebhookMessage) -> tuple[WebhookEvent, bool]:
    """Keep the event (once) and queue its processing; returns it and whether it is new."""
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                gateway=gateway_name,
                event_id=message.event_id,
                kind=message.kind,
                reference=message.reference,
                data=message.data,
                occurred_at=message.created,
            )
    except IntegrityError:
        return WebhookEvent.objects.get(gateway=gateway_name, event_id=message.event_id), False
    from marketplace.payments.tasks import process_webhook_event

    transaction.on_commit(lambda: process_webhook_event.delay(event_id=event.pk))
    return event, True


@transaction.atomic
def webhook_process(event_id: int) -> str:
    """Act on a stored event once; returns what was done (kept on the event)."""
    event = WebhookEvent.objects.select_for_update().get(pk=event_id)
    if event.processed_at is not None:
        return event.outcome
    handler = _HANDLERS.get(event.kind, _note)
    outcome = handler(event)
    event.processed_at, event.outcome = timezone.now(), outcome[:300]
    event.save(update_fields=["processed_at", "outcome"])
    return event.outcome


def _payout(event: WebhookEvent) -> str:
    from marketplace.payments.payouts import payout_settle

    paid = event.kind == "payout.paid"
    payout = payout_settle(event.reference, paid=paid, failure_message=event.data.get("failure_message", ""))
    if payout is None:
        raise NotYetKnown(f"no payout {event.reference} yet")
    return f"payout {payout.public_id} is {payout.status}"


def _payee(event: WebhookEvent) -> str:
    changed = PayeeAccount.objects.filter(account=event.reference).update(
        payouts_enabled=bool(event.data.get("payouts_enabled")), updated_at=timezone.now()
    )
    return (
        f"payee account {event.reference}: payouts enabled {bool(event.data.get('payouts_enabled'))}"
        if changed
        else "unknown payee account"
    )


def _refund_failed(event: WebhookEvent) -> str:
    log.error("payment processor could not complete refund %s: %s", event.reference, event.data)
    return "refund failed at the processor: shown to admins in reconciliation"


def _note(event: WebhookEvent) -> str:
    # Payments and refunds are confirmed synchronously when they are made; their events only confirm.
    return "noted"


_HANDLERS = {"payout.paid": _payout, "payout.failed": _payout, "payee.updated": _payee, "refund.failed": _refund_failed}
