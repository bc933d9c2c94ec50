"""Escrow: money captured for a booking waits in the booking's escrow account until it is released
to the provider (minus the marketplace's commission and the platform's fee) or refunded to the client.

Rounding (no cent lost: the parts always add up to the gross):
- commission = floor(gross × commission_bps / 10 000): the marketplace's share, rounded down;
- platform fee = floor(gross × platform_fee_bps / 10 000), taken out of the marketplace's share
  (which can go below zero when the platform's fee exceeds the commission);
- provider = gross − commission.

Every operation locks the booking row, so two releases or refunds of one booking run one after the
other; each carries an idempotency key, and a replay returns the first result and posts nothing.

An operation is a few statements: look the key up, lock the booking, look again, read the escrow's
state in one query (release, refund), find or create the accounts in one, write the journal
transaction with its entries in one."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.payments.ledger import AccountKey, accounts, journal_by_key, post_unless_posted
from marketplace.payments.models import AccountKind, EscrowFreeze, JournalTransaction

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


# The booking's escrow account is its one of kind escrow in its currency. captured/released: that
# account's entries in the booking's captures/releases; refunded: what the booking's refunds took
# from payments clearing; held: minus that account's balance (all its entries).
_STATE_SQL = """
SELECT
    coalesce(-sum(e.amount) FILTER (WHERE t.kind = 'capture' AND a.kind = %(escrow)s
        AND a.currency = %(currency)s AND a.booking_id = %(booking)s), 0)::bigint,
    coalesce(sum(e.amount) FILTER (WHERE t.kind = 'release' AND a.kind = %(escrow)s
        AND a.currency = %(currency)s AND a.booking_id = %(booking)s), 0)::bigint,
    coalesce(-sum(e.amount) FILTER (WHERE t.kind = 'refund' AND a.kind = %(clearing)s), 0)::bigint,
    (SELECT coalesce(-sum(he.amount), 0)::bigint
     FROM payments_journalentry he JOIN payments_ledgeraccount ha ON ha.id = he.account_id
     WHERE ha.kind = %(escrow)s AND ha.currency = %(currency)s AND ha.booking_id = %(booking)s),
    EXISTS (SELECT FROM payments_escrowfreeze WHERE booking_id = %(booking)s AND lifted_at IS NULL)
FROM payments_journalentry e
JOIN payments_journaltransaction t ON t.id = e.transaction_id
JOIN payments_ledgeraccount a ON a.id = e.account_id
WHERE t.booking_id = %(booking)s
"""
_STATE_NAMES = {"escrow": AccountKind.ESCROW.value, "clearing": AccountKind.PAYMENTS_CLEARING.value}


def escrow_state(booking) -> EscrowState:
    """What happened to a booking's money, from the journal (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, {"booking": booking.pk, "currency": booking.currency, **_STATE_NAMES})
        captured, released, refunded, held, frozen = cursor.fetchone()
    return EscrowState(captured=captured, released=released, refunded=refunded, held=held, frozen=frozen)


def _amount(value, booking) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValidationFailed(
            f"Use a positive whole amount in minor units of {booking.currency}.", fields={"amount": ["Positive."]}
        )
    return value


def _locked(booking):
    """The booking read again under its row lock (its terms as they are now)."""
    from marketplace.bookings.models import Booking

    # What select_for_update().get() sends, without compiling a query over every field of a booking
    # (which took longer than PostgreSQL takes to answer).
    locked = Booking.objects.raw("SELECT * FROM bookings_booking WHERE id = %s FOR UPDATE", [booking.pk])
    for found in locked:
        return found
    raise Booking.DoesNotExist(f"No booking {booking.pk}.")


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


def _escrow(booking) -> AccountKey:
    return AccountKey(AccountKind.ESCROW, booking.currency, booking_id=booking.pk)


def _provider_balance(booking) -> AccountKey:
    return AccountKey(AccountKind.PROVIDER_BALANCE, booking.currency, provider_id=booking.provider_id)


def _post(booking, *, kind: str, key: str, lines: list[tuple[AccountKey, int]], memo: str = "") -> JournalTransaction:
    """Post `lines` for the locked booking once `_begin` found no replay: the accounts of the non-zero
    lines in one query, then the journal transaction (no second key look-up, no savepoint)."""
    lines = [(account_key, amount) for account_key, amount in lines if amount != 0]
    found = accounts([account_key for account_key, _ in lines])
    journal, _ = post_unless_posted(
        kind=kind,
        key=key,
        booking=booking,
        memo=memo,
        lines=[(ledger_account, amount) for ledger_account, (_, amount) in zip(found, lines, strict=True)],
    )
    return journal


@transaction.atomic
def escrow_capture(*, booking, amount: int, key: str) -> JournalTransaction:
    """Money the processor collected from the client goes into the booking's escrow."""
    done, booking, amount = _begin(booking, amount, key)
    if done is not None:
        return done
    return _post(
        booking,
        kind="capture",
        key=key,
        lines=[(AccountKey(AccountKind.PAYMENTS_CLEARING, booking.currency), amount), (_escrow(booking), -amount)],
    )


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
    parts = split(amount, commission_bps=booking.commission_bps, platform_fee_bps=booking.platform_fee_bps)
    currency = booking.currency
    return _post(
        booking,
        kind="release",
        key=key,
        memo=f"commission {booking.commission_bps} bps, platform fee {booking.platform_fee_bps} bps",
        lines=[
            (_escrow(booking), amount),
            (_provider_balance(booking), -parts.provider),
            (AccountKey(AccountKind.MARKETPLACE_COMMISSION, currency), -parts.marketplace),
            (AccountKey(AccountKind.PLATFORM_FEE, currency), -parts.platform),
        ],
    )


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
    return _post(
        booking,
        kind="refund",
        key=key,
        lines=[
            (_escrow(booking), from_escrow),
            (_provider_balance(booking), clawback),
            (AccountKey(AccountKind.PAYMENTS_CLEARING, booking.currency), -amount),
        ],
    )


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
