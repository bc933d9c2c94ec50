"""PDF copy of a platform invoice, drawn from the stored invoice (amounts never change once issued)."""

from __future__ import annotations

from django.conf import settings

from billing.models import TenantInvoice
from marketplace.invoicing.pdf import pdf_line, pdf_money, pdf_row, pdf_start
from marketplace.invoicing.tax import rate_text


def invoice_pdf(invoice: TenantInvoice) -> bytes:
    pdf = pdf_start(issuer=settings.PLATFORM_NAME, title=f"Invoice {invoice.number}", at=invoice.issued_at)
    pdf_line(pdf, f"Date: {invoice.issued_at:%Y-%m-%d}    Due: {invoice.due_at:%Y-%m-%d}")
    pdf_line(pdf, f"Bill to: {invoice.bill_to_name}" + (f" <{invoice.bill_to_email}>" if invoice.bill_to_email else ""))
    pdf_line(pdf, f"Plan: {invoice.plan_name}, {invoice.interval}ly")
    pdf.ln(6)
    money = pdf_money(invoice.currency)
    lines = list(invoice.lines.all())
    for line in (line for line in lines if line.charged):
        pdf_row(pdf, line.description, money(line.amount))
    pdf.ln(3)
    pdf_row(pdf, "Net", money(invoice.subtotal))
    pdf_row(pdf, f"{invoice.tax_label} {rate_text(invoice.tax_rate_bps)}", money(invoice.tax))
    pdf_row(pdf, "Total due" if invoice.status != "paid" else "Total paid", money(invoice.total), bold=True)
    if invoice.status == "paid":
        pdf_line(pdf, f"Paid on {invoice.paid_at:%Y-%m-%d} (ref. {invoice.payment_reference}).")
    elif invoice.status == "void":
        pdf_line(pdf, "This invoice is void.")
    for line in (line for line in lines if not line.charged):
        pdf.ln(3)
        pdf_line(pdf, f"For the record: {line.description}. Not part of the total.")
    return bytes(pdf.output())
