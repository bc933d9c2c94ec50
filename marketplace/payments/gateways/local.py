"""The built-in test processor: no keys, no network; its records live in the marketplace's schema
so the ledger can be reconciled against them. Test cards:

- 4242 4242 4242 4242 — succeeds
- 4000 0000 0000 0002 — declined
- 4000 0025 0000 3155 — requires authentication (3-D Secure), which this processor cannot complete
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction

from marketplace.payments.gateways.base import DECLINED, REQUIRES_ACTION, SUCCEEDED, GatewayResult
from marketplace.payments.models import LocalCharge

CARDS = {
    "4242424242424242": (SUCCEEDED, ""),
    "4000000000000002": (DECLINED, "Your card was declined."),
    "4000002500003155": (REQUIRES_ACTION, "Your bank asks you to confirm this payment; use another card."),
}


class LocalGateway:
    def charge(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        card = "".join(str(payment_method).split())
        status, message = CARDS.get(card, (DECLINED, "Use one of the test cards, e.g. 4242 4242 4242 4242."))
        record = _once(
            key,
            lambda: LocalCharge(
                reference=f"lch_{secrets.token_hex(8)}",
                kind="charge",
                amount=amount,
                currency=currency,
                status=status,
                card_last4=card[-4:],
            ),
        )
        return GatewayResult(record.status, record.reference, message if record.status != SUCCEEDED else "")

    def refund(self, *, charge: str, amount: int, currency: str, key: str) -> GatewayResult:
        record = _once(
            key,
            lambda: LocalCharge(
                reference=f"lre_{secrets.token_hex(8)}",
                kind="refund",
                amount=amount,
                currency=currency,
                status=SUCCEEDED,
                refunds=LocalCharge.objects.filter(reference=charge).first(),
            ),
        )
        return GatewayResult(record.status, record.reference)


def _once(key: str, make) -> LocalCharge:
    """The record for `key`, made the first time (a retried call returns the first answer)."""
    found = next(iter(LocalCharge.objects.filter(idempotency_key=key).order_by()[:1]), None)
    if found is not None:
        return found
    record = make()
    record.idempotency_key = key
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        return LocalCharge.objects.get(idempotency_key=key)
    return record
