"""The platform's invoices to marketplaces: issued, collected through the marketplace's billing
provider, paid.

- A **period invoice** is issued when a subscription's period (or trial) ends, for the next period
  at the price of the plan it moves to (a downgrade waiting for the period's end applies first). It
  also lists the transaction fees the platform took from the ended period's released bookings: those
  were collected at release, so they are shown for the record and are part of no total.
- An **upgrade invoice** is the prorated price of an upgrade during a paid period (proration.py),
  collected at once: a self-service marketplace's upgrade only happens when its card pays it.

Tax is added on top of the net at BILLING_TAX_RATE_BPS (rounded half up). Numbers run per calendar
year without gaps (PLT-2026-000001…): drawn inside the issuing transaction from a locked counter row,
so a rollback burns none. Paying marks the invoice paid (idempotent by the payment's reference) and,
for a period invoice, pays the period: the subscription becomes active at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from billing.models import (
    BillingAccount,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLineKind,
    InvoiceStatus,
    Subscription,
    SubscriptionPayment,
    TenantInvoice,
    TenantInvoiceLine,
)
from billing.providers import default_provider_name, provider_named
from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.common.money import Money
from tenants.context import tenant_context
from tenants.models import Tenant

BPS = 10_000


class InvoiceAlreadyPaid(Conflict):
    code = "invoice_already_paid"


class PaymentFailed(ValidationFailed):
    status_code = 402
    code = "payment_failed"


# --- numbers and tax --------------------------------------------------------------------------------


def number_draw(*, year: int) -> str:
    """The next invoice number of `year`, e.g. PLT-2026-000042 (inside the issuing transaction)."""
    series = f"PLT-{year}"
    last = _increment(series)
    if last is None:
        InvoiceCounter.objects.bulk_create([InvoiceCounter(series=series)], ignore_conflicts=True)
        last = _increment(series)
    return f"{series}-{last:06d}"


def _increment(series: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {InvoiceCounter._meta.db_table} SET last = last + 1 WHERE series = %s RETURNING last", [series]
        )
        row = cursor.fetchone()
    return row[0] if row else None


def tax_on(net: int, *, rate_bps: int) -> int:
    """Tax added to `net` minor units at `rate_bps`, rounded half up."""
    return (2 * net * rate_bps + BPS) // (2 * BPS)


# --- accounts ---------------------------------------------------------------------------------------


def account_for(tenant: Tenant) -> BillingAccount:
    """The marketplace's billing account (made on first use, with the platform's provider)."""
    account, _ = BillingAccount.objects.select_related("tenant").get_or_create(
        tenant=tenant, defaults={"provider": default_provider_name()}
    )
    return account


def _bill_to(tenant: Tenant) -> tuple[str, str]:
    from billing.emails import billing_contact

    return tenant.name, billing_contact(tenant) or ""


def card_save(*, tenant: Tenant, token: str) -> BillingAccount:
    """Make a card the marketplace's payment method (see the provider for what `token` is). The
    provider's customer is made and kept first, in its own transaction, so a refused card does not
    lose it. Open invoices are not charged here: paying one is its own request."""
    if not isinstance(token, str) or not token.strip():
        raise ValidationFailed("Give the card to save.", fields={"card": ["Required."]})
    with transaction.atomic():
        account = _account_locked(tenant)
        if not account.customer_ref:
            name, email = _bill_to(tenant)
            provider = provider_named(account.provider)
            account.customer_ref = provider.customer_ensure(account=account, name=name, email=account.email or email)
            account.save(update_fields=["customer_ref", "updated_at"])
    with transaction.atomic():
        account = _account_locked(tenant)
        card = provider_named(account.provider).card_attach(account=account, token=token.strip())
        account.payment_method_ref, account.card_brand = card.ref, card.brand
        account.card_last4, account.card_expires = card.last4, card.expires
        account.save()
    return account


def _account_locked(tenant: Tenant) -> BillingAccount:
    return BillingAccount.objects.select_for_update().select_related("tenant").get(pk=account_for(tenant).pk)


# --- issuing ----------------------------------------------------------------------------------------


def _issue(
    subscription: Subscription,
    *,
    kind: str,
    version,
    interval: str,
    start: datetime,
    end: datetime,
    lines: list[TenantInvoiceLine],
) -> TenantInvoice:
    """Number, tax and store an invoice. Contract (invoiced) marketplaces have
    BILLING_INVOICE_TERMS_DAYS to pay; self-service ones are charged when it is issued."""
    now = timezone.now()
    invoiced = subscription.collection == "invoiced"
    due_at = now + timedelta(days=settings.BILLING_INVOICE_TERMS_DAYS if invoiced else 0)
    account = account_for(subscription.tenant)
    subtotal = sum(line.amount for line in lines if line.charged)
    fees = sum(line.amount for line in lines if not line.charged)
    rate = settings.BILLING_TAX_RATE_BPS
    tax = tax_on(subtotal, rate_bps=rate)
    name, email = _bill_to(subscription.tenant)
    invoice = TenantInvoice.objects.create(
        number=number_draw(year=now.year),
        tenant=subscription.tenant,
        subscription=subscription,
        kind=kind,
        provider=account.provider,
        plan_version=version,
        interval=interval,
        period_start=start,
        period_end=end,
        currency=version.currency,
        subtotal=subtotal,
        tax_rate_bps=rate,
        tax_label=settings.BILLING_TAX_LABEL,
        tax=tax,
        total=subtotal + tax,
        fees_collected=fees,
        issued_at=now,
        due_at=due_at,
        bill_to_name=name,
        bill_to_email=account.email or email,
        plan_name=version.plan.name,
    )
    for line in lines:
        line.invoice = invoice
    TenantInvoiceLine.objects.bulk_create(lines)
    return invoice


def period_invoice_issue(subscription: Subscription, *, start: datetime, end: datetime) -> TenantInvoice:
    """The invoice for [start, end) of a locked subscription; the one already issued when there is
    one (open or paid), so the job can run twice."""
    existing = (
        TenantInvoice.objects.filter(subscription=subscription, kind=InvoiceKind.PERIOD)
        .exclude(status=InvoiceStatus.VOID)
        .filter(period_start=start)
        .first()
    )
    if existing is not None:
        return existing
    version = subscription.scheduled_version or subscription.plan_version
    interval = subscription.scheduled_interval or subscription.interval
    price = version.price(interval)
    lines = [
        TenantInvoiceLine(
            kind=InvoiceLineKind.PLAN,
            description=f"{version.plan.name}, {interval}ly: {start:%Y-%m-%d} to {end:%Y-%m-%d}",
            amount=price.amount,
        )
    ]
    fees = _fees_collected(subscription, currency=price.currency)
    if fees:
        lines.append(fees)
    return _issue(
        subscription, kind=InvoiceKind.PERIOD, version=version, interval=interval, start=start, end=end, lines=lines
    )


def _fees_collected(subscription: Subscription, *, currency: str) -> TenantInvoiceLine | None:
    """The platform fees the ledger took during the subscription's current period (released
    bookings), as a line for the record; None when there were none."""
    from marketplace.configuration.selectors import marketplace_settings
    from marketplace.payments.selectors import money_totals

    start, end = subscription.current_period_start, subscription.current_period_end
    with tenant_context(subscription.tenant):
        market_currency = marketplace_settings().currency
        fee = money_totals(currency=market_currency, since=start, until=end)["platform_fee"]
    if not fee:
        return None
    shown = Money(fee, market_currency).format()
    return TenantInvoiceLine(
        kind=InvoiceLineKind.TRANSACTION_FEES,
        description=f"Transaction fees taken from released bookings, {start:%Y-%m-%d} to {end:%Y-%m-%d}: "
        f"{shown} (already collected)",
        amount=fee if market_currency == currency else 0,
        charged=False,
    )


def upgrade_invoice_issue(subscription: Subscription, *, amount: int, old_name: str) -> TenantInvoice:
    """The prorated price of an upgrade that has just been applied to a locked subscription."""
    version = subscription.plan_version
    now = timezone.now()
    line = TenantInvoiceLine(
        kind=InvoiceLineKind.PRORATION,
        description=f"Upgrade from {old_name} to {version.plan.name}, {subscription.interval}ly: "
        f"{now:%Y-%m-%d} to {subscription.current_period_end:%Y-%m-%d}",
        amount=amount,
    )
    return _issue(
        subscription,
        kind=InvoiceKind.UPGRADE,
        version=version,
        interval=subscription.interval,
        start=now,
        end=subscription.current_period_end,
        lines=[line],
    )


# --- collecting and paying --------------------------------------------------------------------------


def invoice_locked(invoice: TenantInvoice) -> TenantInvoice:
    return TenantInvoice.objects.select_for_update().get(pk=invoice.pk)


def invoice_collect(invoice: TenantInvoice) -> TenantInvoice:
    """One attempt to charge the marketplace's saved payment method for an open invoice (inside the
    caller's transaction; the subscription is locked by the caller). Paid → `invoice_pay`; refused →
    the attempt and its reason are kept on the invoice."""
    invoice = invoice_locked(invoice)
    if invoice.status != InvoiceStatus.OPEN:
        return invoice
    if invoice.total == 0:  # nothing to charge (e.g. an upgrade at the very end of a period)
        return invoice_pay(invoice, reference=f"free-{invoice.number}")
    account = account_for(invoice.tenant)
    provider = provider_named(account.provider)
    outcome = provider.invoice_collect(account=account, invoice=invoice, lines=list(invoice.lines.all()))
    invoice.attempts += 1
    invoice.last_attempt_at = timezone.now()
    invoice.last_failure = "" if outcome.paid else outcome.failure[:255]
    if outcome.provider_ref and not invoice.provider_ref:
        invoice.provider_ref = outcome.provider_ref
    invoice.save(update_fields=["attempts", "last_attempt_at", "last_failure", "provider_ref", "updated_at"])
    if outcome.paid:
        return invoice_pay(invoice, reference=outcome.reference)
    return invoice


def invoice_pay(
    invoice: TenantInvoice, *, reference: str, actor=None, amount: int | None = None, paid_at: datetime | None = None
) -> TenantInvoice:
    """Mark an invoice paid by the payment `reference` (idempotent: the same reference again changes
    nothing); a period invoice then pays its period (see `services.period_paid`). 409 when it was
    paid by another payment or is void; 400 when `amount` is less than its total."""
    from billing.services import period_paid

    with transaction.atomic():
        invoice = invoice_locked(invoice)
        if invoice.status == InvoiceStatus.PAID:
            if invoice.payment_reference == reference:
                return invoice
            raise InvoiceAlreadyPaid(
                f"Invoice {invoice.number} was paid on {invoice.paid_at:%Y-%m-%d} (ref. {invoice.payment_reference}).",
                fields={"invoice": [f"{invoice.number} is paid."]},
            )
        if invoice.status == InvoiceStatus.VOID:
            raise Conflict(f"Invoice {invoice.number} is void.", code="invoice_void")
        if amount is not None and amount < invoice.total:
            due = invoice.amount_due()
            raise ValidationFailed(
                f"{due.format()} is due on invoice {invoice.number}; a payment of at least that is needed.",
                code="amount_too_low",
                fields={"amount": [f"At least {due.amount} (minor units of {due.currency})."]},
            )
        if TenantInvoice.objects.filter(payment_reference=reference).exclude(pk=invoice.pk).exists():
            raise Conflict(
                f"The reference {reference} was recorded for another invoice.",
                code="payment_reference_used",
                fields={"reference": ["Already recorded for another invoice."]},
            )
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, paid_at or timezone.now()
        invoice.payment_reference = reference
        invoice.save(update_fields=["status", "paid_at", "payment_reference", "updated_at"])
        if invoice.kind == InvoiceKind.PERIOD and invoice.subscription_id:
            period_paid(invoice, actor=actor, amount=invoice.total if amount is None else amount)
        else:
            SubscriptionPayment.objects.create(
                subscription_id=invoice.subscription_id,
                reference=reference,
                amount=invoice.total if amount is None else amount,
                currency=invoice.currency,
                plan_version=invoice.plan_version,
                interval=invoice.interval,
                period_start=invoice.period_start,
                period_end=invoice.period_end,
                recorded_by=actor if getattr(actor, "pk", None) else None,
                invoice=invoice,
            )
    return invoice


def invoice_void(invoice: TenantInvoice, *, reason: str) -> TenantInvoice:
    invoice = invoice_locked(invoice)
    if invoice.status == InvoiceStatus.OPEN:
        invoice.status, invoice.voided_at = InvoiceStatus.VOID, timezone.now()
        invoice.last_failure = reason[:255]
        invoice.save(update_fields=["status", "voided_at", "last_failure", "updated_at"])
    return invoice


def open_period_invoice(subscription: Subscription) -> TenantInvoice | None:
    return (
        TenantInvoice.objects.filter(subscription=subscription, kind=InvoiceKind.PERIOD, status=InvoiceStatus.OPEN)
        .order_by("period_start")
        .first()
    )


@transaction.atomic
def invoice_pay_now(*, invoice: TenantInvoice) -> TenantInvoice:
    """The operator pays an open invoice with the saved card; the invoice comes back open with
    `last_failure` when the card is refused (the attempt is kept, so the caller answers 402 after
    this commits). 409 when the invoice is paid or void already."""
    from billing.services import subscription_locked

    if invoice.subscription_id:
        subscription_locked(invoice.subscription)  # one payment of a subscription at a time
    invoice = invoice_locked(invoice)
    if invoice.status == InvoiceStatus.PAID:
        raise InvoiceAlreadyPaid(
            f"Invoice {invoice.number} was paid on {invoice.paid_at:%Y-%m-%d}.",
            fields={"invoice": [f"{invoice.number} is paid."]},
        )
    if invoice.status == InvoiceStatus.VOID:
        raise Conflict(f"Invoice {invoice.number} is void.", code="invoice_void")
    if not account_for(invoice.tenant).has_payment_method:
        raise PaymentFailed("Save a card first.", fields={"payment_method": ["No card is saved."]})
    return invoice_collect(invoice)  # refused: returned open with the attempt kept; the caller answers 402
