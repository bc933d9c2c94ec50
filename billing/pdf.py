"""PDF copy of a platform invoice, drawn from the stored invoice (amounts never change once issued)."""

from __future__ import annotations

from django.conf import settings
from fpdf import FPDF

from billing.models import TenantInvoice
from marketplace.invoicing.pdf import ENCODING, _line, _money, _row
from marketplace.invoicing.tax import rate_text


def invoice_pdf(invoice: TenantInvoice) -> bytes:
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_creation_date(invoice.issued_at)
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.set_author(settings.PLATFORM_NAME)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 18)
    _line(pdf, settings.PLATFORM_NAME, height=12)
    pdf.set_font("helvetica", "B", 13)
    _line(pdf, f"Invoice {invoice.number}", height=9)
    pdf.set_font("helvetica", "", 10)
    _line(pdf, f"Date: {invoice.issued_at:%Y-%m-%d}    Due: {invoice.due_at:%Y-%m-%d}")
    _line(pdf, f"Bill to: {invoice.bill_to_name}" + (f" <{invoice.bill_to_email}>" if invoice.bill_to_email else ""))
    _line(pdf, f"Plan: {invoice.plan_name}, {invoice.interval}ly")
    pdf.ln(6)
    money = _money(invoice.currency)
    lines = list(invoice.lines.all())
    for line in (line for line in lines if line.charged):
        _row(pdf, line.description, money(line.amount))
    pdf.ln(3)
    _row(pdf, "Net", money(invoice.subtotal))
    _row(pdf, f"{invoice.tax_label} {rate_text(invoice.tax_rate_bps)}", money(invoice.tax))
    _row(pdf, "Total due" if invoice.status != "paid" else "Total paid", money(invoice.total), bold=True)
    if invoice.status == "paid":
        _line(pdf, f"Paid on {invoice.paid_at:%Y-%m-%d} (ref. {invoice.payment_reference}).")
    elif invoice.status == "void":
        _line(pdf, "This invoice is void.")
    for line in (line for line in lines if not line.charged):
        pdf.ln(3)
        _line(pdf, f"For the record: {line.description}. Not part of the total.")
    return bytes(pdf.output())
