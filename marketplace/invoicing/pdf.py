"""PDF copies of receipts, credit notes and statement lines, drawn from the stored document (which
never changes, so neither does what its PDF says).

They use the PDF standard fonts, so there are no font files to ship; those print Western European
text (Windows-1252). Other letters are printed as their base letter (ř → r) or "?"; the API returns
the exact text."""

from __future__ import annotations

import unicodedata
from zoneinfo import ZoneInfo

from fpdf import FPDF

from marketplace.common.money import Money
from marketplace.invoicing.models import ClientDocument, ClientDocumentKind, StatementLine, StatementLineKind
from marketplace.invoicing.tax import rate_text

ENCODING = "cp1252"
LABEL_WIDTH = 120  # mm; amounts are right-aligned after it


def client_document_pdf(document: ClientDocument) -> bytes:
    """A receipt or credit note: who, what, net, tax (with its name and rate) and total."""
    is_receipt = document.kind == ClientDocumentKind.RECEIPT
    pdf = _start(document, title="Receipt" if is_receipt else "Credit note")
    if document.refers_to_id:
        pdf_line(pdf, f"Refers to receipt {document.refers_to.number}")
    pdf_line(pdf, f"Client: {document.client_name} <{document.client_email}>")
    pdf_line(pdf, f"Provider: {document.provider_name}")
    pdf_line(pdf, f"Booking: {document.booking.public_id}")
    pdf.ln(6)
    money = pdf_money(document.currency)
    tax = f"{document.tax_label} {rate_text(document.tax_rate_bps)}"
    shown = document.gross if document.tax_inclusive else document.net
    pdf_row(pdf, f"{document.listing_title} - {document.package_name}", money(shown))
    pdf.ln(3)
    pdf_row(pdf, "Net", money(document.net))
    pdf_row(pdf, f"{tax} included" if document.tax_inclusive else tax, money(document.tax))
    pdf_row(pdf, "Total paid" if is_receipt else "Total refunded", money(document.gross), bold=True)
    return bytes(pdf.output())


def statement_line_pdf(line: StatementLine) -> bytes:
    """A statement line: what the booking paid into (or took from) the provider's balance."""
    pdf = _start(line, title="Statement line")
    pdf_line(pdf, f"Provider: {line.provider_name}")
    pdf_line(pdf, f"Client: {line.client_name}")
    pdf_line(pdf, f"Booking: {line.booking.public_id} ({line.listing_title} - {line.package_name})")
    pdf.ln(6)
    money = pdf_money(line.currency)
    if line.kind == StatementLineKind.CLAWBACK:
        pdf_row(pdf, "Refund to the client, taken from your balance", money(line.net_to_provider), bold=True)
    else:
        pdf_row(pdf, "Released from escrow", money(line.gross))
        pdf_row(pdf, "Marketplace commission", money(-line.commission))
        pdf_row(pdf, "Platform fee", money(-line.platform_fee))
        pdf_row(pdf, "Paid to your balance", money(line.net_to_provider), bold=True)
        pdf.ln(3)
        pdf_line(
            pdf, f"Commission rate {rate_text(line.commission_bps)}: the marketplace's commission and the platform fee."
        )
    return bytes(pdf.output())


def _start(document: ClientDocument | StatementLine, *, title: str) -> FPDF:
    pdf = pdf_start(issuer=document.marketplace_name, title=f"{title} {document.number}", at=document.issued_at)
    issued = document.issued_at.astimezone(ZoneInfo(document.time_zone)).date()
    pdf_line(pdf, f"Date: {issued.isoformat()}")
    return pdf


def pdf_start(*, issuer: str, title: str, at) -> FPDF:
    """An A4 page headed by who issues the document and its title (e.g. "Receipt R-000042")."""
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_creation_date(at)
    pdf.set_title(title)
    pdf.set_author(issuer)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 18)
    pdf_line(pdf, issuer, height=12)
    pdf.set_font("helvetica", "B", 13)
    pdf_line(pdf, title, height=9)
    pdf.set_font("helvetica", "", 10)
    return pdf


def pdf_line(pdf: FPDF, text: str, *, height: float = 6) -> None:
    pdf.multi_cell(0, height, _printable(text), align="L", new_x="LMARGIN", new_y="NEXT")


def pdf_row(pdf: FPDF, label: str, amount: str, *, bold: bool = False) -> None:
    """A label (wrapped when long) with its amount right-aligned on its first line."""
    pdf.set_font("helvetica", "B" if bold else "", 10)
    top = pdf.get_y()
    height = pdf.multi_cell(LABEL_WIDTH, 7, _printable(label), align="L", new_x="RIGHT", new_y="TOP", output="HEIGHT")
    pdf.cell(0, 7, amount, align="R")
    pdf.set_xy(pdf.l_margin, top + height)
    pdf.set_font("helvetica", "", 10)


def pdf_money(currency: str):
    return lambda amount: Money(amount, currency).format()


def _printable(text: str) -> str:
    return "".join(char if _fits(char) else _folded(char) for char in text)


def _fits(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _folded(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[0]
    return base if _fits(base) else "?"
