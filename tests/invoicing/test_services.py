"""Documents issued from the ledger as it posts: receipts on captures, credit notes on refunds,
statement lines on releases and clawbacks, numbered without gaps, copied when issued, never changed."""

import pytest
from django.db import IntegrityError, transaction

from marketplace.catalogue.models import Listing
from marketplace.common.errors import Conflict
from marketplace.configuration.models import MarketplaceSettings
from marketplace.invoicing.models import ClientDocument, NumberCounter, StatementLine
from marketplace.payments.escrow import escrow_capture, escrow_refund, escrow_release
from marketplace.payments.ledger import account, post
from marketplace.payments.models import AccountKind, JournalTransaction
from tenants.context import tenant_context
from tests.invoicing.conftest import set_tax
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db


class PostingFailed(Exception):
    pass


def test_a_capture_issues_a_receipt_with_the_tax_inside_the_amount_paid(tenant_a, booking_a):
    with tenant_context(tenant_a):
        # when
        journal = escrow_capture(booking=booking_a, amount=12_000, key="cap")
        # then
        receipt = ClientDocument.objects.get()
        client = booking_a.client

    assert (receipt.kind, receipt.number, receipt.sequence) == ("receipt", "R-000001", 1)
    assert (receipt.journal_id, receipt.booking_id, receipt.client_id) == (journal.pk, booking_a.pk, client.pk)
    # 120.00 including 20% VAT: net 100.00, tax 20.00
    assert (receipt.gross, receipt.net, receipt.tax, receipt.currency) == (12_000, 10_000, 2_000, "USD")
    assert (receipt.tax_rate_bps, receipt.tax_inclusive, receipt.tax_label) == (2000, True, "VAT")
    assert (receipt.marketplace_name, receipt.time_zone) == ("Alpha University", "UTC")
    assert (receipt.client_name, receipt.client_email) == (client.full_name, "client-a@example.org")
    assert receipt.provider_name == booking_a.provider.user.full_name
    assert (receipt.listing_title, receipt.package_name, receipt.refers_to) == ("Paid work", "Job", None)


def test_exclusive_tax_reads_the_amount_charged_as_net_plus_tax(tenant_a, booking_a):
    # given a marketplace that quotes prices before tax
    set_tax(tenant_a, rate_bps=2000, inclusive=False, label="Sales tax")
    with tenant_context(tenant_a):
        # when 100.01 is charged
        escrow_capture(booking=booking_a, amount=10_001, key="cap")
        receipt = ClientDocument.objects.get()

    # then the same arithmetic: net = 10001 / 1.2 = 8334.17, rounded to 8334; the rest is tax
    assert (receipt.gross, receipt.net, receipt.tax) == (10_001, 8_334, 1_667)
    assert (receipt.tax_inclusive, receipt.tax_label) == (False, "Sales tax")


def test_refunds_issue_credit_notes_whose_tax_adds_up_to_the_receipts(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=10_001, key="cap")
        # when the payment is refunded in two parts
        escrow_refund(booking=booking_a, amount=5_000, key="ref-1")
        escrow_refund(booking=booking_a, amount=5_001, key="ref-2")
        receipt = ClientDocument.objects.get(kind="receipt")
        notes = list(ClientDocument.objects.filter(kind="credit_note").order_by("sequence"))
        provider_lines = StatementLine.objects.count()

    assert [n.number for n in notes] == ["C-000001", "C-000002"]
    assert all(n.refers_to_id == receipt.pk and n.tax_rate_bps == 2000 for n in notes)
    assert [(n.gross, n.net + n.tax) for n in notes] == [(5_000, 5_000), (5_001, 5_001)]
    # each part's tax is what the running total adds, so the parts give back exactly the receipt's tax
    assert [n.tax for n in notes] == [833, 834] and sum(n.tax for n in notes) == receipt.tax == 1_667
    assert provider_lines == 0  # refunded from escrow: the provider had nothing yet


def test_a_release_issues_a_statement_line_with_the_amounts_the_ledger_posted(tenant_a, booking_a, settings):
    with tenant_context(tenant_a):
        type(booking_a).objects.filter(pk=booking_a.pk).update(platform_fee_bps=250)  # the plan's fee when booked
        escrow_capture(booking=booking_a, amount=10_005, key="cap")
        # when
        journal = escrow_release(booking=booking_a, amount=10_005, key="rel")
        line = StatementLine.objects.get()
        posted = {e.account.kind: e.amount for e in journal.entries.select_related("account")}

    # then commission ⌊10005 × 10%⌋ = 1000, of which the platform's fee ⌊10005 × 2.5%⌋ = 250
    assert (line.kind, line.number, line.provider_id, line.journal_id) == (
        "release",
        "S-000001",
        booking_a.provider_id,
        journal.pk,
    )
    assert (line.gross, line.commission, line.platform_fee, line.net_to_provider) == (10_005, 750, 250, 9_005)
    assert (line.gross, -line.commission, -line.platform_fee, -line.net_to_provider) == (
        posted["escrow"],
        posted["marketplace_commission"],
        posted["platform_fee"],
        posted["provider_balance"],
    )
    assert line.commission_bps == 1000 and line.client_name == booking_a.client.full_name


def test_a_refund_after_the_release_is_also_a_clawback_line_on_the_providers_statement(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        escrow_release(booking=booking_a, amount=12_000, key="rel")
        # when
        escrow_refund(booking=booking_a, amount=3_000, key="ref")
        note = ClientDocument.objects.get(kind="credit_note")
        clawback = StatementLine.objects.get(kind="clawback")

    assert (note.number, note.gross, note.tax) == ("C-000001", 3_000, 500)
    assert (clawback.number, clawback.gross, clawback.commission, clawback.platform_fee) == ("S-000002", -3_000, 0, 0)
    assert clawback.net_to_provider == -3_000


def test_numbers_are_consecutive_per_series(tenant_a):
    bookings = [make_booking(tenant_a, tag=str(i)) for i in range(3)]
    with tenant_context(tenant_a):
        for i, booking in enumerate(bookings):
            escrow_capture(booking=booking, amount=5_000, key=f"cap-{i}")
        escrow_refund(booking=bookings[0], amount=1_000, key="ref")
        escrow_release(booking=bookings[1], amount=5_000, key="rel")
        numbers = sorted(ClientDocument.objects.values_list("number", flat=True))
        statement = list(StatementLine.objects.values_list("number", flat=True))

    assert numbers == ["C-000001", "R-000001", "R-000002", "R-000003"]
    assert statement == ["S-000001"]


def test_a_posting_that_rolls_back_issues_nothing_and_uses_up_no_number(tenant_a, booking_a):
    later = make_booking(tenant_a, tag="later")
    with tenant_context(tenant_a):
        # given a capture whose booking transition fails after the money was posted
        with pytest.raises(PostingFailed), transaction.atomic():
            escrow_capture(booking=booking_a, amount=12_000, key="cap-failed")
            assert ClientDocument.objects.get().number == "R-000001"
            raise PostingFailed
        assert not ClientDocument.objects.exists() and not JournalTransaction.objects.exists()
        # when the next capture is posted
        escrow_capture(booking=later, amount=5_000, key="cap-later")

        # then it takes the number the failed one gave back
        assert list(ClientDocument.objects.values_list("number", "booking")) == [("R-000001", later.pk)]
        assert NumberCounter.objects.get(series="R").last == 1


def test_a_refused_posting_issues_nothing(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        # when a refund of more than was paid is refused
        with pytest.raises(Conflict):
            escrow_refund(booking=booking_a, amount=12_001, key="ref")
        # then
        assert list(ClientDocument.objects.values_list("number", flat=True)) == ["R-000001"]
        assert not NumberCounter.objects.filter(series="C").exists()


def test_a_replayed_posting_issues_nothing_new(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        escrow_capture(booking=booking_a, amount=12_000, key="cap")

        assert ClientDocument.objects.count() == 1 and NumberCounter.objects.get(series="R").last == 1


def test_postings_without_a_document_issue_nothing(tenant_a, booking_a):
    with tenant_context(tenant_a):
        cash, fees = account(AccountKind.PAYMENTS_CLEARING, "USD"), account(AccountKind.GATEWAY_FEES, "USD")
        escrow = account(AccountKind.ESCROW, "USD", booking=booking_a)
        # a processor fee, and a "capture" that belongs to no booking
        post(kind="fee", key="fee", booking=booking_a, lines=[(fees, 30), (cash, -30)])
        post(kind="capture", key="orphan", lines=[(cash, 500), (fees, -500)])
        # a reversal of a real capture
        captured, _ = post(kind="capture", key="cap", booking=booking_a, lines=[(cash, 900), (escrow, -900)])
        post(kind="reversal", key="undo", booking=booking_a, lines=[(cash, -900), (escrow, 900)], reverses=captured)

        assert list(ClientDocument.objects.values_list("journal", flat=True)) == [captured.pk]
        assert not StatementLine.objects.exists()


def test_issued_documents_keep_what_they_said_when_settings_and_names_change(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        # when the marketplace changes its tax and name, and the listing is renamed
        MarketplaceSettings.objects.update(display_name="Renamed", tax_rate_bps=0, tax_label="GST")
        Listing.objects.filter(pk=booking_a.listing_id).update(title="Renamed work")
        escrow_refund(booking=booking_a, amount=12_000, key="ref")
        receipt = ClientDocument.objects.get(kind="receipt")
        note = ClientDocument.objects.get(kind="credit_note")

    # then the receipt is as issued, and the refund credits the tax the client paid
    assert (receipt.marketplace_name, receipt.listing_title, receipt.tax_rate_bps, receipt.tax) == (
        "Alpha University",
        "Paid work",
        2000,
        2_000,
    )
    assert (note.marketplace_name, note.listing_title) == ("Renamed", "Renamed work")
    assert (note.tax_rate_bps, note.tax_label, note.tax) == (2000, "VAT", 2_000)


def test_a_refund_of_a_payment_without_receipt_uses_todays_tax(tenant_a, booking_a):
    with tenant_context(tenant_a):
        # given money captured before receipts were issued (the ledger holds it, no receipt exists)
        cash = account(AccountKind.PAYMENTS_CLEARING, "USD")
        escrow = account(AccountKind.ESCROW, "USD", booking=booking_a)
        # when it is refunded
        post(kind="refund", key="ref", booking=booking_a, lines=[(escrow, 6_000), (cash, -6_000)])
        note = ClientDocument.objects.get()

    assert (note.kind, note.refers_to, note.tax_rate_bps, note.tax) == ("credit_note", None, 2000, 1_000)


def test_documents_never_change_once_issued(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        escrow_release(booking=booking_a, amount=12_000, key="rel")
        receipt, line = ClientDocument.objects.get(), StatementLine.objects.get()

        for changes in (
            lambda: ClientDocument.objects.filter(pk=receipt.pk).update(gross=1, net=1, tax=0),
            lambda: ClientDocument.objects.filter(pk=receipt.pk).delete(),
            lambda: StatementLine.objects.filter(pk=line.pk).update(client_name="Someone else"),
            lambda: StatementLine.objects.filter(pk=line.pk).delete(),
        ):
            with pytest.raises(IntegrityError, match="never change"), transaction.atomic():
                changes()

        assert ClientDocument.objects.get().gross == 12_000
        assert StatementLine.objects.get().client_name == booking_a.client.full_name


def test_each_marketplace_numbers_its_own_documents(tenant_a, tenant_b, booking_a, booking_b):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        escrow_refund(booking=booking_a, amount=1_000, key="ref")
    # when beta issues its first receipt
    with tenant_context(tenant_b):
        escrow_capture(booking=booking_b, amount=12_000, key="cap")
        beta = list(ClientDocument.objects.values_list("number", "tax", "marketplace_name"))
    with tenant_context(tenant_a):
        alpha = sorted(ClientDocument.objects.values_list("number", flat=True))

    # then it starts at 1, with beta's own (zero) tax and name, and alpha's documents are not there
    assert beta == [("R-000001", 0, "Beta Agency")]
    assert alpha == ["C-000001", "R-000001"]
