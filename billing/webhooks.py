"""Events from the billing provider (Stripe Billing: invoice.paid, invoice.payment_failed): verified,
stored once by their id (a repeated delivery is acknowledged and not processed again), then
processed at once in the same request.

Events can come late, twice or out of order. Processing decides from our invoice's and our
subscription's own state, never from the order of arrival: a payment is recorded by its reference
(the same payment again changes nothing), a failure only notes an attempt on an invoice still open
and never moves a subscription. An event about an invoice whose row is not committed yet (the
collecting transaction still runs) is kept unprocessed; `webhook_events_retry` processes it later.

Everything here is in the public schema: the marketplace is found through its billing account (the
provider's customer id), never from the request."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from billing.invoices import InvoiceAlreadyPaid, invoice_locked, invoice_pay
from billing.models import BillingAccount, BillingWebhookEvent, InvoiceStatus, TenantInvoice
from billing.providers import provider_named
from billing.providers.base import BillingEvent, InvalidBillingWebhook
from billing.services import subscription_locked
from marketplace.common.errors import DomainError, NotFound, ValidationFailed

log = logging.getLogger(__name__)

UNKNOWN_CUSTOMER = "unknown customer"
UNKNOWN_INVOICE = "unknown invoice"
# How long an event about an invoice we do not have yet is tried again before it is given up.
GIVE_UP_AFTER = timedelta(days=3)


@dataclasses.dataclass(frozen=True)
class Receipt:
    event: BillingWebhookEvent
    duplicate: bool

    @property
    def outcome(self) -> str:
        return self.event.outcome


def billing_webhook_receive(provider_name: str, payload: bytes, headers: dict[str, str]) -> Receipt:
    """Verify, store (once) and process one delivery. 404 for a provider we do not have; 400 when
    the signature is refused (nothing stored) or the customer is not one of ours (stored, nothing
    else changed)."""
    try:
        provider = provider_named(provider_name)
    except LookupError:
        raise NotFound(f"There is no billing provider {provider_name!r}.") from None
    try:
        event = provider.parse_webhook(payload=payload, headers=headers)
    except InvalidBillingWebhook as exc:
        log.warning("refused a %s billing webhook: %s", provider.name, exc)
        raise ValidationFailed(f"The event was refused: {exc}.", code="invalid_signature") from None
    stored, new = BillingWebhookEvent.objects.get_or_create(
        provider=provider.name,
        event_id=event.event_id,
        defaults={"type": event.type, "occurred_at": event.occurred_at, "payload": _kept(event)},
    )
    if not new:
        return Receipt(stored, duplicate=True)
    stored.outcome = billing_webhook_process(event_id=stored.pk)
    if stored.outcome == UNKNOWN_CUSTOMER:
        log.warning(
            "%s event %s is about customer %s, who is not ours", provider.name, event.event_id, event.customer_ref
        )
        raise ValidationFailed(
            f"The customer {event.customer_ref} is not a marketplace billed here.", code="unknown_customer"
        )
    return Receipt(stored, duplicate=False)


@transaction.atomic
def billing_webhook_process(*, event_id: int) -> str:
    """Act on a stored event once; returns what was done (kept on the event). It stays unprocessed
    while its invoice is unknown, for `webhook_events_retry`, until GIVE_UP_AFTER."""
    stored = BillingWebhookEvent.objects.select_for_update().get(pk=event_id)
    if stored.processed_at is not None:
        return stored.outcome
    event = _read(stored)
    try:
        with transaction.atomic():
            outcome = _handle(stored.provider, event)
    except DomainError as exc:  # e.g. paid for a void invoice: the money is at the provider, ours refuses
        log.error("%s event %s could not be applied: %s", stored.provider, stored.event_id, exc.message)
        outcome = f"refused: {exc.message}"
    done = outcome != UNKNOWN_INVOICE or timezone.now() - stored.created_at >= GIVE_UP_AFTER
    if outcome == UNKNOWN_INVOICE and done:
        log.error(
            "%s event %s: no invoice %s after %s", stored.provider, stored.event_id, event.invoice_number, GIVE_UP_AFTER
        )
    stored.outcome = outcome[:255]
    stored.processed_at = timezone.now() if done else None
    stored.save(update_fields=["outcome", "processed_at", "updated_at"])
    return stored.outcome


def webhook_events_retry() -> dict[str, int]:
    """Process the events still unprocessed (their invoice was not committed when they came), oldest
    first, each in its own transaction; returns how many were processed and how many still wait."""
    waiting = BillingWebhookEvent.objects.filter(processed_at__isnull=True).order_by("occurred_at", "pk")
    done: Counter[str] = Counter()
    for pk in waiting.values_list("pk", flat=True):
        outcome = billing_webhook_process(event_id=pk)
        done["waiting" if outcome == UNKNOWN_INVOICE else "processed"] += 1
    return dict(done)


# --- processing -------------------------------------------------------------------------------------


def _handle(provider: str, event: BillingEvent) -> str:
    if event.kind not in _HANDLERS:
        return "ignored"
    account = (
        BillingAccount.objects.filter(provider=provider, customer_ref=event.customer_ref).first()
        if event.customer_ref
        else None
    )
    if account is None:
        return UNKNOWN_CUSTOMER
    # Only this marketplace's invoices: another marketplace's number in the metadata finds nothing.
    ours = TenantInvoice.objects.filter(tenant_id=account.tenant_id, provider=provider)
    invoice = ours.filter(number=event.invoice_number).first() if event.invoice_number else None
    if invoice is None and event.provider_invoice_ref:
        invoice = ours.filter(provider_ref=event.provider_invoice_ref).first()
    if invoice is None:
        return UNKNOWN_INVOICE
    return _HANDLERS[event.kind](invoice, event)


def _paid(invoice: TenantInvoice, event: BillingEvent) -> str:
    if invoice.subscription_id:
        subscription_locked(invoice.subscription)  # the fixed order: the subscription, then its invoice
    invoice = invoice_locked(invoice)
    if invoice.status == InvoiceStatus.PAID and invoice.payment_reference == event.payment_reference:
        return f"{invoice.number} already paid by {event.payment_reference}"
    try:
        invoice_pay(
            invoice, reference=event.payment_reference, amount=event.amount_paid or None, paid_at=event.occurred_at
        )
    except InvoiceAlreadyPaid:
        log.error(
            "%s was paid twice: by %s and by %s (refund one at the provider)",
            invoice.number,
            invoice.payment_reference,
            event.payment_reference,
        )
        return f"{invoice.number} was already paid by {invoice.payment_reference}: refund {event.payment_reference}"
    return f"{invoice.number} paid by {event.payment_reference}"


def _payment_failed(invoice: TenantInvoice, event: BillingEvent) -> str:
    """An attempt we did not record ourselves (newer than our last one) is noted on an open invoice;
    the echo of our own attempt, a late one, or one about a paid or void invoice changes nothing.
    The dunning job alone decides what the subscription becomes."""
    invoice = invoice_locked(invoice)
    if invoice.status != InvoiceStatus.OPEN:
        return f"{invoice.number} is {invoice.status}: the failure changes nothing"
    if invoice.last_attempt_at is not None and event.occurred_at <= invoice.last_attempt_at:
        return f"{invoice.number}: attempt already recorded"
    invoice.attempts += 1
    invoice.last_attempt_at, invoice.last_failure = event.occurred_at, event.failure[:255]
    invoice.save(update_fields=["attempts", "last_attempt_at", "last_failure", "updated_at"])
    return f"{invoice.number}: attempt {invoice.attempts} failed"


_HANDLERS = {"invoice_paid": _paid, "invoice_payment_failed": _payment_failed}


# --- what is stored ---------------------------------------------------------------------------------

_READ = (
    "kind",
    "customer_ref",
    "invoice_number",
    "provider_invoice_ref",
    "payment_reference",
    "amount_paid",
    "failure",
)


def _kept(event: BillingEvent) -> dict:
    """The event as the provider sent it, and what we read from it (to process it again later
    without the provider's signature)."""
    return {"event": event.payload, "read": {name: getattr(event, name) for name in _READ}}


def _read(stored: BillingWebhookEvent) -> BillingEvent:
    return BillingEvent(
        event_id=stored.event_id,
        type=stored.type,
        occurred_at=stored.occurred_at,
        payload=stored.payload["event"],
        **stored.payload["read"],
    )
