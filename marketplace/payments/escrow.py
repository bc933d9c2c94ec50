"""Escrow: money captured for a booking waits in the booking's escrow account until it is released
to the provider (minus the marketplace's commission and the platform's fee) or refunded to the client.

Rounding (no cent lost: the parts always add up to the gross):
- commission = floor(gross × commission_bps / 10 000): the marketplace's share, rounded down;
- platform fee = floor(gross × platform_fee_bps / 10 000), taken out of the marketplace's share
  (which can go below zero when the platform's fee exceeds the commission);
- provider = gross − commission.

Every operation locks the booking row, so two releases or refunds of one booking run one after the
other; each carries an idempotency key, and a replay returns the first result and posts nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.payments.ledger import account, held, journal_by_key, post
from marketplace.payments.models import AccountKind, EscrowFreeze, JournalEntry, JournalTransaction

BPS = 10_000


@dataclass(frozen=True)
class Split:
    provider: int
    marketplace: int
    platform: int


def split(gross: int, *, commission_bps: int, platform_fee_bps: int) -> Split:
    commission = gross * commission_bps // BPS
    platform = gross * platform_fee_bps // BPS
    return Split(provider=gross - commission, marketplace=commission - platform, platform=platform)


@dataclass(frozen=True)
class EscrowState:
    captured: int
    released: int
    refunded: int
    held: int  # captured − released − refunded from escrow
    frozen: bool


def escrow_state(booking) -> EscrowState:
    """What happened to a booking's money, from the journal."""
    escrow = account(AccountKind.ESCROW, booking.currency, booking=booking)
    entries = JournalEntry.objects.filter(transaction__booking=booking)

    def total(**where) -> int:
        return entries.filter(**where).aggregate(t=Sum("amount"))["t"] or 0

    return EscrowState(
        captured=-total(account=escrow, transaction__kind="capture"),
        released=total(account=escrow, transaction__kind="release"),
        refunded=-total(account__kind=AccountKind.PAYMENTS_CLEARING, transaction__kind="refund"),
        held=held(escrow),
        frozen=EscrowFreeze.objects.filter(booking=booking, lifted_at__isnull=True).exists(),
    )


def _amount(value, booking) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValidationFailed(
            f"Use a positive whole amount in minor units of {booking.currency}.", fields={"amount": ["Positive."]}
        )
    return value


def _locked(booking):
    from marketplace.bookings.models import Booking

    return Booking.objects.select_for_update().get(pk=booking.pk)


def _begin(booking, amount, key: str):
    """The transaction already posted under `key` (a replay), or the locked booking and the checked
    amount. The key is looked at again once the lock is held: the same operation may have finished
    while this one waited."""
    if (done := _replayed(key)) is not None:
        return done, booking, amount
    booking = _locked(booking)
    if (done := _replayed(key)) is not None:
        return done, booking, amount
    return None, booking, _amount(amount, booking)


def _replayed(key: str) -> JournalTransaction | None:
    return journal_by_key(key)


@transaction.atomic
def escrow_capture(*, booking, amount: int, key: str) -> JournalTransaction:
    """Money the processor collected from the client goes into the booking's escrow."""
    done, booking, amount = _begin(booking, amount, key)
    if done is not None:
        return done
    journal, _ = post(
        kind="capture",
        key=key,
        booking=booking,
        lines=[
            (account(AccountKind.PAYMENTS_CLEARING, booking.currency), amount),
            (account(AccountKind.ESCROW, booking.currency, booking=booking), -amount),
        ],
    )
    return journal


@transaction.atomic
def escrow_release(*, booking, amount: int, key: str) -> JournalTransaction:
    """Pay the provider out of escrow, with the commission and the platform's fee split out."""
    done, booking, amount = _begin(booking, amount, key)
    if done is not None:
        return done
    state = escrow_state(booking)
    if state.frozen:
        raise Conflict("The escrow is frozen while a dispute is open; nothing can be released.", code="escrow_frozen")
    if amount > state.held:
        raise Conflict(
            f"Only {state.held} is held in escrow for this booking; {amount} cannot be released.",
            code="release_exceeds_escrow",
        )
    parts = split(amount, commission_bps=booking.commission_bps, platform_fee_bps=settings.PLATFORM_FEE_BPS)
    currency = booking.currency
    journal, _ = post(
        kind="release",
        key=key,
        booking=booking,
        memo=f"commission {booking.commission_bps} bps, platform fee {settings.PLATFORM_FEE_BPS} bps",
        lines=[
            (account(AccountKind.ESCROW, currency, booking=booking), amount),
            (account(AccountKind.PROVIDER_BALANCE, currency, provider=booking.provider), -parts.provider),
            (account(AccountKind.MARKETPLACE_COMMISSION, currency), -parts.marketplace),
            (account(AccountKind.PLATFORM_FEE, currency), -parts.platform),
        ],
    )
    return journal


@transaction.atomic
def escrow_refund(*, booking, amount: int, key: str) -> JournalTransaction:
    """Give money back to the client: first from escrow; beyond what escrow holds (after a release),
    clawed back from the provider's balance, which may go below zero and is recovered from later
    earnings. Never more than the client paid and has not had back."""
    done, booking, amount = _begin(booking, amount, key)
    if done is not None:
        return done
    state = escrow_state(booking)
    refundable = state.captured - state.refunded
    if amount > refundable:
        raise Conflict(
            f"The client paid {state.captured} and has had {state.refunded} back; "
            f"at most {refundable} can be refunded.",
            code="refund_exceeds_paid",
        )
    from_escrow = min(amount, state.held)
    clawback = amount - from_escrow
    currency = booking.currency
    journal, _ = post(
        kind="refund",
        key=key,
        booking=booking,
        lines=[
            (account(AccountKind.ESCROW, currency, booking=booking), from_escrow),
            (account(AccountKind.PROVIDER_BALANCE, currency, provider=booking.provider), clawback),
            (account(AccountKind.PAYMENTS_CLEARING, currency), -amount),
        ],
    )
    return journal


@transaction.atomic
def escrow_freeze(*, booking, reason: str) -> EscrowFreeze:
    """Stop releases (a dispute opened). Freezing a frozen escrow changes nothing."""
    booking = _locked(booking)
    existing = EscrowFreeze.objects.filter(booking=booking, lifted_at__isnull=True).first()
    return existing or EscrowFreeze.objects.create(booking=booking, reason=reason[:300])


@transaction.atomic
def escrow_unfreeze(*, booking) -> None:
    booking = _locked(booking)
    EscrowFreeze.objects.filter(booking=booking, lifted_at__isnull=True).update(lifted_at=timezone.now())
