"""Carrying out the money a booking transition asks for (its `MoneyIntent`): the processor call and
the ledger posting, both keyed by the intent, inside the transition's transaction. A declined card or
an unreachable processor raises before anything is written, so the booking stays where it was and no
journal is half-posted.

Holding money at booking: when a later step takes it (a request the provider accepts) and that step
comes within the processor's authorisation window, the card is only authorised and the money is
captured into escrow on acceptance (or the authorisation is let go on decline). Otherwise — and
always when the step could come later than the window, since card authorisations lapse after about
7 days — the money is charged into escrow at once."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from marketplace.common.errors import Conflict, DomainError, ValidationFailed
from marketplace.payments.escrow import escrow_capture, escrow_refund, escrow_release, escrow_state
from marketplace.payments.gateways import gateway
from marketplace.payments.gateways.base import AUTHORIZED, GatewayError


class PaymentFailed(DomainError):
    status_code = 402
    code = "payment_failed"


class GatewayUnavailable(DomainError):
    """The processor did not answer: nothing was written; the same request can be retried."""

    status_code = 503
    code = "payment_processor_unavailable"


HOLD_AUTHORIZED, HOLD_CAPTURED, HOLD_VOIDED = "authorized", "done", "voided"


def intent_execute(intent, *, payment_method: str | None = None, capture_by: datetime | None = None) -> None:
    """Do what `intent` says: hold (authorise or charge the card), capture (an authorised hold into
    escrow), release (escrow to the provider, commission and fee split out), refund or void (let an
    authorisation go, or money back to the card: from escrow first, then clawed back)."""
    if intent.amount == 0:  # e.g. a cancellation the policy refunds nothing of
        _finish(intent, "nothing_to_do")
        return
    try:
        _HANDLERS[intent.kind](intent, payment_method=payment_method, capture_by=capture_by)
    except GatewayError as exc:
        raise GatewayUnavailable(
            "The payment processor did not answer; nothing was charged or changed. Try again in a minute."
        ) from exc


def _hold(intent, *, payment_method, capture_by) -> None:
    if not isinstance(payment_method, str) or not payment_method.strip():
        raise ValidationFailed(
            "Pay with a card: include data.payment_method (in tests and demos, 4242 4242 4242 4242).",
            fields={"data.payment_method": ["Give a card."]},
        )
    processor = gateway()
    authorize = capture_by is not None and capture_by - timezone.now() <= processor.authorization_window
    pay = processor.authorize if authorize else processor.charge
    result = pay(
        amount=intent.amount, currency=intent.currency, payment_method=payment_method, key=f"{_key(intent)}:charge"
    )
    if not result.ok:
        raise PaymentFailed(result.message or "The payment did not go through.")
    intent.reference = result.reference
    if result.status == AUTHORIZED:
        _finish(intent, HOLD_AUTHORIZED)
        return
    escrow_capture(booking=intent.booking, amount=intent.amount, key=_key(intent))
    _finish(intent, "done")


def _capture(intent, **_) -> None:
    hold = _hold_of(intent.booking)
    if hold is None or hold.status != HOLD_AUTHORIZED:
        _finish(intent, "nothing_to_do")  # charged at booking: already in escrow
        return
    result = gateway().capture(
        reference=hold.reference, amount=intent.amount, currency=intent.currency, key=f"{_key(intent)}:capture"
    )
    if not result.ok:
        raise PaymentFailed(
            result.message or "The client's card authorisation has lapsed; ask the client to book again."
        )
    escrow_capture(booking=intent.booking, amount=intent.amount, key=_key(intent))
    intent.reference = hold.reference
    _finish(intent, "done")
    _finish(hold, HOLD_CAPTURED)


def _release(intent, **_) -> None:
    escrow_release(booking=intent.booking, amount=intent.amount, key=_key(intent))
    _finish(intent, "done")


def _refund(intent, **_) -> None:
    hold = _hold_of(intent.booking)
    if hold is None or hold.status not in (HOLD_AUTHORIZED, HOLD_CAPTURED):
        _finish(intent, "nothing_to_do")  # nothing was ever taken from the client
        return
    if hold.status == HOLD_AUTHORIZED:  # only authorised: let it go, nothing was taken
        gateway().void(reference=hold.reference, key=f"{_key(intent)}:void")
        intent.reference = hold.reference
        _finish(intent, "done")
        _finish(hold, HOLD_VOIDED)
        return
    intent.reference = refund_to_client(intent.booking, amount=intent.amount, key=_key(intent))
    _finish(intent, "done")


def refund_to_client(booking, *, amount: int, key: str) -> str:
    """Give `amount` back to the client's card (the processor first, under a key derived from `key`)
    and post it (from escrow first, then clawed back from the provider). Returns the processor's
    refund id. Checked before the processor moves any money."""
    state = escrow_state(booking)
    if amount > state.captured - state.refunded:
        raise Conflict(
            f"The client paid {state.captured} and has had {state.refunded} back; {amount} cannot be refunded.",
            code="refund_exceeds_paid",
        )
    hold = _hold_of(booking)
    try:
        result = gateway().refund(charge=hold.reference, amount=amount, currency=booking.currency, key=f"{key}:refund")
    except GatewayError as exc:
        raise GatewayUnavailable(
            "The payment processor did not answer; nothing was refunded. Try again in a minute."
        ) from exc
    if not result.ok:
        raise Conflict(result.message or "The payment processor refused the refund.", code="refund_refused")
    escrow_refund(booking=booking, amount=amount, key=key)
    return result.reference


_HANDLERS = {"hold": _hold, "capture": _capture, "release": _release, "refund": _refund, "void": _refund}


def _hold_of(booking):
    return booking.money_intents.filter(kind="hold").exclude(status="recorded").order_by("id").first()


def _key(intent) -> str:
    return intent.idempotency_key


def _finish(intent, status: str) -> None:
    intent.status = status
    intent.save(update_fields=["status", "reference"])
