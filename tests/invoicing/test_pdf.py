"""PDF copies: a real PDF whose (compressed) page says what the document says."""

import re
import zlib

import pytest

from marketplace.invoicing.models import ClientDocument, StatementLine
from marketplace.invoicing.pdf import client_document_pdf, statement_line_pdf
from marketplace.payments.escrow import escrow_capture, escrow_refund, escrow_release
from tenants.context import tenant_context
from tests.invoicing.conftest import set_tax

pytestmark = pytest.mark.django_db


def page_text(pdf: bytes) -> str:
    """The text drawn on the pages: every compressed stream (its /Length bytes) inflated, the
    strings of its text operators (`(...) Tj`) joined."""
    content = b""
    for stream in re.finditer(rb"<<([^<>]*)>>\s*stream\r?\n", pdf):
        if b"/FlateDecode" in stream[1]:
            length = int(re.search(rb"/Length (\d+)", stream[1])[1])
            content += zlib.decompress(pdf[stream.end() : stream.end() + length])
    return " ".join(s.decode("cp1252") for s in re.findall(rb"\((.*?)\) ?Tj", content))


def test_a_receipt_pdf_shows_who_what_and_the_tax(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        receipt = ClientDocument.objects.select_related("booking").get()
        # when
        pdf = client_document_pdf(receipt)

    # then
    assert pdf.startswith(b"%PDF-")
    text = page_text(pdf)
    for shown in (
        "Alpha University",
        "Receipt R-000001",
        f"Date: {receipt.issued_at.date().isoformat()}",
        f"Client: {receipt.client_name} <client-a@example.org>",
        f"Provider: {receipt.provider_name}",
        "Paid work - Job",
        "Net",
        "100.00 USD",
        "VAT 20% included",
        "20.00 USD",
        "Total paid",
        "120.00 USD",
    ):
        assert shown in text, shown


def test_with_exclusive_tax_the_line_is_net_and_the_tax_is_added(tenant_a, booking_a):
    set_tax(tenant_a, rate_bps=825, inclusive=False, label="Sales tax")
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=10_825, key="cap")
        text = page_text(client_document_pdf(ClientDocument.objects.get()))

    assert "Sales tax 8.25%" in text and "included" not in text
    assert text.count("100.00 USD") == 2 and "8.25 USD" in text and "108.25 USD" in text  # line and net; tax; total


def test_a_credit_note_pdf_names_its_receipt(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        escrow_refund(booking=booking_a, amount=6_000, key="ref")
        text = page_text(client_document_pdf(ClientDocument.objects.get(kind="credit_note")))

    assert "Credit note C-000001" in text and "Refers to receipt R-000001" in text
    assert "Total refunded" in text and "60.00 USD" in text and "10.00 USD" in text


def test_a_statement_line_pdf_shows_the_split(tenant_a, booking_a, settings):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        escrow_release(booking=booking_a, amount=12_000, key="rel")
        text = page_text(statement_line_pdf(StatementLine.objects.get()))

    assert "Statement line S-000001" in text
    for shown in ("120.00 USD", "-9.60 USD", "-2.40 USD", "108.00 USD", "Commission rate 10%"):
        assert shown in text, shown


def test_letters_the_standard_fonts_lack_are_folded_not_fatal(tenant_a, booking_a):
    with tenant_context(tenant_a):
        booking_a.client.full_name = "Jiří Łukasz 山田"
        booking_a.client.save(update_fields=["full_name"])
        escrow_capture(booking=booking_a, amount=12_000, key="cap")
        receipt = ClientDocument.objects.get()
        text = page_text(client_document_pdf(receipt))

    assert receipt.client_name == "Jiří Łukasz 山田"  # the document keeps the exact name
    assert "Client: Jirí ?ukasz ??" in text
