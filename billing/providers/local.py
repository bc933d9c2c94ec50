"""The platform's own billing provider: no network. Payment methods are the payment test cards
(4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0025 0000 3155 asks for
authentication, which cannot be given here); platform staff record bank transfers against invoices
(`billing.invoices.invoice_pay`). It sends no webhooks: collection answers at once."""

from __future__ import annotations

import hashlib

from billing.providers.base import BillingEvent, Card, Collection, InvalidBillingWebhook
from marketplace.common.errors import ValidationFailed
from marketplace.payments.gateways.base import SUCCEEDED
from marketplace.payments.gateways.local import CARDS

PREFIX = "pm_local_"


class LocalBillingProvider:
    name = "local"

    def customer_ensure(self, *, account, name: str, email: str) -> str:
        return account.customer_ref or f"cus_local_{account.tenant.public_id}"

    def card_attach(self, *, account, token: str) -> Card:
        card = "".join(str(token).split())
        if card not in CARDS:
            raise ValidationFailed(
                "That card is not accepted here.",
                fields={"card": ["Use one of the test cards, e.g. 4242 4242 4242 4242."]},
            )
        return Card(ref=PREFIX + card, brand="visa", last4=card[-4:], expires="12/2030")

    def invoice_collect(self, *, account, invoice, lines) -> Collection:
        if not account.payment_method_ref.startswith(PREFIX):
            return Collection(paid=False, failure="No card is saved for this marketplace.")
        status, message = CARDS.get(account.payment_method_ref.removeprefix(PREFIX), ("declined", "Declined."))
        if status != SUCCEEDED:
            return Collection(paid=False, failure=message)
        digest = hashlib.sha256(f"{invoice.number}:{invoice.total}".encode()).hexdigest()[:16]
        return Collection(paid=True, reference=f"lpy_{digest}")

    def parse_webhook(self, *, payload: bytes, headers: dict[str, str]) -> BillingEvent:
        raise InvalidBillingWebhook("The local billing provider sends no webhooks.")
