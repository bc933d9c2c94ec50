"""Carrying out the money a booking transition asks for (its `MoneyIntent`): the processor call and
the ledger posting, both keyed by the intent, inside the transition's transaction. A declined card
raises before anything is written, so the booking stays where it was."""

from __future__ import annotations

from marketplace.common.errors import DomainError, ValidationFailed
from marketplace.payments.escrow import escrow_capture, escrow_refund, escrow_release
from marketplace.payments.gateways import gateway


class PaymentFailed(DomainError):
    status_code = 402
    code = "payment_failed"


def intent_execute(intent, *, payment_method: str | None = None) -> None:
    """Do what `intent` says: hold (charge the card into escrow), release (escrow to the provider,
    commission and fee split out), refund or void (money back to the card, from escrow first)."""
    booking, key = intent.booking, intent.idempotency_key
    if intent.amount == 0:  # e.g. a cancellation the policy refunds nothing of
        intent.status = "nothing_to_do"
        intent.save(update_fields=["status"])
        return
    if intent.kind == "hold":
        if not isinstance(payment_method, str) or not payment_method.strip():
            raise ValidationFailed(
                "Pay with a card: include data.payment_method (in tests and demos, 4242 4242 4242 4242).",
                fields={"data.payment_method": ["Give a card."]},
            )
        result = gateway().charge(
            amount=intent.amount, currency=intent.currency, payment_method=payment_method, key=f"{key}:charge"
        )
        if not result.ok:
            raise PaymentFailed(result.message or "The payment did not go through.")
        escrow_capture(booking=booking, amount=intent.amount, key=key)
        intent.reference = result.reference
    elif intent.kind == "release":
        escrow_release(booking=booking, amount=intent.amount, key=key)
    elif intent.kind in ("refund", "void"):
        charge = booking.money_intents.filter(kind="hold", status="done").values_list("reference", flat=True).first()
        if charge is None:
            intent.status = "nothing_to_do"  # nothing was ever taken from the client
            intent.save(update_fields=["status"])
            return
        result = gateway().refund(charge=charge, amount=intent.amount, currency=intent.currency, key=f"{key}:refund")
        escrow_refund(booking=booking, amount=intent.amount, key=key)
        intent.reference = result.reference
    intent.status = "done"
    intent.save(update_fields=["status", "reference"])
