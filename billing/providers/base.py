"""One interface for collecting what marketplaces owe the platform.

The platform keeps the subscription itself (plan versions, periods, proration, dunning) and issues
its own numbered invoices (billing/invoices.py); a provider holds the customer and their payment
method, and collects an issued invoice. Two providers:

- `local` (default): test cards, no network; platform staff record bank transfers against invoices.
- `stripe`: Stripe Billing — a Customer per marketplace, its default PaymentMethod, and for each of
  our invoices a Stripe Invoice (invoice items + finalize + pay), whose outcome also arrives by
  webhook (invoice.paid, invoice.payment_failed).

Every call that moves money carries a key derived from our invoice, so retrying it is safe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from marketplace.common.errors import DomainError


class BillingProviderError(DomainError):
    """The provider could not be reached or answered with an error we cannot act on: retry later."""

    status_code = 503
    code = "billing_provider_unavailable"


class InvalidBillingWebhook(Exception):
    """The body or its signature is not one the provider sent."""


@dataclass(frozen=True)
class Card:
    ref: str  # the provider's payment method id
    brand: str
    last4: str
    expires: str = ""  # MM/YYYY


@dataclass(frozen=True)
class Collection:
    """What one attempt to collect an invoice did."""

    paid: bool
    reference: str = ""  # the provider's payment (or invoice) id when paid
    failure: str = ""  # why not, in words the operator can act on
    provider_ref: str = ""  # the provider's invoice id, when it made one


@dataclass(frozen=True)
class BillingEvent:
    """A provider's webhook event, reduced to what billing acts on.

    kind: "invoice_paid", "invoice_payment_failed", or "ignored" (stored, nothing to do).
    """

    event_id: str
    type: str
    occurred_at: datetime
    kind: str
    customer_ref: str = ""
    invoice_number: str = ""  # our invoice number, from the provider invoice's metadata
    provider_invoice_ref: str = ""
    payment_reference: str = ""
    amount_paid: int = 0
    failure: str = ""
    payload: dict = field(default_factory=dict)


class BillingProvider(Protocol):
    name: str

    def customer_ensure(self, *, account, name: str, email: str) -> str:
        """The provider's customer id for the marketplace (created once; `account.customer_ref` when set)."""

    def card_attach(self, *, account, token: str) -> Card:
        """Make `token` (a test card number for local; a PaymentMethod id for Stripe) the customer's
        default payment method. Raises ValidationFailed when the provider refuses it."""

    def invoice_collect(self, *, account, invoice, lines) -> Collection:
        """Charge the default payment method for an open invoice (idempotent per invoice)."""

    def parse_webhook(self, *, payload: bytes, headers: dict[str, str]) -> BillingEvent:
        """Verify the signature and read the event; InvalidBillingWebhook otherwise."""
