"""The daily comparison of the ledger with the payment processor's own records.

For one day (UTC), every money movement the processor reports is matched to what the ledger says
happened, and every ledger posting that should have a processor movement is matched back:

- a charge's captured amount = what the ledger captured into escrow for the intents it served;
- a refund = the ledger's refund under the intent it served;
- a transfer and a payout = the payout's amount, and the payout's status agrees;
- a capture, refund or payout in the ledger with no processor movement is a mismatch too.

The day's report is kept (one per day and processor, rewritten when run again), and mismatches are
emailed to the marketplace's admins and to the platform's payments address."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.db.models import Q, Sum

from branding.selectors import sender_address
from marketplace.payments.gateways import gateway
from marketplace.payments.gateways.base import GatewayRecord
from marketplace.payments.models import (
    AccountKind,
    JournalEntry,
    JournalTransaction,
    Payout,
    ReconciliationReport,
)

log = logging.getLogger(__name__)


def reconcile_day(day: datetime.date) -> ReconciliationReport:
    since = datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
    until = since + datetime.timedelta(days=1)
    processor = gateway()
    # A charge is recorded when the card is authorised, which may be days before its capture.
    recent = processor.records(since=since - processor.authorization_window, until=until)
    records = [r for r in recent if r.created >= since]
    ledger = _ledger_side(records)
    mismatches = [problem for record in records if (problem := _check(record, ledger)) is not None]
    mismatches += _unmatched_ledger({r.reference for r in recent}, since, until)
    report, _ = ReconciliationReport.objects.update_or_create(
        day=day, gateway=processor.name, defaults={"checked": len(records), "mismatches": mismatches}
    )
    if mismatches:
        _tell(report)
    return report


@dataclass(frozen=True)
class _LedgerSide:
    """What the ledger says about a day's processor references, read in three queries."""

    captured: dict[str, int]  # charge reference → captured into escrow under the intents it served
    refunded: dict[str, int]  # refund reference → refunded to the client
    payouts: dict[str, Payout]  # payout or transfer reference → our payout


def _ledger_side(records: list[GatewayRecord]) -> _LedgerSide:
    from marketplace.bookings.models import MoneyIntent

    references = [r.reference for r in records]
    intents = list(
        MoneyIntent.objects.filter(reference__in=references).values_list("reference", "kind", "idempotency_key")
    )
    posted = dict(
        JournalEntry.objects.filter(transaction__idempotency_key__in=[key for _, _, key in intents])
        .filter(
            Q(transaction__kind="capture", account__kind=AccountKind.ESCROW)
            | Q(transaction__kind="refund", account__kind=AccountKind.PAYMENTS_CLEARING)
        )
        .values_list("transaction__idempotency_key")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    captured: dict[str, int] = defaultdict(int)
    refunded: dict[str, int] = defaultdict(int)
    for reference, kind, key in intents:
        # Both are credits in the ledger: captures to escrow, refunds out of the clearing account.
        (captured if kind in ("hold", "capture") else refunded)[reference] -= posted.get(key, 0)
    payouts = {}
    for payout in Payout.objects.filter(Q(reference__in=references) | Q(transfer__in=references)):
        payouts[payout.reference] = payouts[payout.transfer] = payout
    return _LedgerSide(captured=captured, refunded=refunded, payouts=payouts)


def _check(record: GatewayRecord, ledger: _LedgerSide) -> dict | None:
    if record.kind == "charge":
        return _differs(record, ledger.captured.get(record.reference, 0), "captured")
    if record.kind == "refund":
        return _differs(record, ledger.refunded.get(record.reference, 0), "refunded")
    if record.kind in ("transfer", "payout"):
        payout = ledger.payouts.get(record.reference)
        if payout is None:
            return _problem(record, 0, f"the processor made a {record.kind} the ledger has no payout for")
        if payout.amount != record.amount:
            return _problem(record, payout.amount, f"{record.kind} amount differs from payout {payout.public_id}")
        if record.kind == "payout" and record.status in ("paid", "failed") and record.status != payout.status:
            return _problem(
                record,
                payout.amount,
                f"the processor says {record.status}; payout {payout.public_id} is {payout.status}",
            )
    return None


def _differs(record: GatewayRecord, ledger: int, what: str) -> dict | None:
    if ledger == record.amount:
        return None
    return _problem(record, ledger, f"the processor {what} {record.amount}; the ledger has {ledger}")


def _problem(record: GatewayRecord, ledger: int, problem: str) -> dict:
    return {
        "reference": record.reference,
        "kind": record.kind,
        "currency": record.currency,
        "gateway": record.amount,
        "ledger": ledger,
        "problem": problem,
    }


def _unmatched_ledger(known: set[str], since, until) -> list[dict]:
    """Ledger postings of the day that the processor has no movement for."""
    from marketplace.bookings.models import MoneyIntent

    problems = []
    journals = JournalTransaction.objects.filter(
        created_at__gte=since, created_at__lt=until, kind__in=["capture", "refund"]
    ).values_list("idempotency_key", "kind")
    keys = dict(journals)
    for key, reference in MoneyIntent.objects.filter(idempotency_key__in=keys).values_list(
        "idempotency_key", "reference"
    ):
        if reference not in known:
            problems.append(
                {
                    "reference": reference,
                    "kind": keys[key],
                    "currency": "",
                    "gateway": 0,
                    "ledger": None,
                    "problem": f"the ledger has a {keys[key]} ({key}) the processor does not",
                }
            )
    for payout in Payout.objects.filter(created_at__gte=since, created_at__lt=until):
        if payout.reference not in known:
            problems.append(
                {
                    "reference": payout.reference,
                    "kind": "payout",
                    "currency": payout.currency,
                    "gateway": 0,
                    "ledger": payout.amount,
                    "problem": f"payout {payout.public_id} is not at the processor",
                }
            )
    return problems


def _tell(report: ReconciliationReport) -> None:
    from accounts.models import User

    lines = [f"- {m['kind']} {m['reference']}: {m['problem']}" for m in report.mismatches]
    subject = f"[{connection.schema_name}] {len(lines)} payment mismatches on {report.day}"
    body = "The ledger and the payment processor disagree:\n\n" + "\n".join(lines)
    log.warning("%s\n%s", subject, body)
    admins = list(User.objects.filter(is_marketplace_admin=True, is_active=True).values_list("email", flat=True))
    send_mail(subject, body, sender_address(), admins + [settings.PAYMENTS_ALERT_EMAIL])
