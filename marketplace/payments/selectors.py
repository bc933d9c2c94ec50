"""Reading money for screens: the marketplace's totals per period, a client's payments. Everything
is summed from journal entries, so the numbers cannot disagree with the ledger."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Sum
from django.db.models.functions import TruncDay, TruncMonth

from marketplace.payments.models import AccountKind, JournalEntry

# (journal kind, account kind, sign): which entries make up each figure. Signs turn credits positive.
FIGURES: dict[str, tuple[str, str, int]] = {
    "gmv": ("capture", AccountKind.ESCROW, -1),  # what clients paid into escrow
    "refunds": ("refund", AccountKind.PAYMENTS_CLEARING, -1),  # what went back to clients
    "released": ("release", AccountKind.ESCROW, 1),  # escrow released on completion or milestones
    "provider_earnings": ("release", AccountKind.PROVIDER_BALANCE, -1),
    "commission": ("release", AccountKind.MARKETPLACE_COMMISSION, -1),  # the marketplace's share, after the fee
    "platform_fee": ("release", AccountKind.PLATFORM_FEE, -1),
    "clawbacks": ("refund", AccountKind.PROVIDER_BALANCE, 1),  # refunds after release, taken from providers
    "payouts_requested": ("payout", AccountKind.PROVIDER_BALANCE, 1),
    "payouts_paid": ("payout_paid", AccountKind.PAYOUTS_IN_TRANSIT, 1),
    "payouts_failed": ("payout_failed", AccountKind.PROVIDER_BALANCE, -1),
}


def money_totals(
    *, currency: str, since: datetime.datetime, until: datetime.datetime, per: str = "", zone=datetime.UTC
) -> dict:
    """The figures above for [since, until), with what is held at `until` (escrow, owed to
    providers, payouts in transit) and, with `per` = day or month, a row per period."""
    entries = JournalEntry.objects.filter(
        currency=currency, transaction__created_at__gte=since, transaction__created_at__lt=until
    )
    trunc = {"day": TruncDay, "month": TruncMonth}.get(per)
    keys = ["transaction__kind", "account__kind"] + (["period"] if trunc else [])
    if trunc:
        entries = entries.annotate(period=trunc("transaction__created_at", tzinfo=zone))
    rows = entries.values(*keys).annotate(total=Sum("amount")).order_by()
    totals: dict[str, int] = dict.fromkeys(FIGURES, 0)
    periods: dict[datetime.datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for row in rows:
        for figure, (journal_kind, account_kind, sign) in FIGURES.items():
            if row["transaction__kind"] == journal_kind and row["account__kind"] == account_kind:
                totals[figure] += sign * row["total"]
                if trunc:
                    periods[row["period"]][figure] += sign * row["total"]
    held_at_end = (
        JournalEntry.objects.filter(currency=currency, transaction__created_at__lt=until)
        .values("account__kind")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    balances = {row["account__kind"]: row["total"] for row in held_at_end}
    return {
        "currency": currency,
        "from": since,
        "to": until,
        **totals,
        "escrow_held": -balances.get(AccountKind.ESCROW, 0),
        "owed_to_providers": -balances.get(AccountKind.PROVIDER_BALANCE, 0),
        "payouts_in_transit": -balances.get(AccountKind.PAYOUTS_IN_TRANSIT, 0),
        "periods": [{"period": period, **figures} for period, figures in sorted(periods.items())],
    }


def client_payments(user):
    """The money movements on a client's bookings, newest first."""
    from marketplace.bookings.models import MoneyIntent

    return (
        MoneyIntent.objects.filter(booking__client=user, status__in=["done", "authorized", "voided"])
        .exclude(kind="release")
        .select_related("booking", "booking__listing")
        .order_by("-id")
    )


def booking_money(booking) -> dict:
    """Where a booking's money is, for the people on it: `authorized` (a card hold not charged yet),
    `captured`, `held` (in escrow now), `released` (to the provider), `refunded` (back to the
    client), `frozen` (a dispute stops releases) — minor units of the booking's currency — and a
    one-word `state`: unpaid, authorized, held, released, refunded or partly_refunded."""
    from marketplace.payments.escrow import escrow_state
    from marketplace.payments.services import HOLD_AUTHORIZED

    escrow = escrow_state(booking)
    authorized = sum(booking.money_intents.filter(kind="hold", status=HOLD_AUTHORIZED).values_list("amount", flat=True))
    if escrow.captured == 0:
        state = "authorized" if authorized else "unpaid"
    elif escrow.refunded >= escrow.captured:
        state = "refunded"
    elif escrow.held > 0:
        state = "held"
    elif escrow.refunded:
        state = "partly_refunded"
    else:
        state = "released"
    return {
        "state": state,
        "currency": booking.currency,
        "authorized": authorized,
        "captured": escrow.captured,
        "held": escrow.held,
        "released": escrow.released,
        "refunded": escrow.refunded,
        "frozen": escrow.frozen,
    }
