"""Posting to the ledger. One function writes journal transactions (`post`); everything else reads
balances from entries. Amounts are integer minor units: debit positive, credit negative."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Sum

from marketplace.common.errors import ValidationFailed
from marketplace.payments.models import AccountKind, JournalEntry, JournalTransaction, LedgerAccount
from marketplace.payments.signals import journal_posted


def account(kind: str, currency: str, *, booking=None, provider=None) -> LedgerAccount:
    """The ledger account of `kind` (per booking for escrow, per provider for balances)."""
    found, _ = LedgerAccount.objects.get_or_create(kind=kind, currency=currency, booking=booking, provider=provider)
    return found


def journal_by_key(key: str) -> JournalTransaction | None:
    """The transaction posted under `key`, if any (by its unique index; no ordering to walk)."""
    # Not .first(): it orders by id, and PostgreSQL may then walk the primary key instead.
    return next(iter(JournalTransaction.objects.filter(idempotency_key=key).order_by()[:1]), None)


def balance(ledger_account: LedgerAccount) -> int:
    """The account's balance from its entries: debits minus credits."""
    return ledger_account.entries.aggregate(total=Sum("amount"))["total"] or 0


def held(ledger_account: LedgerAccount) -> int:
    """What a credit-balance account (escrow, provider balance, commission, fee) holds: minus its balance."""
    return -balance(ledger_account)


@transaction.atomic
def post(
    *, kind: str, key: str, lines: Iterable[tuple[LedgerAccount, int]], booking=None, memo: str = "", reverses=None
) -> tuple[JournalTransaction, bool]:
    """Write one balanced journal transaction; returns it and whether it is new. A second call with the
    same `key` posts nothing and returns the first transaction (also when two race: the unique key
    decides)."""
    existing = journal_by_key(key)
    if existing is not None:
        return existing, False
    lines = [(acc, amount) for acc, amount in lines if amount != 0]
    totals: dict[str, int] = defaultdict(int)
    for acc, amount in lines:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise TypeError("ledger amounts are integer minor units")
        totals[acc.currency] += amount
    if len(lines) < 2 or any(totals.values()):
        raise ValidationFailed(f"A journal transaction must balance per currency; off by {dict(totals)}.")
    try:
        with transaction.atomic():
            journal = JournalTransaction.objects.create(
                kind=kind, idempotency_key=key, booking=booking, memo=memo[:300], reverses=reverses
            )
    except IntegrityError:
        # The same key committed by someone else a moment ago: theirs stands.
        return JournalTransaction.objects.get(idempotency_key=key), False
    JournalEntry.objects.bulk_create(
        JournalEntry(transaction=journal, account=acc, amount=amount, currency=acc.currency) for acc, amount in lines
    )
    journal_posted.send(sender=JournalTransaction, journal=journal, booking=booking)
    return journal, True


@transaction.atomic
def reverse(journal: JournalTransaction, *, key: str, memo: str = "") -> JournalTransaction:
    """Undo a transaction by posting its mirror image (the journal itself never changes)."""
    lines = [(entry.account, -entry.amount) for entry in journal.entries.select_related("account")]
    reversal, _ = post(kind="reversal", key=key, lines=lines, booking=journal.booking, memo=memo, reverses=journal)
    return reversal


def platform_totals(currency: str) -> dict[str, int]:
    """Balance per account kind across the marketplace (each sums to zero overall)."""
    rows = (
        JournalEntry.objects.filter(currency=currency)
        .values("account__kind")
        .annotate(total=Sum("amount"))
        .values_list("account__kind", "total")
    )
    return {kind: total for kind, total in rows} | {k: 0 for k in AccountKind.values if k not in dict(rows)}
