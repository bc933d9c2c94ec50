"""Issuing receipts, credit notes and provider statement lines from the ledger.

`documents_issue` runs inside the posting's transaction (on `journal_posted`, connected in
`apps.py`), once per new journal transaction of a booking:

- capture → a receipt for the client: the amount captured and the tax in it (`tax.py`) at the
  marketplace's rate;
- refund → a credit note for the amount given back and its share of the tax, at the rate of the
  booking's receipt; when part of it was taken back from the provider's balance (a refund after the
  release), also a clawback line on the provider's statement;
- release → a statement line for the provider: gross released, the marketplace's commission, the
  platform fee and the net paid to their balance.

Other kinds (payouts, reversals…) issue nothing. Amounts are read from the journal's entries, never
recomputed. Numbers are drawn as the documents are stored, in the posting's transaction: a posting
that rolls back issues nothing and uses up no number.

Statement lines do not itemise tax on the commission: the ledger posts the commission as one amount,
and whether it carries tax depends on the marketplace's own tax position, not on the rate it charges
clients."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from marketplace.bookings.models import Booking
from marketplace.configuration.models import MarketplaceSettings
from marketplace.configuration.selectors import marketplace_settings
from marketplace.invoicing.models import ClientDocument, ClientDocumentKind, Series, StatementLine, StatementLineKind
from marketplace.invoicing.numbering import number_draw
from marketplace.invoicing.tax import tax_in, tax_share
from marketplace.payments.models import AccountKind, JournalTransaction


@dataclass(frozen=True)
class _Posting:
    journal: JournalTransaction
    booking: Booking
    moved: dict[str, int]  # what the journal did to each kind of account, debit positive
    settings: MarketplaceSettings


@transaction.atomic(savepoint=False)  # part of the posting's transaction: no savepoint of its own
def documents_issue(*, journal: JournalTransaction) -> list[ClientDocument | StatementLine]:
    """The documents `journal` calls for, issued and numbered (none for other kinds of posting)."""
    issue = _ISSUERS.get(journal.kind)
    if issue is None or journal.booking_id is None:
        return []
    moved: dict[str, int] = defaultdict(int)
    for kind, amount in journal.entries.values_list("account__kind", "amount"):
        moved[kind] += amount
    booking = Booking.objects.select_related("client", "provider__user", "listing").get(pk=journal.booking_id)
    return issue(_Posting(journal=journal, booking=booking, moved=moved, settings=marketplace_settings()))


def _receipt(posting: _Posting) -> list[ClientDocument]:
    gross = posting.moved[AccountKind.PAYMENTS_CLEARING]  # the client's money, now at the processor
    terms = posting.settings
    tax = tax_in(gross, rate_bps=terms.tax_rate_bps)
    receipt = _client_document(posting, kind=ClientDocumentKind.RECEIPT, gross=gross, tax=tax, terms=terms)
    from marketplace.notifications.events import payment_received

    payment_received(receipt)
    return [receipt]


def _refund(posting: _Posting) -> list[ClientDocument | StatementLine]:
    refunded = -posting.moved[AccountKind.PAYMENTS_CLEARING]
    clawback = posting.moved[AccountKind.PROVIDER_BALANCE]  # a debit: taken from the provider's balance
    booking_documents = ClientDocument.objects.filter(booking=posting.booking)
    receipt = booking_documents.filter(kind=ClientDocumentKind.RECEIPT).order_by("id").first()
    credited = booking_documents.filter(kind=ClientDocumentKind.CREDIT_NOTE).aggregate(t=Sum("gross"))["t"] or 0
    # The sale's tax terms; today's for a payment taken before receipts were issued.
    terms = receipt or posting.settings
    issued: list[ClientDocument | StatementLine] = [
        _client_document(
            posting,
            kind=ClientDocumentKind.CREDIT_NOTE,
            gross=refunded,
            tax=tax_share(refunded, before=credited, rate_bps=terms.tax_rate_bps),
            terms=terms,
            refers_to=receipt,
        )
    ]
    if clawback > 0:
        issued.append(
            _statement_line(
                posting, kind=StatementLineKind.CLAWBACK, gross=-clawback, commission=0, platform_fee=0, net=-clawback
            )
        )
    return issued


def _release(posting: _Posting) -> list[StatementLine]:
    moved = posting.moved
    return [
        _statement_line(
            posting,
            kind=StatementLineKind.RELEASE,
            gross=moved[AccountKind.ESCROW],  # a debit: what left the booking's escrow
            commission=-moved[AccountKind.MARKETPLACE_COMMISSION],
            platform_fee=-moved[AccountKind.PLATFORM_FEE],
            net=-moved[AccountKind.PROVIDER_BALANCE],
        )
    ]


_ISSUERS = {"capture": _receipt, "refund": _refund, "release": _release}
_SERIES = {ClientDocumentKind.RECEIPT: Series.RECEIPT, ClientDocumentKind.CREDIT_NOTE: Series.CREDIT_NOTE}


def _shown(posting: _Posting) -> dict:
    """What every document of this booking shows, as it is now."""
    booking = posting.booking
    return {
        "journal": posting.journal,
        "booking": booking,
        "marketplace_name": posting.settings.display_name,
        "time_zone": posting.settings.time_zone,
        "client_name": booking.client.get_full_name(),
        "provider_name": booking.provider.user.get_full_name(),
        "listing_title": booking.listing.title,
        "package_name": booking.package_name,
        "currency": booking.currency,
    }


def _client_document(
    posting: _Posting,
    *,
    kind: ClientDocumentKind,
    gross: int,
    tax: int,
    terms: MarketplaceSettings | ClientDocument,
    refers_to: ClientDocument | None = None,
) -> ClientDocument:
    """`terms`: where the tax rate, inclusive and label come from (the settings, or the receipt)."""
    sequence, number = number_draw(_SERIES[kind])
    return ClientDocument.objects.create(
        kind=kind,
        number=number,
        sequence=sequence,
        issued_at=timezone.now(),  # after the number: dates never go backwards as numbers go up
        client=posting.booking.client,
        client_email=posting.booking.client.email,
        refers_to=refers_to,
        gross=gross,
        net=gross - tax,
        tax=tax,
        tax_rate_bps=terms.tax_rate_bps,
        tax_inclusive=terms.tax_inclusive,
        tax_label=terms.tax_label,
        **_shown(posting),
    )


def _statement_line(
    posting: _Posting, *, kind: StatementLineKind, gross: int, commission: int, platform_fee: int, net: int
) -> StatementLine:
    sequence, number = number_draw(Series.STATEMENT)
    return StatementLine.objects.create(
        kind=kind,
        number=number,
        sequence=sequence,
        issued_at=timezone.now(),
        provider=posting.booking.provider,
        commission_bps=posting.booking.commission_bps,
        gross=gross,
        commission=commission,
        platform_fee=platform_fee,
        net_to_provider=net,
        **_shown(posting),
    )
