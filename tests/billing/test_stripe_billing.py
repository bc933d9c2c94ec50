"""Stripe Billing as the collector of the platform's invoices, against localstripe and the billing
stand-in in front of it (see stripe_billing_standin): the customer made once per marketplace, the
card attached as its default (or refused), each invoice collected through one Stripe invoice with
our lines and our tax, retried on the same Stripe invoice; and the webhook endpoint: signed events
stored once, a payment recorded once, late or foreign events changing nothing.

localstripe's test cards, as PaymentMethod ids: `pm_card_visa` pays, `pm_card_visa_chargeDeclined`
is refused when attached, `pm_card_chargeCustomerFail` attaches and is declined when charged."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import stripe
from django.utils import timezone

from billing import invoices
from billing.dunning import dunning_run
from billing.models import (
    BillingAccount,
    BillingWebhookEvent,
    InvoiceCounter,
    Subscription,
    SubscriptionStatus,
    TenantInvoice,
    TenantInvoiceLine,
)
from billing.providers import provider_named
from billing.providers.base import BillingProviderError, InvalidBillingWebhook
from billing.services import next_period
from billing.webhooks import webhook_events_retry
from marketplace.common.errors import ValidationFailed
from marketplace.payments.gateways.stripe import CONFIRM_MESSAGE
from tests.billing.stripe_billing_standin import stripe_billing_standin
from tests.billing.test_dunning import _past_due_for, _snapshot, _subscription
from tests.payments.stripe_standin import localstripe_server, signed_event
from tests.processes import free_port

pytestmark = pytest.mark.django_db

API_KEY, SECRET = "sk_test_platform_billing", "whsec_test_platform_billing"
URL = "/api/v1/billing/webhooks/stripe/"
VISA, REFUSED_ON_ATTACH, DECLINED_ON_CHARGE = (
    "pm_card_visa",
    "pm_card_visa_chargeDeclined",
    "pm_card_chargeCustomerFail",
)


@pytest.fixture(scope="session")
def localstripe_url():
    with localstripe_server() as url:
        yield url


@pytest.fixture
def billing_settings(settings):
    settings.BILLING_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_BILLING_WEBHOOK_SECRET = SECRET
    settings.BILLING_TAX_RATE_BPS, settings.BILLING_TAX_LABEL = 2000, "VAT"
    return settings


@pytest.fixture
def stripe_billing(billing_settings, localstripe_url):
    """The billing stand-in in front of localstripe, and the provider pointed at it."""
    with stripe_billing_standin(localstripe_url) as standin:
        billing_settings.STRIPE_API_BASE = standin.url
        yield standin


def _localstripe(url: str):
    """A Stripe client straight to `url`, to see what it holds or to act as the payer would."""
    return stripe.StripeClient(API_KEY, base_addresses={"api": url}).v1


def _month_ended(tenant, put_on_plan) -> Subscription:
    """A self-service marketplace on a 10.00 USD plan whose paid month ended five minutes ago."""
    put_on_plan(tenant)
    end = timezone.now() - timedelta(minutes=5)
    Subscription.objects.filter(tenant=tenant).update(
        status=SubscriptionStatus.ACTIVE,
        collection="automatic",
        interval="month",
        current_period_start=end - timedelta(days=30),
        current_period_end=end,
    )
    return _subscription(tenant)


def _issued(subscription: Subscription) -> TenantInvoice:
    start, end = next_period(subscription, now=timezone.now())
    return invoices.period_invoice_issue(subscription, start=start, end=end)


def _declined_month(tenant, put_on_plan) -> TenantInvoice:
    """The month ended, the card was declined: past due, its invoice open with a Stripe invoice."""
    _month_ended(tenant, put_on_plan)
    invoices.card_save(tenant=tenant, token=DECLINED_ON_CHARGE)
    assert dunning_run() == {"invoiced": 1, "past_due": 1}
    return TenantInvoice.objects.get(tenant=tenant)


def _keys(standin, needle: str) -> list[tuple[str, str]]:
    return [(r.path, r.header("Idempotency-Key")) for r in standin.requests if r.method == "POST" and needle in r.path]


# --- customers and cards -------------------------------------------------------------------------


def test_each_marketplace_gets_one_customer_tagged_with_it(stripe_billing, localstripe_url, tenant_a, tenant_b):
    # when alpha saves a card twice and beta once
    invoices.card_save(tenant=tenant_a, token=VISA)
    alpha = invoices.card_save(tenant=tenant_a, token=VISA)
    beta = invoices.card_save(tenant=tenant_b, token=VISA)

    # then one customer each, made under a key of its own marketplace, saying whose it is
    made = stripe_billing.to("POST", "/v1/customers")
    assert [r.header("Idempotency-Key") for r in made] == [
        f"billing:{tenant_a.public_id}:customer",
        f"billing:{tenant_b.public_id}:customer",
    ]
    assert (made[0].form["name"], made[0].form["metadata[tenant]"]) == ("Alpha University", "alpha")
    on_stripe = _localstripe(localstripe_url)
    assert on_stripe.customers.retrieve(alpha.customer_ref).metadata.to_dict() == {
        "tenant": "alpha",
        "tenant_id": tenant_a.public_id,
    }
    assert on_stripe.customers.retrieve(beta.customer_ref).metadata["tenant"] == "beta"
    assert alpha.customer_ref != beta.customer_ref


def test_a_card_is_attached_and_becomes_the_customers_default(stripe_billing, localstripe_url, tenant_a, tenant_b):
    # when
    account = invoices.card_save(tenant=tenant_a, token=VISA)

    # then the card Stripe.js made is the customer's, and what the operator sees of it is kept
    assert (account.card_brand, account.card_last4, account.card_expires) == ("visa", "4242", "12/2030")
    assert account.payment_method_ref.startswith("pm_") and account.provider == "stripe"
    attached = stripe_billing.to("POST", f"/v1/payment_methods/{VISA}/attach")[0]
    assert attached.form == {"customer": account.customer_ref}
    on_stripe = _localstripe(localstripe_url)
    customer = on_stripe.customers.retrieve(account.customer_ref)
    assert customer.invoice_settings.default_payment_method == account.payment_method_ref
    assert on_stripe.payment_methods.retrieve(account.payment_method_ref).customer == account.customer_ref
    assert not BillingAccount.objects.filter(tenant=tenant_b).exists()


def test_a_card_refused_when_attached_is_not_saved_but_the_customer_is_kept_for_the_next_card(
    stripe_billing, localstripe_url, tenant_a
):
    # given
    on_stripe = _localstripe(localstripe_url)
    before = {c.id for c in on_stripe.customers.list({"limit": 100}).auto_paging_iter()}

    # when a card is refused, then another is saved
    with pytest.raises(ValidationFailed) as refused:
        invoices.card_save(tenant=tenant_a, token=REFUSED_ON_ATTACH)
    kept = BillingAccount.objects.get(tenant=tenant_a)
    account = invoices.card_save(tenant=tenant_a, token=VISA)

    # then the refusal says why, no card was kept, and the next card went to the same customer
    assert refused.value.fields == {"card": ["Your card was declined."]}
    assert kept.customer_ref and (kept.payment_method_ref, kept.card_last4) == ("", "")
    assert len(stripe_billing.to("POST", "/v1/customers")) == 1
    new = [c for c in on_stripe.customers.list({"limit": 100}).auto_paging_iter() if c.id not in before]
    assert [c.id for c in new] == [account.customer_ref] == [kept.customer_ref]
    assert account.card_last4 == "4242"


def test_a_card_number_is_never_sent_to_stripe(stripe_billing, tenant_a):
    # when
    with pytest.raises(ValidationFailed) as refused:
        invoices.card_save(tenant=tenant_a, token="4242 4242 4242 4242")

    # then
    assert refused.value.fields == {"card": ["Not a card made by Stripe.js."]}
    assert not [r for r in stripe_billing.requests if "payment_methods" in r.path]


def test_an_unreachable_stripe_is_a_provider_error(billing_settings, tenant_a):
    # given nothing listens there
    billing_settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"

    # when / then
    with pytest.raises(BillingProviderError) as failed:
        invoices.card_save(tenant=tenant_a, token=VISA)
    assert failed.value.status_code == 503
    assert not BillingAccount.objects.filter(tenant=tenant_a).exclude(customer_ref="").exists()


# --- collecting invoices -------------------------------------------------------------------------


def test_an_invoice_is_collected_through_one_stripe_invoice_with_our_lines_and_tax(
    stripe_billing, localstripe_url, tenant_a, tenant_b, put_on_plan
):
    # given alpha's month ended with a line listed for the record only, its card saved
    subscription = _month_ended(tenant_a, put_on_plan)
    account = invoices.card_save(tenant=tenant_a, token=VISA)
    invoice = _issued(subscription)
    plan_line = invoice.lines.get()
    TenantInvoiceLine.objects.create(
        invoice=invoice, kind="transaction_fees", description="Fees", amount=90, charged=False
    )
    beta_before = _snapshot(tenant_b)

    # when the operator pays it
    invoice = invoices.invoice_pay_now(invoice=invoice)

    # then one Stripe invoice, charged automatically when we say so, adds up to ours and is paid
    assert (invoice.status, invoice.subtotal, invoice.tax, invoice.total, invoice.attempts) == (
        "paid",
        1_000,
        200,
        1_200,
        1,
    )
    made = stripe_billing.find(invoice.provider_ref)
    assert invoice.payment_reference == invoice.provider_ref == made["id"]
    assert (made["customer"], made["collection_method"], made["auto_advance"]) == (
        account.customer_ref,
        "charge_automatically",
        False,
    )
    assert made["metadata"] == {"invoice": invoice.number, "tenant": "alpha", "tenant_id": tenant_a.public_id}
    assert [(line["description"], line["amount"]) for line in made["lines"]["data"]] == [
        (plan_line.description, 1_000),
        ("VAT 20%", 200),
    ]
    assert (made["status"], made["total"], made["amount_paid"], made["currency"]) == ("paid", 1_200, 1_200, "usd")
    # every call under a key of our invoice
    key = f"billing:invoice:{invoice.number}"
    assert _keys(stripe_billing, "invoice") == [
        ("/v1/invoices", f"{key}:create"),
        ("/v1/invoiceitems", f"{key}:line-{plan_line.pk}"),
        ("/v1/invoiceitems", f"{key}:tax"),
        (f"/v1/invoices/{made['id']}/finalize", f"{key}:finalize"),
        (f"/v1/invoices/{made['id']}/pay", f"{key}:pay:1"),
    ]
    intent = _localstripe(localstripe_url).payment_intents.retrieve(
        made["payments"]["data"][0]["payment"]["payment_intent"]
    )
    assert (intent.status, intent.amount, intent.customer, intent.payment_method) == (
        "succeeded",
        1_200,
        account.customer_ref,
        account.payment_method_ref,
    )
    assert _subscription(tenant_a).status == SubscriptionStatus.ACTIVE
    assert _snapshot(tenant_b) == beta_before


def test_a_declined_card_leaves_the_invoice_open_and_the_retry_pays_the_same_stripe_invoice(
    stripe_billing, tenant_a, tenant_b, put_on_plan
):
    # given alpha's card was declined when its month ended
    beta_before = _snapshot(tenant_b)
    invoice = _declined_month(tenant_a, put_on_plan)
    first = invoice.provider_ref
    assert (invoice.status, invoice.attempts, invoice.last_failure) == ("open", 1, "Your card was declined.")
    assert first.startswith("in_") and stripe_billing.find(first)["status"] == "open"
    assert "The card was refused: Your card was declined." in _subscription(tenant_a).events.last().reason

    # when the operator saves a good card and the retry of day 1 comes
    invoices.card_save(tenant=tenant_a, token=VISA)
    _past_due_for(tenant_a, days=1.1)
    assert dunning_run() == {"paid": 1}

    # then the same Stripe invoice was paid: no second one, each attempt under its own key
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts, invoice.provider_ref, invoice.payment_reference) == (
        "paid",
        2,
        first,
        first,
    )
    assert len(stripe_billing.to("POST", "/v1/invoices")) == 1
    key = f"billing:invoice:{invoice.number}"
    assert [k for k in _keys(stripe_billing, "/v1/invoices/") if k[0].endswith("/pay")] == [
        (f"/v1/invoices/{first}/pay", f"{key}:pay:1"),
        (f"/v1/invoices/{first}/pay", f"{key}:pay:2"),
    ]
    assert stripe_billing.find(first)["attempt_count"] == 2
    assert _subscription(tenant_a).status == SubscriptionStatus.ACTIVE
    assert _snapshot(tenant_b) == beta_before


def test_a_card_asking_for_authentication_is_a_failed_attempt(stripe_billing, localstripe_url, tenant_a, put_on_plan):
    # given a card whose bank wants 3-D Secure, which cannot be given off-session
    card = _localstripe(localstripe_url).payment_methods.create(
        {"type": "card", "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    invoice = _issued(_month_ended(tenant_a, put_on_plan))
    invoices.card_save(tenant=tenant_a, token=card.id)

    # when
    invoice = invoices.invoice_pay_now(invoice=invoice)

    # then
    assert (invoice.status, invoice.attempts, invoice.last_failure) == ("open", 1, CONFIRM_MESSAGE)
    assert stripe_billing.find(invoice.provider_ref)["status"] == "open"


def test_a_failing_stripe_is_a_provider_error_and_no_attempt_is_recorded(stripe_billing, tenant_a, put_on_plan):
    # given
    invoice = _issued(_month_ended(tenant_a, put_on_plan))
    invoices.card_save(tenant=tenant_a, token=VISA)
    stripe_billing.refuse("/v1/invoices", 500, {"type": "api_error", "message": "An unknown error occurred."})

    # when
    with pytest.raises(BillingProviderError):
        invoices.invoice_pay_now(invoice=invoice)

    # then tried twice under the same key, and our invoice is as it was
    tries = stripe_billing.to("POST", "/v1/invoices")
    assert [t.header("Idempotency-Key") for t in tries] == [f"billing:invoice:{invoice.number}:create"] * 2
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts, invoice.provider_ref, invoice.last_failure) == ("open", 0, "", "")


# --- webhooks ------------------------------------------------------------------------------------


def _deliver(api, event_type: str, obj: dict, *, at: int | None = None, secret: str = SECRET, signed: bool = True):
    payload, headers = signed_event(event_type, obj, secret=secret, at=at)
    extra = {"HTTP_STRIPE_SIGNATURE": headers["Stripe-Signature"]} if signed else {}
    return api.post(URL, data=payload, content_type="application/json", **extra)


def _stripe_invoice(invoice: TenantInvoice, *, customer: str, paid: bool = True, number: str = "") -> dict:
    """Our invoice as Stripe shows it in an event (for webhook tests that need no Stripe)."""
    return {
        "id": f"in_for_{invoice.number}",
        "object": "invoice",
        "customer": customer,
        "currency": "usd",
        "status": "paid" if paid else "open",
        "total": invoice.total,
        "amount_paid": invoice.total if paid else 0,
        "attempt_count": 1,
        "metadata": {"invoice": number or invoice.number, "tenant": invoice.tenant.schema_name},
    }


def _open_invoice(tenant, put_on_plan, *, customer: str) -> TenantInvoice:
    """A Stripe-billed marketplace (no card saved) whose month ended, with its next invoice open."""
    BillingAccount.objects.create(tenant=tenant, provider="stripe", customer_ref=customer)
    return _issued(_month_ended(tenant, put_on_plan))


def _next_number() -> str:
    year = timezone.now().year
    last = InvoiceCounter.objects.filter(series=f"PLT-{year}").values_list("last", flat=True).first() or 0
    return f"PLT-{year}-{last + 1:06d}"


def test_a_paid_event_pays_the_open_invoice_and_restores_a_past_due_marketplace(
    stripe_billing, api_platform, tenant_a, tenant_b, put_on_plan
):
    # given alpha is past due; its operator then pays Stripe's invoice on Stripe with another card
    invoice = _declined_month(tenant_a, put_on_plan)
    assert _subscription(tenant_a).status == SubscriptionStatus.PAST_DUE
    on_stripe = _localstripe(stripe_billing.url)  # through the stand-in, which holds the invoice
    customer = BillingAccount.objects.get(tenant=tenant_a).customer_ref
    card = on_stripe.payment_methods.attach(VISA, {"customer": customer})
    on_stripe.invoices.pay(invoice.provider_ref, {"payment_method": card.id})
    beta_before = _snapshot(tenant_b)

    # when Stripe says so
    answer = _deliver(api_platform, "invoice.paid", stripe_billing.find(invoice.provider_ref))

    # then
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "received": True,
        "duplicate": False,
        "outcome": f"{invoice.number} paid by {invoice.provider_ref}",
    }
    invoice.refresh_from_db()
    assert (invoice.status, invoice.payment_reference) == ("paid", invoice.provider_ref)
    subscription = _subscription(tenant_a)
    assert subscription.status == SubscriptionStatus.ACTIVE
    assert subscription.payments.get().reference == invoice.provider_ref
    assert BillingWebhookEvent.objects.get().processed_at is not None
    assert _snapshot(tenant_b) == beta_before


def test_a_repeated_event_is_processed_once(billing_settings, api_platform, tenant_a, put_on_plan):
    # given the payment of alpha's open invoice, delivered once
    invoice = _open_invoice(tenant_a, put_on_plan, customer="cus_alpha")
    payload, headers = signed_event("invoice.paid", _stripe_invoice(invoice, customer="cus_alpha"), secret=SECRET)
    first = api_platform.post(
        URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"]
    )
    stored = BillingWebhookEvent.objects.get()
    after_first = _snapshot(tenant_a)

    # when Stripe delivers it again
    again = api_platform.post(
        URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=headers["Stripe-Signature"]
    )

    # then acknowledged as a duplicate; nothing was processed again
    assert first.status_code == again.status_code == 200
    assert (first.json()["duplicate"], again.json()["duplicate"]) == (False, True)
    assert again.json()["outcome"] == first.json()["outcome"] == f"{invoice.number} paid by in_for_{invoice.number}"
    assert list(BillingWebhookEvent.objects.values_list("pk", "processed_at")) == [(stored.pk, stored.processed_at)]
    assert _snapshot(tenant_a) == after_first and after_first[0] == SubscriptionStatus.ACTIVE


@pytest.mark.parametrize(
    ("case", "delivery"),
    [
        ("another secret", {"secret": "whsec_someone_else"}),
        ("ten minutes old", {"at": int(time.time()) - 600}),
        ("no signature", {"signed": False}),
    ],
)
def test_an_event_not_signed_by_stripe_now_is_refused_and_nothing_is_stored(
    billing_settings, api_platform, tenant_a, put_on_plan, caplog, case, delivery
):
    # given
    invoice = _open_invoice(tenant_a, put_on_plan, customer="cus_alpha")
    before = _snapshot(tenant_a)

    # when
    answer = _deliver(api_platform, "invoice.paid", _stripe_invoice(invoice, customer="cus_alpha"), **delivery)

    # then
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_signature"
    assert answer.json()["error"]["message"].startswith("The event was refused: ")
    assert "refused a stripe billing webhook" in caplog.text
    assert not BillingWebhookEvent.objects.exists()
    assert _snapshot(tenant_a) == before and before[0] == SubscriptionStatus.ACTIVE


def test_an_event_about_a_customer_not_ours_is_refused_and_changes_nothing(
    billing_settings, api_platform, tenant_a, put_on_plan
):
    # given
    invoice = _open_invoice(tenant_a, put_on_plan, customer="cus_alpha")
    before = _snapshot(tenant_a)

    # when an event names alpha's invoice for a customer we do not have
    answer = _deliver(api_platform, "invoice.paid", _stripe_invoice(invoice, customer="cus_nobody"))

    # then
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "unknown_customer"
    assert list(BillingWebhookEvent.objects.values_list("outcome", flat=True)) == ["unknown customer"]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.payment_reference) == ("open", "")
    assert _snapshot(tenant_a) == before


def test_a_failure_arriving_after_the_payment_changes_nothing(billing_settings, api_platform, tenant_a, put_on_plan):
    # given alpha's invoice paid (the event of a minute ago)
    invoice = _open_invoice(tenant_a, put_on_plan, customer="cus_alpha")
    now = int(time.time())
    paid = _deliver(api_platform, "invoice.paid", _stripe_invoice(invoice, customer="cus_alpha"), at=now - 60)
    assert paid.status_code == 200
    before = _snapshot(tenant_a)

    # when the failure of an earlier attempt arrives late
    failed = _deliver(
        api_platform, "invoice.payment_failed", _stripe_invoice(invoice, customer="cus_alpha", paid=False), at=now - 120
    )

    # then
    assert failed.status_code == 200
    assert failed.json()["outcome"] == f"{invoice.number} is paid: the failure changes nothing"
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts, invoice.last_failure) == ("paid", 0, "")
    assert _snapshot(tenant_a) == before and before[0] == SubscriptionStatus.ACTIVE


def test_a_failure_of_an_attempt_not_ours_is_noted_on_the_open_invoice_only(
    billing_settings, api_platform, tenant_a, put_on_plan
):
    # given
    invoice = _open_invoice(tenant_a, put_on_plan, customer="cus_alpha")
    before = _snapshot(tenant_a)

    # when
    answer = _deliver(
        api_platform, "invoice.payment_failed", _stripe_invoice(invoice, customer="cus_alpha", paid=False)
    )

    # then the attempt is noted; what the subscription becomes is the dunning job's decision
    assert answer.status_code == 200
    invoice.refresh_from_db()
    assert (invoice.status, invoice.attempts) == ("open", 1)
    assert invoice.last_failure == "Stripe could not charge the card (attempt 1)."
    assert _snapshot(tenant_a) == before


def test_a_paid_event_for_a_payment_already_recorded_is_a_no_op(stripe_billing, api_platform, tenant_a, put_on_plan):
    # given alpha's invoice collected through Stripe
    invoice = _issued(_month_ended(tenant_a, put_on_plan))
    invoices.card_save(tenant=tenant_a, token=VISA)
    invoice = invoices.invoice_pay_now(invoice=invoice)
    before = _snapshot(tenant_a)

    # when Stripe's events about that payment arrive
    made = stripe_billing.find(invoice.provider_ref)
    answers = [_deliver(api_platform, kind, made) for kind in ("invoice.payment_succeeded", "invoice.paid")]

    # then both are recognised as the payment already recorded
    assert [a.status_code for a in answers] == [200, 200]
    assert {a.json()["outcome"] for a in answers} == {f"{invoice.number} already paid by {invoice.payment_reference}"}
    assert _snapshot(tenant_a) == before
    assert _subscription(tenant_a).payments.count() == 1


def test_events_about_betas_customer_never_touch_alpha(billing_settings, api_platform, tenant_a, tenant_b, put_on_plan):
    # given both marketplaces have an open invoice
    alpha_invoice = _open_invoice(tenant_a, put_on_plan, customer="cus_alpha")
    beta_invoice = _open_invoice(tenant_b, put_on_plan, customer="cus_beta")
    alpha_before = _snapshot(tenant_a)

    # when beta's customer pays an invoice naming alpha's number, then beta's own
    stray = _deliver(
        api_platform, "invoice.paid", _stripe_invoice(beta_invoice, customer="cus_beta", number=alpha_invoice.number)
    )
    own = _deliver(api_platform, "invoice.paid", _stripe_invoice(beta_invoice, customer="cus_beta"))

    # then alpha's number finds nothing among beta's invoices; beta's own is paid; alpha is untouched
    assert (stray.status_code, stray.json()["outcome"]) == (200, "unknown invoice")
    assert (own.status_code, own.json()["outcome"]) == (
        200,
        f"{beta_invoice.number} paid by in_for_{beta_invoice.number}",
    )
    assert TenantInvoice.objects.get(pk=beta_invoice.pk).status == "paid"
    assert TenantInvoice.objects.get(pk=alpha_invoice.pk).status == "open"
    assert _snapshot(tenant_a) == alpha_before


def test_an_event_about_an_invoice_not_committed_yet_is_kept_and_processed_by_the_retry(
    billing_settings, api_platform, tenant_a, put_on_plan
):
    # given alpha is billed through Stripe (no card saved), its month ended
    BillingAccount.objects.create(tenant=tenant_a, provider="stripe", customer_ref="cus_alpha")
    subscription = _month_ended(tenant_a, put_on_plan)
    number = _next_number()
    event = {
        "id": "in_early",
        "object": "invoice",
        "customer": "cus_alpha",
        "status": "paid",
        "amount_paid": 1_200,
        "metadata": {"invoice": number},
    }

    # when the payment's event comes before the invoice's row is there
    early = _deliver(api_platform, "invoice.paid", event)
    assert (early.status_code, early.json()["outcome"]) == (200, "unknown invoice")
    assert BillingWebhookEvent.objects.get().processed_at is None
    assert dunning_run() == {"invoiced": 1, "past_due": 1}
    assert webhook_events_retry() == {"processed": 1}

    # then the retry paid it, once
    invoice = TenantInvoice.objects.get(tenant=tenant_a)
    assert (invoice.number, invoice.status, invoice.payment_reference) == (number, "paid", "in_early")
    assert _subscription(tenant_a).status == SubscriptionStatus.ACTIVE
    assert BillingWebhookEvent.objects.get().outcome == f"{number} paid by in_early"
    assert webhook_events_retry() == {}
    assert subscription.pk == invoice.subscription_id


def test_an_event_stripe_sends_that_billing_does_not_act_on_is_kept_and_ignored(billing_settings, api_platform):
    # when
    answer = _deliver(api_platform, "invoice.finalized", {"id": "in_1", "object": "invoice", "customer": "cus_x"})

    # then
    assert (answer.status_code, answer.json()["outcome"]) == (200, "ignored")
    assert list(BillingWebhookEvent.objects.values_list("type", "outcome")) == [("invoice.finalized", "ignored")]


def test_a_provider_we_do_not_have_is_not_found_and_only_posts_are_taken(billing_settings, api_platform):
    # when
    unknown = api_platform.post("/api/v1/billing/webhooks/paypal/", data=b"{}", content_type="application/json")
    read = api_platform.get(URL)

    # then
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert read.status_code == 405
    assert not BillingWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    ("event_type", "kind", "reference", "amount", "failure"),
    [
        ("invoice.paid", "invoice_paid", "in_42", 1_200, ""),
        ("invoice.payment_succeeded", "invoice_paid", "in_42", 1_200, ""),
        ("invoice.payment_failed", "invoice_payment_failed", "", 0, "Stripe could not charge the card (attempt 2)."),
        ("invoice.finalized", "ignored", "", 0, ""),
    ],
)
def test_stripe_events_in_billings_words(billing_settings, event_type, kind, reference, amount, failure):
    # given
    at = int(time.time()) - 5
    obj = {
        "id": "in_42",
        "object": "invoice",
        "customer": "cus_1",
        "amount_paid": 1_200,
        "attempt_count": 2,
        "metadata": {"invoice": "PLT-2026-000042", "tenant": "alpha"},
    }
    payload, headers = signed_event(event_type, obj, secret=SECRET, at=at)

    # when
    event = provider_named("stripe").parse_webhook(
        payload=payload, headers={"stripe-signature": headers["Stripe-Signature"]}
    )

    # then
    assert (event.kind, event.type, event.event_id[:4]) == (kind, event_type, "evt_")
    assert (event.customer_ref, event.invoice_number, event.provider_invoice_ref) == (
        "cus_1",
        "PLT-2026-000042",
        "in_42",
    )
    assert (event.payment_reference, event.amount_paid, event.failure) == (reference, amount, failure)
    assert event.occurred_at == datetime.fromtimestamp(at, tz=UTC)


def test_without_a_signing_secret_every_event_is_refused(billing_settings):
    # given
    billing_settings.STRIPE_BILLING_WEBHOOK_SECRET = ""
    payload, headers = signed_event("invoice.paid", {"id": "in_1", "object": "invoice"}, secret="")

    # when / then
    with pytest.raises(InvalidBillingWebhook, match="STRIPE_BILLING_WEBHOOK_SECRET"):
        provider_named("stripe").parse_webhook(payload=payload, headers=headers)
