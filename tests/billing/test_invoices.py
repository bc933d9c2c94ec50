"""The platform's invoices to marketplaces: issued per period by the dunning job (plan price, tax on
top, transaction fees listed for the record), numbered without gaps, paid with the saved card or by
a recorded transfer, never paid twice; upgrades are invoiced and paid at once; PDFs; the API."""

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from billing import invoices
from billing.dunning import dunning_run
from billing.models import (
    InvoiceKind,
    InvoiceStatus,
    Plan,
    Subscription,
    SubscriptionPayment,
    SubscriptionStatus,
    TenantInvoice,
)
from billing.pdf import invoice_pdf
from billing.services import subscription_change, subscription_payment_record
from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.payments.escrow import escrow_capture, escrow_release
from tenants.context import tenant_context
from tests.billing.test_dunning import _past_due_for, _snapshot, _subscription, staff  # noqa: F401 - fixture
from tests.bookings.test_booking_api import _auth
from tests.invoicing.test_pdf import page_text
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db

GOOD, DECLINED = "4242 4242 4242 4242", "4000 0000 0000 0002"


def _period_ended(tenant, *, plan: str = "growth", status: str = "active", ago=timedelta(minutes=1)) -> None:
    """A self-service marketplace on `plan` whose month ended `ago`."""
    end = timezone.now() - ago
    Subscription.objects.filter(tenant=tenant).update(
        plan_version=Plan.objects.get(code=plan).current_version,
        interval="month",
        status=status,
        collection="automatic",
        current_period_start=end - timedelta(days=30),
        current_period_end=end,
    )


def _active_mid_period(tenant, *, plan: str = "starter") -> None:
    now = timezone.now()
    Subscription.objects.filter(tenant=tenant).update(
        plan_version=Plan.objects.get(code=plan).current_version,
        interval="month",
        status="active",
        collection="automatic",
        current_period_start=now - timedelta(days=15),
        current_period_end=now + timedelta(days=15),
    )


def test_a_period_invoice_charges_the_plan_with_tax_and_lists_the_fees_already_taken(tenant_a, tenant_b, settings):
    # given 20 % VAT, alpha's Growth month ended with one released booking, its card saved
    settings.BILLING_TAX_RATE_BPS, settings.BILLING_TAX_LABEL = 2000, "VAT"
    booking = make_booking(tenant_a)
    with tenant_context(tenant_a):
        escrow_capture(booking=booking, amount=10_000, key="cap")
        escrow_release(booking=booking, amount=10_000, key="rel")
    time.sleep(0.01)
    _period_ended(tenant_a, ago=timedelta(milliseconds=5))
    fee = 10_000 * booking.platform_fee_bps // 10_000
    invoices.card_save(tenant=tenant_a, token=GOOD)
    beta_before = _snapshot(tenant_b)

    # when the job runs
    assert dunning_run() == {"invoiced": 1, "paid": 1}

    # then one invoice: Growth's price + 20 % VAT, paid by the card; the fee listed but not charged
    invoice = TenantInvoice.objects.get(tenant=tenant_a)
    assert (invoice.kind, invoice.status, invoice.plan_name) == (InvoiceKind.PERIOD, InvoiceStatus.PAID, "Growth")
    assert (invoice.subtotal, invoice.tax, invoice.total) == (14_900, 2_980, 17_880)
    assert invoice.fees_collected == fee > 0
    assert [(line.kind, line.amount, line.charged) for line in invoice.lines.all()] == [
        ("plan", 14_900, True),
        ("transaction_fees", fee, False),
    ]
    assert invoice.number == f"PLT-{timezone.now().year}-000001"
    assert invoice.payment_reference.startswith("lpy_") and invoice.attempts == 1
    # and the subscription paid the next month from where the last one ended
    subscription = _subscription(tenant_a)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert (subscription.current_period_start, subscription.current_period_end) == (
        invoice.period_start,
        invoice.period_end,
    )
    assert SubscriptionPayment.objects.get(invoice=invoice).amount == 17_880
    assert dunning_run() == {}
    assert _snapshot(tenant_b) == beta_before


def test_a_refused_card_leaves_the_invoice_open_and_the_retry_on_a_reminder_day_pays_it(tenant_a):
    # given alpha's card is declined when its month ends
    _period_ended(tenant_a)
    invoices.card_save(tenant=tenant_a, token=DECLINED)
    assert dunning_run() == {"invoiced": 1, "past_due": 1}
    invoice = TenantInvoice.objects.get(tenant=tenant_a)
    assert (invoice.status, invoice.attempts, invoice.last_failure) == ("open", 1, "Your card was declined.")
    assert "The card was refused: Your card was declined." in _subscription(tenant_a).events.last().reason

    # when the operator saves a good card and the retry of day 1 comes
    invoices.card_save(tenant=tenant_a, token=GOOD)
    _past_due_for(tenant_a, days=1.1)
    assert dunning_run() == {"paid": 1}

    # then the same invoice is paid (no second one) and alpha is active again
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts) == ("paid", 2)
    assert TenantInvoice.objects.filter(tenant=tenant_a).count() == 1
    assert _subscription(tenant_a).status == SubscriptionStatus.ACTIVE


def test_an_invoice_is_paid_once(tenant_a, tenant_b, staff):  # noqa: F811 - fixture
    # given alpha past due with an open invoice
    _period_ended(tenant_a)
    dunning_run()
    invoice = TenantInvoice.objects.get(tenant=tenant_a)

    # when a transfer is recorded, recorded again, then the card tries to pay it too
    payment = subscription_payment_record(actor=staff, tenant=tenant_a, amount=invoice.total, reference="bank-1")
    again = invoices.invoice_pay(invoice, reference="bank-1")
    invoices.card_save(tenant=tenant_a, token=GOOD)
    with pytest.raises(Conflict) as twice:
        invoices.invoice_pay_now(invoice=invoice)
    with pytest.raises(Conflict) as other_reference:
        invoices.invoice_pay(invoice, reference="bank-2")

    # then one payment, the invoice paid by bank-1, both second attempts 409
    assert payment.invoice_id == invoice.pk and again.payment_reference == "bank-1"
    assert twice.value.code == other_reference.value.code == "invoice_already_paid"
    assert SubscriptionPayment.objects.filter(subscription__tenant=tenant_a).count() == 1
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts) == ("paid", 0)


def test_paying_less_than_the_invoice_changes_nothing(tenant_a, staff):  # noqa: F811 - fixture
    _period_ended(tenant_a)
    dunning_run()
    invoice = TenantInvoice.objects.get(tenant=tenant_a)
    before = _snapshot(tenant_a)

    with pytest.raises(ValidationFailed) as short:
        invoices.invoice_pay(invoice, reference="short", amount=invoice.total - 1)

    assert short.value.code == "amount_too_low"
    assert _snapshot(tenant_a) == before


def test_a_suspended_marketplace_that_pays_gets_a_period_from_now(tenant_a, staff):  # noqa: F811 - fixture
    # given alpha was suspended for not paying
    _period_ended(tenant_a)
    dunning_run()
    _past_due_for(tenant_a, days=8)
    assert dunning_run() == {"suspended": 1}
    invoice = TenantInvoice.objects.get(tenant=tenant_a)

    # when the operator saves a card and pays the open invoice
    invoices.card_save(tenant=tenant_a, token=GOOD)
    before = timezone.now()
    invoices.invoice_pay_now(invoice=invoice)

    # then it is active and the paid month starts now (the days offline are not charged)
    subscription = _subscription(tenant_a)
    invoice.refresh_from_db()
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.tenant.status == "active"
    assert invoice.period_start >= before and subscription.current_period_start == invoice.period_start


def test_invoice_numbers_have_no_gaps_when_issuing_rolls_back(tenant_a, tenant_b):
    _period_ended(tenant_a)
    _period_ended(tenant_b)
    with pytest.raises(RuntimeError), transaction.atomic():
        invoices.period_invoice_issue(
            _subscription(tenant_a), start=timezone.now(), end=timezone.now() + timedelta(days=30)
        )
        raise RuntimeError("rolled back")

    dunning_run()

    year = timezone.now().year
    assert sorted(TenantInvoice.objects.values_list("number", flat=True)) == [
        f"PLT-{year}-000001",
        f"PLT-{year}-000002",
    ]


def test_an_upgrade_is_invoiced_and_paid_with_the_saved_card_at_once(tenant_a, tenant_b):
    # given alpha on Starter, half-way through a paid month, with a card
    _active_mid_period(tenant_a)
    invoices.card_save(tenant=tenant_a, token=GOOD)
    beta_before = _snapshot(tenant_b)

    # when it upgrades to Growth
    subscription = subscription_change(actor=None, subscription=_subscription(tenant_a), plan_code="growth")

    # then it is on Growth now, and paid about half the difference (10,000 cents a month)
    assert subscription.plan_version.plan.code == "growth"
    invoice = TenantInvoice.objects.get(tenant=tenant_a)
    assert (invoice.kind, invoice.status) == (InvoiceKind.UPGRADE, InvoiceStatus.PAID)
    assert 4_990 <= invoice.total <= 5_000
    assert "Upgrade from Starter to Growth" in invoice.lines.get().description
    assert subscription.events.last().data["invoice"] == invoice.number
    assert _snapshot(tenant_b) == beta_before


def test_an_upgrade_whose_payment_fails_does_not_happen(tenant_a):
    # given alpha on Starter mid-month with a card that is declined, then with no card at all
    _active_mid_period(tenant_a)
    before = _snapshot(tenant_a)

    with pytest.raises(ValidationFailed) as no_card:
        subscription_change(actor=None, subscription=_subscription(tenant_a), plan_code="growth")
    invoices.card_save(tenant=tenant_a, token=DECLINED)
    with pytest.raises(ValidationFailed) as declined:
        subscription_change(actor=None, subscription=_subscription(tenant_a), plan_code="growth")

    # then 402 saying why, still on Starter, no invoice left behind (and no number burned)
    assert (no_card.value.status_code, no_card.value.code) == (402, "payment_failed")
    assert "Your card was declined." in declined.value.message
    assert _snapshot(tenant_a) == before
    assert not TenantInvoice.objects.exists()


def test_the_invoice_pdf_shows_number_lines_tax_and_total(tenant_a, settings):
    settings.BILLING_TAX_RATE_BPS = 2000
    _period_ended(tenant_a)
    dunning_run()
    invoice = TenantInvoice.objects.get(tenant=tenant_a)

    text = page_text(invoice_pdf(invoice))

    assert invoice.number in text and "Alpha University" in text
    assert "Growth, monthly" in text and "VAT 20%" in text
    assert "178.80" in text and "Total due" in text


# --- API ----------------------------------------------------------------------------------------------


def test_admins_list_pay_and_download_their_own_invoices_only(api_a, api_b, tenant_a, tenant_b):
    _period_ended(tenant_a)
    _period_ended(tenant_b)
    dunning_run()
    alpha_invoice = TenantInvoice.objects.get(tenant=tenant_a)
    beta_invoice = TenantInvoice.objects.get(tenant=tenant_b)
    auth = _auth(api_a, "admin@alpha.test")

    listed = api_a.get("/api/v1/billing/invoices/", **auth).json()
    other = api_a.get(f"/api/v1/billing/invoices/{beta_invoice.public_id}/", **auth)
    pay_other = api_a.post(f"/api/v1/billing/invoices/{beta_invoice.public_id}/pay/", **auth)
    no_card = api_a.post(f"/api/v1/billing/invoices/{alpha_invoice.public_id}/pay/", **auth)
    bad_card = api_a.post("/api/v1/billing/payment-method/", {"card": "1234"}, format="json", **auth)
    declined_card = api_a.post("/api/v1/billing/payment-method/", {"card": DECLINED}, format="json", **auth)
    declined = api_a.post(f"/api/v1/billing/invoices/{alpha_invoice.public_id}/pay/", **auth)
    good_card = api_a.post("/api/v1/billing/payment-method/", {"card": GOOD}, format="json", **auth)
    paid = api_a.post(f"/api/v1/billing/invoices/{alpha_invoice.public_id}/pay/", **auth)
    paid_again = api_a.post(f"/api/v1/billing/invoices/{alpha_invoice.public_id}/pay/", **auth)
    pdf = api_a.get(f"/api/v1/billing/invoices/{alpha_invoice.public_id}/pdf/", **auth)
    overview = api_a.get("/api/v1/billing/", **auth).json()

    assert [invoice["number"] for invoice in listed] == [alpha_invoice.number]
    assert other.status_code == pay_other.status_code == 404
    assert (no_card.status_code, no_card.json()["error"]["code"]) == (402, "payment_failed")
    assert bad_card.status_code == 400 and "card" in bad_card.json()["error"]["fields"]
    assert declined_card.status_code == 200  # saved; it is refused when charged
    assert (declined.status_code, declined.json()["error"]["fields"]) == (
        402,
        {"payment_method": ["Your card was declined."]},
    )
    assert good_card.json() == {"provider": "local", "brand": "visa", "last4": "4242", "expires": "12/2030"}
    assert (paid.status_code, paid.json()["status"], paid.json()["attempts"]) == (200, "paid", 2)
    assert (paid_again.status_code, paid_again.json()["error"]["code"]) == (409, "invoice_already_paid")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert overview["status"] == "active" and overview["payment_method"]["last4"] == "4242"
    beta_invoice.refresh_from_db()
    assert (beta_invoice.status, beta_invoice.attempts) == ("open", 0)


def test_admins_change_plan_from_their_marketplace(api_a, tenant_a, tenant_b):
    _active_mid_period(tenant_a)
    auth = _auth(api_a, "admin@alpha.test")

    unknown = api_a.post("/api/v1/billing/change/", {"plan": "platinum"}, format="json", **auth)
    unpaid = api_a.post("/api/v1/billing/change/", {"plan": "growth"}, format="json", **auth)
    api_a.post("/api/v1/billing/payment-method/", {"card": GOOD}, format="json", **auth)
    upgraded = api_a.post("/api/v1/billing/change/", {"plan": "growth"}, format="json", **auth)

    assert unknown.status_code == 400 and "plan" in unknown.json()["error"]["fields"]
    assert unpaid.status_code == 402
    assert (upgraded.status_code, upgraded.json()["plan"]) == (200, "growth")
    assert _subscription(tenant_b).plan_version.plan.code == "enterprise"


def test_members_who_are_not_admins_cannot_pay_or_change_plans(api_a, tenant_a):
    from tests.factories import UserFactory

    with tenant_context(tenant_a):
        UserFactory(email="member@example.org")
    auth = _auth(api_a, "member@example.org")

    assert api_a.get("/api/v1/billing/invoices/", **auth).status_code == 403
    assert api_a.post("/api/v1/billing/payment-method/", {"card": GOOD}, format="json", **auth).status_code == 403
    assert api_a.post("/api/v1/billing/change/", {"plan": "growth"}, format="json", **auth).status_code == 403


def test_a_past_due_marketplace_pays_before_changing_plans(tenant_a):
    # given alpha's month ended unpaid
    _period_ended(tenant_a, plan="starter")
    dunning_run()
    invoices.card_save(tenant=tenant_a, token=GOOD)
    before = _snapshot(tenant_a)

    with pytest.raises(Conflict) as refused:
        subscription_change(actor=None, subscription=_subscription(tenant_a), plan_code="growth")

    # then no free upgrade over the unpaid period: 409, nothing changed
    assert (refused.value.status_code, refused.value.code) == (409, "payment_due")
    assert _snapshot(tenant_a) == before


def test_an_invoice_of_nothing_is_paid_without_a_card(tenant_a):
    # given alpha mid-period with no card, and an upgrade priced at nothing (the period's last second)
    _active_mid_period(tenant_a)
    subscription = _subscription(tenant_a)

    with transaction.atomic():
        invoice = invoices.invoice_collect(invoices.upgrade_invoice_issue(subscription, amount=0, old_name="Starter"))

    assert (invoice.status, invoice.total, invoice.attempts) == ("paid", 0, 0)
    assert invoice.payment_reference == f"free-{invoice.number}"
    assert invoices.invoice_collect(invoice).status == "paid"  # collecting a paid invoice changes nothing


def test_voiding_takes_an_open_invoice_out_of_play_and_leaves_a_paid_one(tenant_a, staff):  # noqa: F811 - fixture
    _period_ended(tenant_a)
    dunning_run()
    invoice = TenantInvoice.objects.get(tenant=tenant_a)

    voided = invoices.invoice_void(invoice, reason="Issued twice by mistake.")
    with pytest.raises(Conflict) as pay_void:
        invoices.invoice_pay(voided, reference="late-transfer")

    assert (voided.status, voided.last_failure) == ("void", "Issued twice by mistake.") and voided.voided_at
    assert pay_void.value.code == "invoice_void"
    assert invoices.open_period_invoice(_subscription(tenant_a)) is None
