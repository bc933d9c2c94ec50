"""Posting to the ledger. One function writes journal transactions (`post`); everything else reads
balances from entries. Amounts are integer minor units: debit positive, credit negative.

The posting path is a handful of tiny queries, and Django takes longer to compile them than
PostgreSQL takes to answer, so they are written in SQL here: the accounts of a posting are found in
one query (`accounts`), and the journal transaction and its entries are written in one statement,
with ON CONFLICT on the idempotency key (a replay racing it needs no savepoint). PostgreSQL checks at
commit that each transaction balances and, per entry, that its currency is its account's
(migrations 0002 and 0006)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Model, Sum

from marketplace.common.errors import ValidationFailed
from marketplace.payments.models import AccountKind, JournalEntry, JournalTransaction, LedgerAccount
from marketplace.payments.signals import journal_posted


class AccountKey(NamedTuple):
    """What identifies a ledger account (the columns of the unique constraint `ledger_account_unique`)."""

    kind: str
    currency: str
    booking_id: int | None = None  # escrow accounts
    provider_id: int | None = None  # provider balances


def account(kind: str, currency: str, *, booking=None, provider=None) -> LedgerAccount:
    """The ledger account of `kind` (per booking for escrow, per provider for balances)."""
    key = AccountKey(
        kind, currency, booking.pk if booking is not None else None, provider.pk if provider is not None else None
    )
    return accounts([key])[0]


def accounts(keys: Sequence[AccountKey]) -> list[LedgerAccount]:
    """The ledger accounts for `keys`, in their order, created where missing: one query when they all
    exist, one insert more when some do not.

    Two transactions creating the same account at once: the insert skips conflicts (ON CONFLICT DO
    NOTHING), so the second waits for the first on the unique constraint and then reads its row."""
    found = _accounts_found(keys)
    missing = [key for key in dict.fromkeys(keys) if key not in found]
    if missing:
        created = _insert_skipping_conflicts(
            [
                LedgerAccount(kind=kind, currency=currency, booking_id=booking_id, provider_id=provider_id)
                for kind, currency, booking_id, provider_id in missing
            ]
        )
        found |= {_account_key(ledger_account): ledger_account for ledger_account in created}
        if raced := [key for key in missing if key not in found]:
            found |= _accounts_found(raced)  # created by a transaction that committed meanwhile
    return [found[key] for key in keys]


def _accounts_found(keys: Iterable[AccountKey]) -> dict[AccountKey, LedgerAccount]:
    conditions, params = [], []
    for kind, currency, booking_id, provider_id in dict.fromkeys(keys):
        # NULL matches NULL here, as in the unique constraint (NULLS NOT DISTINCT); each branch is one
        # probe of its index
        conditions.append(
            "(kind = %s AND currency = %s AND booking_id {} AND provider_id {})".format(
                "IS NULL" if booking_id is None else "= %s", "IS NULL" if provider_id is None else "= %s"
            )
        )
        params += [value for value in (kind, currency, booking_id, provider_id) if value is not None]
    return {_account_key(found): found for found in _select(LedgerAccount, " OR ".join(conditions), params)}


def _account_key(found: LedgerAccount) -> AccountKey:
    return AccountKey(found.kind, found.currency, found.booking_id, found.provider_id)


def journal_by_key(key: str) -> JournalTransaction | None:
    """The transaction posted under `key`, if any (by its unique index)."""
    return next(iter(_select(JournalTransaction, "idempotency_key = %s", [key])), None)


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
    return post_unless_posted(kind=kind, key=key, lines=lines, booking=booking, memo=memo, reverses=reverses)


@transaction.atomic(savepoint=False)
def post_unless_posted(
    *, kind: str, key: str, lines: Iterable[tuple[LedgerAccount, int]], booking=None, memo: str = "", reverses=None
) -> tuple[JournalTransaction, bool]:
    """`post` for callers that already looked `key` up in their own transaction (the escrow operations,
    under the booking's lock): no second look-up and no savepoint of its own, so an error it raises
    rolls back the caller's whole atomic block. A transaction under the same key committed meanwhile
    still wins: its row is returned and nothing is written."""
    lines = [(acc, amount) for acc, amount in lines if amount != 0]
    totals: dict[str, int] = defaultdict(int)
    for acc, amount in lines:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise TypeError("ledger amounts are integer minor units")
        totals[acc.currency] += amount
    if len(lines) < 2 or any(totals.values()):
        raise ValidationFailed(f"A journal transaction must balance per currency; off by {dict(totals)}.")
    journal = JournalTransaction(kind=kind, idempotency_key=key, booking=booking, memo=memo[:300], reverses=reverses)
    if not _write(journal, lines):
        # The same key committed by someone else a moment ago: theirs stands.
        return JournalTransaction.objects.get(idempotency_key=key), False
    journal_posted.send(sender=JournalTransaction, journal=journal, booking=booking)
    return journal, True


def _write(journal: JournalTransaction, lines: list[tuple[LedgerAccount, int]]) -> bool:
    """INSERT `journal` and its entries in one statement, unless its idempotency key is taken; True
    (and its id set) when written.

    ON CONFLICT DO NOTHING instead of catching the unique violation: no savepoint (two round trips)
    is needed to survive it, and an insert of the same key in flight elsewhere is waited for. When
    the key is taken no journal row comes back, so no entry is written either."""
    columns, values, params = _insert_values(journal)
    sql = f"""
        WITH journal AS (
            INSERT INTO payments_journaltransaction ({columns}) VALUES ({values})
            ON CONFLICT (idempotency_key) DO NOTHING RETURNING id
        )
        INSERT INTO payments_journalentry (transaction_id, account_id, amount, currency)
        SELECT journal.id, line.account_id, line.amount, line.currency
        FROM journal, unnest(%s::bigint[], %s::bigint[], %s::varchar[]) AS line (account_id, amount, currency)
        RETURNING transaction_id
    """
    params += [[acc.pk for acc, _ in lines], [amount for _, amount in lines], [acc.currency for acc, _ in lines]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        written = cursor.fetchone()
    if written is None:
        return False
    journal.pk = written[0]
    journal._state.adding, journal._state.db = False, connection.alias
    return True


def _insert_values(obj: Model) -> tuple[str, str, list]:
    """The columns, placeholders and parameters to INSERT `obj`, its values prepared as `save()` does
    (defaults, auto_now_add)."""
    fields = [field for field in obj._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    return ", ".join(quote(field.column) for field in fields), ", ".join(["%s"] * len(fields)), params


def _insert_skipping_conflicts(objs: Sequence[Model]) -> list[Model]:
    """INSERT `objs` (of one model) in one statement, skipping those that conflict with an existing row
    on a unique constraint; returns the rows inserted (RETURNING)."""
    meta = objs[0]._meta
    rows = [_insert_values(obj) for obj in objs]
    columns = rows[0][0]
    returned = ", ".join(connection.ops.quote_name(field.column) for field in meta.concrete_fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "
        f"VALUES {', '.join(f'({values})' for _, values, _ in rows)} ON CONFLICT DO NOTHING RETURNING {returned}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [param for _, _, params in rows for param in params])
        found = cursor.fetchall()
    names = [field.attname for field in meta.concrete_fields]
    return [meta.model.from_db(connection.alias, names, row) for row in found]


def _select(model: type[Model], where: str, params: list) -> list[Model]:
    """The rows of `model` matching `where` (SQL over its columns), as model instances."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {quote(meta.db_table)} WHERE {where}", params)
        rows = cursor.fetchall()
    names = [field.attname for field in meta.concrete_fields]
    return [model.from_db(connection.alias, names, row) for row in rows]


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
