"""Stripe Billing as the collector of the platform's invoices (see base.py). The platform keeps the
subscription and numbers its own invoices; Stripe holds a Customer per marketplace with its default
PaymentMethod and, for each of our invoices, a Stripe Invoice made of invoice items (the charged
lines, then our tax as its own item, so Stripe's total is ours), finalized and paid at once. Stripe
never retries or advances these invoices by itself: the dunning job decides when to charge again.

Every call carries an Idempotency-Key derived from the marketplace or from our invoice number, so a
call repeated after a timeout or a rolled-back transaction gets Stripe's first answer (Stripe keeps
keys for 24 hours); a retried collection pays the Stripe invoice made the first time (our invoice's
`provider_ref`), under a key with the attempt's number.

A payment's reference is the Stripe invoice's id: the pay call and the invoice.paid webhook both
carry it (in Stripe's current API an invoice no longer names its charge), so the webhook about a
payment already recorded is recognised as the same payment.

Stripe unreachable, failing or refusing a request we cannot act on raises BillingProviderError
(503, try again later); a card Stripe refuses is a validation error when it is saved and a failed
attempt when it is charged."""

from __future__ import annotations

import datetime
import functools
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import stripe
from django.conf import settings

from billing.providers.base import BillingEvent, BillingProviderError, Card, Collection, InvalidBillingWebhook
from marketplace.common.errors import ValidationFailed
from marketplace.payments.gateways.stripe import CONFIRM_MESSAGE, DECLINED_MESSAGE, StripeGateway

log = logging.getLogger(__name__)

EVENT_KINDS = {
    "invoice.paid": "invoice_paid",
    "invoice.payment_succeeded": "invoice_paid",
    "invoice.payment_failed": "invoice_payment_failed",
}
# What Stripe answers when paying needs the payer to confirm with their bank (3-D Secure).
REQUIRES_ACTION = "invoice_payment_intent_requires_action"
PAYMENT_METHOD = re.compile(r"pm_\w+")  # what Stripe.js makes; never a card number


@contextmanager
def _stripe(doing: str) -> Iterator[None]:
    """Stripe unreachable or failing (timeout, 5xx, rate limited, keys refused), or refusing a request
    in a way the operator cannot act on: BillingProviderError, to be tried again under the same keys."""
    try:
        yield
    except stripe.StripeError as exc:
        log.warning("Stripe could not %s: %s", doing, exc)
        raise BillingProviderError(f"Stripe could not {doing}; please try again in a few minutes.") from exc


class StripeBillingProvider:
    name = "stripe"

    @functools.cached_property
    def api(self) -> Any:
        """The payments gateway's client: the same keys, STRIPE_API_BASE, retries and timeouts (made
        on first use: reading a webhook needs none)."""
        return StripeGateway().api

    def customer_ensure(self, *, account, name: str, email: str) -> str:
        if account.customer_ref:
            return account.customer_ref
        tenant = account.tenant
        with _stripe("create the customer"):
            customer = self.api.customers.create(
                {"name": name, **({"email": email} if email else {}), "metadata": _whose(tenant)},
                {"idempotency_key": f"billing:{tenant.public_id}:customer"},
            )
        return customer.id

    def card_attach(self, *, account, token: str) -> Card:
        if not PAYMENT_METHOD.fullmatch(token):
            raise ValidationFailed("Enter the card again.", fields={"card": ["Not a card made by Stripe.js."]})
        key = f"billing:{account.tenant.public_id}:card:{token}"
        with _stripe("save the card"):
            try:
                method = self.api.payment_methods.attach(
                    token, {"customer": account.customer_ref}, {"idempotency_key": key}
                )
            except stripe.CardError as exc:
                message = exc.user_message or DECLINED_MESSAGE
                raise ValidationFailed(f"The card was refused: {message}", fields={"card": [message]}) from None
            except stripe.InvalidRequestError as exc:  # unknown, expired, or another customer's
                log.warning("Stripe would not attach %s for %s: %s", token, account.tenant.schema_name, exc)
                raise ValidationFailed(
                    "The card could not be saved.", fields={"card": ["Enter the card again."]}
                ) from None
            self.api.customers.update(
                account.customer_ref,
                {"invoice_settings": {"default_payment_method": method.id}},
                {"idempotency_key": f"{key}:default"},
            )
        card = method.card
        return Card(ref=method.id, brand=card.brand, last4=card.last4, expires=f"{card.exp_month:02d}/{card.exp_year}")

    def invoice_collect(self, *, account, invoice, lines) -> Collection:
        key = f"billing:invoice:{invoice.number}"
        with _stripe(f"collect invoice {invoice.number}"):
            if invoice.provider_ref:  # an earlier attempt made it: pay that one again
                found = self.api.invoices.retrieve(invoice.provider_ref)
            else:
                found = self._invoice_create(account, invoice, lines, key=key)
            if found.status == "draft":
                found = self.api.invoices.finalize_invoice(
                    found.id, {"auto_advance": False}, {"idempotency_key": f"{key}:finalize"}
                )
            if found.status == "paid":
                return Collection(paid=True, reference=found.id, provider_ref=found.id)
            if found.status != "open":
                return Collection(
                    paid=False, failure=f"Stripe's invoice {found.id} is {found.status}.", provider_ref=found.id
                )
            if (found.total, found.currency.upper()) != (invoice.total, invoice.currency):
                log.error(
                    "Stripe invoice %s is %s %s, ours (%s) %s",
                    found.id,
                    found.total,
                    found.currency,
                    invoice.number,
                    invoice.total,
                )
                raise BillingProviderError(
                    f"Stripe's invoice for {invoice.number} does not add up to it; nothing was charged."
                )
            return self._pay(found.id, key=f"{key}:pay:{invoice.attempts + 1}")

    def _invoice_create(self, account, invoice, lines, *, key: str) -> Any:
        """A draft Stripe invoice holding exactly our charged lines and our tax."""
        whose = {"invoice": invoice.number, **_whose(account.tenant)}
        made = self.api.invoices.create(
            {
                "customer": account.customer_ref,
                "currency": invoice.currency.lower(),
                "collection_method": "charge_automatically",
                "auto_advance": False,  # charged when we say so, never by Stripe's own schedule
                "pending_invoice_items_behavior": "exclude",  # only the items added below
                "description": f"Invoice {invoice.number}",
                "metadata": whose,
            },
            {"idempotency_key": f"{key}:create"},
        )
        items = [(f"line-{line.pk}", line.description, line.amount) for line in lines if line.charged and line.amount]
        if invoice.tax:
            items.append(("tax", f"{invoice.tax_label} {invoice.tax_rate_bps / 100:g}%", invoice.tax))
        for what, description, amount in items:
            self.api.invoice_items.create(
                {
                    "customer": account.customer_ref,
                    "invoice": made.id,
                    "currency": invoice.currency.lower(),
                    "amount": amount,
                    "description": description,
                    "metadata": whose,
                },
                {"idempotency_key": f"{key}:{what}"},
            )
        return made

    def _pay(self, stripe_invoice: str, *, key: str) -> Collection:
        """Charge the customer's default payment method; a refusal is an answer, not an error."""
        try:
            paid = self.api.invoices.pay(stripe_invoice, options={"idempotency_key": key})
        except stripe.CardError as exc:
            failure = CONFIRM_MESSAGE if exc.code == REQUIRES_ACTION else exc.user_message or DECLINED_MESSAGE
            return Collection(paid=False, failure=failure, provider_ref=stripe_invoice)
        except stripe.InvalidRequestError as exc:  # paid meanwhile, or no payment method any more
            paid = self.api.invoices.retrieve(stripe_invoice)
            if paid.status != "paid":
                failure = exc.user_message or "Stripe would not charge the card."
                return Collection(paid=False, failure=failure, provider_ref=stripe_invoice)
        if paid.status != "paid":
            return Collection(paid=False, failure="Stripe has not confirmed the payment yet.", provider_ref=paid.id)
        return Collection(paid=True, reference=paid.id, provider_ref=paid.id)

    def parse_webhook(self, *, payload: bytes, headers: dict[str, str]) -> BillingEvent:
        signature = {name.lower(): value for name, value in headers.items()}.get("stripe-signature", "")
        secret = settings.STRIPE_BILLING_WEBHOOK_SECRET
        if not secret:
            raise InvalidBillingWebhook("no signing secret is set for Stripe Billing (STRIPE_BILLING_WEBHOOK_SECRET)")
        if not signature:
            raise InvalidBillingWebhook("the Stripe-Signature header is missing")
        try:
            stripe.Webhook.construct_event(payload, signature, secret)
        except stripe.SignatureVerificationError as exc:
            raise InvalidBillingWebhook(
                f"the signature does not match or is too old ({exc.user_message or exc})"
            ) from None
        except ValueError as exc:
            raise InvalidBillingWebhook(f"unreadable event: {exc}") from None
        event = json.loads(payload)
        obj = event.get("data", {}).get("object") or {}
        kind = EVENT_KINDS.get(event["type"], "ignored") if obj.get("object") == "invoice" else "ignored"
        customer = obj.get("customer") or ""
        paid = kind == "invoice_paid"
        return BillingEvent(
            event_id=event["id"],
            type=event["type"],
            occurred_at=datetime.datetime.fromtimestamp(event["created"], tz=datetime.UTC),
            kind=kind,
            customer_ref=customer.get("id", "") if isinstance(customer, dict) else customer,
            invoice_number=(obj.get("metadata") or {}).get("invoice", ""),
            provider_invoice_ref=obj.get("id", "") if obj.get("object") == "invoice" else "",
            payment_reference=obj["id"] if paid else "",
            amount_paid=(obj.get("amount_paid") or 0) if paid else 0,
            failure=_failure(obj) if kind == "invoice_payment_failed" else "",
            payload=event,
        )


def _whose(tenant) -> dict[str, str]:
    """Every marketplace shares the platform's Stripe account: each object says whose it is."""
    return {"tenant": tenant.schema_name, "tenant_id": tenant.public_id}


def _failure(invoice: dict) -> str:
    """Why paying failed, as far as the invoice says (the reason itself is on its PaymentIntent)."""
    reason = (invoice.get("last_finalization_error") or {}).get("message")
    return reason or f"Stripe could not charge the card (attempt {invoice.get('attempt_count') or 1})."
