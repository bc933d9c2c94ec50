"""Provider earnings and payouts.

Released money stays in the marketplace's processor account until the provider asks to be paid (or
their schedule does): then it is transferred to their payee account and paid out from there to their
bank, in one step. The ledger moves the amount from the provider's balance to payouts in transit at
once; the processor's webhook later says paid (it leaves the books) or failed (the transfer is
reversed and the amount returns to the balance). At most one payout per provider is in flight.

Earnings, from the ledger:
- available: the provider's balance (released to them, minus payouts and clawbacks; may be negative
  after a refund following a release, recovered from later earnings);
- pending: still in escrow for their bookings (paid by clients, not yet released);
- in transit: payouts sent, not yet arrived."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.payments.gateways import gateway
from marketplace.payments.gateways.base import GatewayError
from marketplace.payments.ledger import account, held, post
from marketplace.payments.models import (
    AccountKind,
    JournalEntry,
    PayeeAccount,
    Payout,
    PayoutSchedule,
    PayoutStatus,
)
from marketplace.payments.services import GatewayUnavailable


@dataclass(frozen=True)
class Earnings:
    currency: str
    available: int
    pending: int
    in_transit: int
    paid_out: int
    minimum_payout: int


def earnings(provider, currency: str) -> Earnings:
    pending = -(
        JournalEntry.objects.filter(
            account__kind=AccountKind.ESCROW, account__booking__provider=provider, currency=currency
        ).aggregate(t=Sum("amount"))["t"]
        or 0
    )
    payouts = provider.payouts.filter(currency=currency)
    return Earnings(
        currency=currency,
        available=held(account(AccountKind.PROVIDER_BALANCE, currency, provider=provider)),
        pending=pending,
        in_transit=payouts.filter(status=PayoutStatus.IN_TRANSIT).aggregate(t=Sum("amount"))["t"] or 0,
        paid_out=payouts.filter(status=PayoutStatus.PAID).aggregate(t=Sum("amount"))["t"] or 0,
        minimum_payout=settings.PAYOUT_MINIMUM,
    )


def payee_onboard(provider, *, email: str, return_url: str, bank_account: str = "", schedule: str = "") -> PayeeAccount:
    """Create the provider's payee account at the processor (once; asking again refreshes its
    status and may change the schedule)."""
    if schedule and schedule not in PayoutSchedule.values:
        raise ValidationFailed(
            "Choose how often to be paid.", fields={"schedule": [f"One of {', '.join(PayoutSchedule.values)}."]}
        )
    processor = gateway()
    existing = PayeeAccount.objects.filter(provider=provider).first()
    try:
        payee = (
            processor.payee_status(account=existing.account, return_url=return_url)
            if existing
            else processor.onboard_payee(
                email=email,
                country="",  # the processor asks during onboarding
                key=f"{connection.schema_name}:payee:{provider.public_id}",
                return_url=return_url,
                bank_account=bank_account,
            )
        )
    except GatewayError as exc:
        raise GatewayUnavailable("The payment processor did not answer; try again in a minute.") from exc
    found, _ = PayeeAccount.objects.update_or_create(
        provider=provider,
        defaults={
            "gateway": processor.name,
            "account": payee.account,
            "onboarding_url": payee.onboarding_url,
            "payouts_enabled": payee.payouts_enabled,
            "details": payee.details or (existing.details if existing else ""),
            **({"schedule": schedule} if schedule else {}),
        },
    )
    return found


@transaction.atomic
def payout_request(provider, *, amount: int | None, currency: str, key: str) -> Payout:
    """Send `amount` (all that is available when None) to the provider's bank. A replay of `key`
    returns the first payout."""
    if (done := Payout.objects.filter(idempotency_key=key).first()) is not None:
        return done
    from marketplace.providers.models import ProviderProfile

    ProviderProfile.objects.select_for_update().get(pk=provider.pk)  # one payout decision at a time
    if (done := Payout.objects.filter(idempotency_key=key).first()) is not None:
        return done
    payee = PayeeAccount.objects.filter(provider=provider).first()
    if payee is None or not payee.payouts_enabled:
        raise Conflict(
            "Set up where to be paid first (POST /api/v1/providers/me/payee/) and finish onboarding.",
            code="payee_not_ready",
        )
    if provider.payouts.filter(status=PayoutStatus.IN_TRANSIT).exists():
        raise Conflict("A payout is already on its way; ask again once it has arrived.", code="payout_in_flight")
    now = earnings(provider, currency)
    amount = now.available if amount is None else amount
    _check_amount(amount, now)
    payout = Payout(provider=provider, amount=amount, currency=currency, idempotency_key=key)
    try:
        with transaction.atomic():
            payout.save()
    except IntegrityError:
        raise Conflict(
            "A payout is already on its way; ask again once it has arrived.", code="payout_in_flight"
        ) from None
    post(
        kind="payout",
        key=f"{key}:payout",
        memo=f"payout {payout.public_id}",
        lines=[
            (account(AccountKind.PROVIDER_BALANCE, currency, provider=provider), amount),
            (account(AccountKind.PAYOUTS_IN_TRANSIT, currency), -amount),
        ],
    )
    processor = gateway()
    try:
        sent = processor.transfer(
            payee=payee.account, amount=amount, currency=currency, key=f"{key}:transfer", group=payout.public_id
        )
        paid = processor.payout(payee=payee.account, amount=amount, currency=currency, key=f"{key}:bank")
    except GatewayError as exc:
        raise GatewayUnavailable(
            "The payment processor did not answer; nothing was paid out. Try again in a minute."
        ) from exc
    if not (sent.ok and paid.ok):
        raise Conflict(
            paid.message or sent.message or "The payment processor refused the payout.", code="payout_refused"
        )
    payout.transfer, payout.reference = sent.reference, paid.reference
    payout.save(update_fields=["transfer", "reference"])
    if processor.name == "local":
        from marketplace.payments.tasks import settle_local_payout

        transaction.on_commit(lambda: settle_local_payout.delay(payout.reference))
    return payout


def _check_amount(amount, now: Earnings) -> None:
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise ValidationFailed(
            f"Use a positive whole amount in minor units of {now.currency}.", fields={"amount": ["Positive."]}
        )
    if amount < now.minimum_payout:
        raise ValidationFailed(
            f"The smallest payout is {now.minimum_payout}; you asked for {amount}.",
            fields={"amount": [f"At least {now.minimum_payout}."]},
        )
    if amount > now.available:
        raise Conflict(
            f"{now.available} is available to pay out; {amount} is more than that.", code="payout_exceeds_available"
        )


@transaction.atomic
def payout_settle(reference: str, *, paid: bool, failure_message: str = "") -> Payout | None:
    """What the processor said about a payout. Paid: it leaves the books. Failed: the transfer is
    reversed and the amount returns to the provider's balance. Idempotent and tolerant of order: a
    payout already settled the same way posts nothing; Stripe may report a paid payout as failed
    later (the bank returned it), which returns the money too. None when the payout is unknown
    (its own transaction may not have committed yet: the caller retries)."""
    payout = Payout.objects.select_for_update().filter(reference=reference).first()
    if payout is None:
        return None
    target = PayoutStatus.PAID if paid else PayoutStatus.FAILED
    if payout.status == target or payout.status == PayoutStatus.FAILED:
        return payout  # repeated, or a late "paid" after the money already came back
    balance = account(AccountKind.PROVIDER_BALANCE, payout.currency, provider=payout.provider)
    in_transit = account(AccountKind.PAYOUTS_IN_TRANSIT, payout.currency)
    clearing = account(AccountKind.PAYMENTS_CLEARING, payout.currency)
    if paid:
        lines = [(in_transit, payout.amount), (clearing, -payout.amount)]
    else:
        came_from = in_transit if payout.status == PayoutStatus.IN_TRANSIT else clearing
        lines = [(came_from, payout.amount), (balance, -payout.amount)]
        if payout.transfer:
            try:
                gateway().reverse_transfer(
                    transfer=payout.transfer, amount=payout.amount, key=f"{payout.idempotency_key}:reversal"
                )
            except GatewayError as exc:
                raise GatewayUnavailable("The payment processor did not answer; the event is retried.") from exc
        payout.failure_message = (failure_message or "The bank returned the payout.")[:300]
    post(
        kind=f"payout_{target}",
        key=f"{payout.idempotency_key}:{target}",
        memo=f"payout {payout.public_id}",
        lines=lines,
    )
    payout.status, payout.settled_at = target, timezone.now()
    payout.save(update_fields=["status", "settled_at", "failure_message"])
    if paid:
        from marketplace.notifications.events import payout_paid

        payout_paid(payout)
    return payout


def payouts_due(today) -> list[Payout]:
    """Pay out every provider whose schedule falls today and whose available balance reaches the
    minimum (one payout per provider and day, by key)."""
    schedules = [PayoutSchedule.WEEKLY] if today.weekday() == 0 else []
    if today.day == 1:
        schedules.append(PayoutSchedule.MONTHLY)
    made = []
    for payee in PayeeAccount.objects.filter(schedule__in=schedules, payouts_enabled=True).select_related("provider"):
        provider = payee.provider
        for currency in _currencies_of(provider):
            now = earnings(provider, currency)
            if now.available < now.minimum_payout or now.in_transit:
                continue
            try:
                made.append(
                    payout_request(
                        provider,
                        amount=None,
                        currency=currency,
                        key=f"{connection.schema_name}:scheduled:{today.isoformat()}:{provider.public_id}:{currency}",
                    )
                )
            except (Conflict, ValidationFailed, GatewayUnavailable):
                continue  # tried again on the next scheduled day; the provider can also ask
    return made


def _currencies_of(provider) -> list[str]:
    from marketplace.payments.models import LedgerAccount

    return list(
        LedgerAccount.objects.filter(kind=AccountKind.PROVIDER_BALANCE, provider=provider).values_list(
            "currency", flat=True
        )
    )


def payee_of(provider) -> PayeeAccount | None:
    """Where the provider's payouts go, when they have set it up."""
    return PayeeAccount.objects.filter(provider=provider).first()


def payouts_of(provider):
    """The provider's payouts, newest first."""
    return Payout.objects.filter(provider=provider).order_by("-created_at", "-id")
