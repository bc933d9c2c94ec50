"""The Stripe gateway against Stripe stand-ins on 127.0.0.1 (see `stripe_standin`): payments and
refunds against localstripe, Connect (payee accounts, transfers, reversals, payouts) and
reconciliation lists against the recording stand-in, webhooks signed the way Stripe signs them.

localstripe's test cards, as PaymentMethod ids it turns into cards when they are used:
- `pm_card_visa` (4242 4242 4242 4242) — succeeds;
- `pm_card_chargeCustomerFail` (4000 0000 0000 0341) — declined when charged ("Your card was
  declined.", a 402 card_declined). Its `pm_card_visa_chargeDeclined` (4000 0000 0000 0002) is
  refused only when attached to a customer, so it is not used here;
- a PaymentMethod created with 4000 0025 0000 3155 — asks for 3-D Secure (requires_action).

What localstripe does not check — refunding more than was paid — is answered by the stand-in with
Stripe's error, so only our reading of that error is tested."""

from __future__ import annotations

import datetime
import time

import pytest
import stripe

from marketplace.payments.gateways import gateway
from marketplace.payments.gateways.base import (
    AUTHORIZED,
    DECLINED,
    FAILED,
    IN_TRANSIT,
    REQUIRES_ACTION,
    SUCCEEDED,
    GatewayError,
    InvalidWebhook,
)
from tenants.context import tenant_context
from tests.payments.stripe_standin import localstripe_server, signed_event, stripe_signature, stripe_standin
from tests.processes import free_port

API_KEY, SECRET, CONNECT_SECRET = "sk_test_marketplace", "whsec_test", "whsec_test_connect"
RETURN_URL = "https://alpha.example.test/provider/payee/"


@pytest.fixture(scope="session")
def localstripe():
    with localstripe_server() as url:
        yield url


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    return settings


@pytest.fixture
def payments(localstripe, stripe_settings):
    """The recording stand-in in front of localstripe, and the gateway pointed at it."""
    with stripe_standin(upstream=localstripe) as standin:
        stripe_settings.STRIPE_API_BASE = standin.url
        yield standin


@pytest.fixture
def connect(stripe_settings):
    """The recording stand-in alone (Connect, lists), and the gateway pointed at it."""
    with stripe_standin() as standin:
        stripe_settings.STRIPE_API_BASE = standin.url
        yield standin


def on_localstripe(localstripe):
    """A Stripe client straight to localstripe, to see what it holds."""
    return stripe.StripeClient(API_KEY, base_addresses={"api": localstripe}).v1


# --- payments ------------------------------------------------------------------------------------


def test_authorise_then_capture_part(payments, localstripe):
    # given
    held = gateway().authorize(amount=10_000, currency="USD", payment_method="pm_card_visa", key="t:cap-part:charge")
    # when
    taken = gateway().capture(reference=held.reference, amount=6_000, currency="USD", key="t:cap-part:capture")
    # then
    assert (held.status, held.reference[:3]) == (AUTHORIZED, "pi_")
    assert (taken.status, taken.reference) == (SUCCEEDED, held.reference)
    created, captured = payments.to("POST", "/v1/payment_intents")[0], payments.requests[-1]
    assert created.form["capture_method"] == "manual" and created.form["confirm"] == "true"
    assert created.header("Idempotency-Key") == "t:cap-part:charge"
    assert captured.path == f"/v1/payment_intents/{held.reference}/capture"
    assert captured.form == {"amount_to_capture": "6000"}
    assert captured.header("Idempotency-Key") == "t:cap-part:capture"
    intent = on_localstripe(localstripe).payment_intents.retrieve(held.reference)
    assert intent.status == "succeeded"
    assert intent.latest_charge.amount - intent.latest_charge.amount_refunded == 6_000  # the rest let go


def test_authorise_then_capture_all(payments):
    # given
    held = gateway().authorize(amount=2_500, currency="EUR", payment_method="pm_card_visa", key="t:cap-all:charge")
    # when
    taken = gateway().capture(reference=held.reference, amount=2_500, currency="EUR", key="t:cap-all:capture")
    # then
    assert taken.status == SUCCEEDED and taken.ok
    assert payments.to("POST", "/v1/payment_intents")[0].form["currency"] == "eur"


def test_capturing_more_than_was_authorised_fails(payments, localstripe):
    # given
    held = gateway().authorize(amount=1_000, currency="USD", payment_method="pm_card_visa", key="t:cap-over:charge")
    # when
    result = gateway().capture(reference=held.reference, amount=5_000, currency="USD", key="t:cap-over:capture")
    # then
    assert (result.status, result.reference) == (FAILED, held.reference)
    assert result.message
    assert on_localstripe(localstripe).payment_intents.retrieve(held.reference).status == "requires_capture"


def test_charge_takes_the_money_at_once(payments, localstripe):
    # when
    result = gateway().charge(amount=4_200, currency="USD", payment_method="pm_card_visa", key="t:charge:charge")
    # then
    assert result.status == SUCCEEDED and result.ok and result.message == ""
    sent = payments.to("POST", "/v1/payment_intents")[0].form
    assert sent["amount"] == "4200" and sent["payment_method"] == "pm_card_visa"
    assert sent["capture_method"] == "automatic" and sent["payment_method_types[0]"] == "card"
    assert sent["metadata[ledger_key]"] == "t:charge:charge" and sent["metadata[marketplace]"] == "public"
    assert on_localstripe(localstripe).payment_intents.retrieve(result.reference).status == "succeeded"


def test_void_lets_the_authorisation_go(payments, localstripe):
    # given
    held = gateway().authorize(amount=3_000, currency="USD", payment_method="pm_card_visa", key="t:void:charge")
    # when
    result = gateway().void(reference=held.reference, key="t:void:void")
    # then
    assert (result.status, result.reference) == (SUCCEEDED, held.reference)
    assert payments.requests[-1].path == f"/v1/payment_intents/{held.reference}/cancel"
    assert payments.requests[-1].header("Idempotency-Key") == "t:void:void"
    assert on_localstripe(localstripe).payment_intents.retrieve(held.reference).status == "canceled"


def test_refund_part_of_a_charge(payments, localstripe):
    # given
    paid = gateway().charge(amount=10_000, currency="USD", payment_method="pm_card_visa", key="t:refund:charge")
    # when
    result = gateway().refund(charge=paid.reference, amount=2_500, currency="USD", key="t:refund:refund")
    # then
    assert result.status == SUCCEEDED and result.reference.startswith("re_")
    sent = payments.to("POST", "/v1/refunds")[0]
    assert sent.form["payment_intent"] == paid.reference and sent.form["amount"] == "2500"
    assert sent.form["metadata[ledger_key]"] == "t:refund:refund"
    assert sent.header("Idempotency-Key") == "t:refund:refund"
    assert on_localstripe(localstripe).refunds.retrieve(result.reference).amount == 2_500


def test_refunding_more_than_was_paid_is_refused_with_stripes_message(payments, localstripe):
    # given
    paid = gateway().charge(amount=1_000, currency="USD", payment_method="pm_card_visa", key="t:refund-over:charge")
    message = "Refund amount ($50.00) is greater than unrefunded amount on charge ($10.00)"
    payments.refuse("/v1/refunds", 400, {"type": "invalid_request_error", "param": "amount", "message": message})
    # when
    result = gateway().refund(charge=paid.reference, amount=5_000, currency="USD", key="t:refund-over:refund")
    # then
    assert (result.status, result.message) == (FAILED, message)
    assert not result.ok
    refunds = on_localstripe(localstripe).refunds.list({"payment_intent": paid.reference}).data
    assert [r.amount for r in refunds] == []  # nothing came back to the card


def test_a_declined_card_says_so(payments, localstripe):
    # when
    result = gateway().charge(
        amount=1_000, currency="USD", payment_method="pm_card_chargeCustomerFail", key="t:declined:charge"
    )
    # then
    assert (result.status, result.message) == (DECLINED, "Your card was declined.")
    assert not result.ok


def test_a_card_asking_for_authentication_needs_another_card(payments, localstripe):
    # given
    card = on_localstripe(localstripe).payment_methods.create(
        {"type": "card", "card": {"number": "4000002500003155", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    # when
    result = gateway().charge(amount=1_000, currency="USD", payment_method=card.id, key="t:3ds:charge")
    # then
    assert result.status == REQUIRES_ACTION and not result.ok
    assert "confirm" in result.message


def test_the_same_key_twice_makes_one_payment(payments, localstripe):
    # given
    first = gateway().authorize(amount=1_500, currency="USD", payment_method="pm_card_visa", key="t:twice:charge")
    # when
    again = gateway().authorize(amount=1_500, currency="USD", payment_method="pm_card_visa", key="t:twice:charge")
    # then
    assert again == first
    sent = payments.to("POST", "/v1/payment_intents")
    assert [r.header("Idempotency-Key") for r in sent] == ["t:twice:charge", "t:twice:charge"]
    held = on_localstripe(localstripe).payment_intents.list({"limit": 100}).auto_paging_iter()
    assert [i.id for i in held if i.metadata.to_dict().get("ledger_key") == "t:twice:charge"] == [first.reference]


def test_an_unreachable_stripe_is_a_gateway_error(stripe_settings):
    # given
    stripe_settings.STRIPE_API_BASE = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    # when / then
    with pytest.raises(GatewayError):
        gateway().charge(amount=1_000, currency="USD", payment_method="pm_card_visa", key="t:unreachable:charge")


def test_a_failing_stripe_is_a_gateway_error_tried_again_under_the_same_key(connect):
    # given
    payee = gateway().onboard_payee(email="pro@example.org", country="US", key="t:500:payee", return_url=RETURN_URL)
    connect.refuse("/v1/transfers", 500, {"type": "api_error", "message": "An unknown error occurred."})
    # when
    with pytest.raises(GatewayError):
        gateway().transfer(payee=payee.account, amount=900, currency="USD", key="t:500:transfer", group="po_1")
    # then
    tries = connect.to("POST", "/v1/transfers")
    assert [t.header("Idempotency-Key") for t in tries] == ["t:500:transfer", "t:500:transfer"]
    assert ("", "/v1/transfers") not in connect.held  # nothing was moved


# --- Connect: payee accounts, transfers, payouts -------------------------------------------------


def test_onboarding_makes_an_express_account_and_a_link_to_finish(connect):
    # when
    payee = gateway().onboard_payee(
        email="pro@example.org", country="DE", key="t:onboard:payee", return_url=RETURN_URL, bank_account="000123456789"
    )
    # then
    account, link = connect.to("POST", "/v1/accounts")[0], connect.to("POST", "/v1/account_links")[0]
    assert account.form["type"] == "express" and account.form["email"] == "pro@example.org"
    assert account.form["country"] == "DE"
    assert account.form["capabilities[transfers][requested]"] == "true"
    assert account.form["settings[payouts][schedule][interval]"] == "manual"
    assert account.form["metadata[ledger_key]"] == "t:onboard:payee"
    assert account.header("Idempotency-Key") == "t:onboard:payee"
    assert not any("bank" in name or "external" in name for name in account.form)
    assert link.form == {
        "account": payee.account,
        "type": "account_onboarding",
        "return_url": RETURN_URL,
        "refresh_url": RETURN_URL,
    }
    assert payee.account.startswith("acct_") and payee.onboarding_url.startswith("https://")
    assert not payee.payouts_enabled


def test_onboarding_without_a_country_leaves_it_to_stripe(connect):
    # when
    gateway().onboard_payee(email="pro@example.org", country="", key="t:onboard-nc:payee", return_url=RETURN_URL)
    # then
    assert "country" not in connect.to("POST", "/v1/accounts")[0].form


def test_payee_status_once_onboarding_is_finished(connect):
    # given
    payee = gateway().onboard_payee(email="pro@example.org", country="US", key="t:status:payee", return_url=RETURN_URL)
    before = gateway().payee_status(account=payee.account)
    connect.finish_onboarding(payee.account, last4="6789")
    # when
    after = gateway().payee_status(account=payee.account)
    # then
    assert (before.payouts_enabled, before.details) == (False, "")
    assert (after.account, after.payouts_enabled, after.details) == (payee.account, True, "bank account ending 6789")
    assert after.onboarding_url == ""


def test_an_unfinished_onboarding_gets_a_fresh_link(connect):
    # given
    payee = gateway().onboard_payee(email="pro@example.org", country="US", key="t:relink:payee", return_url=RETURN_URL)
    # when
    again = gateway().payee_status(account=payee.account, return_url=RETURN_URL)
    connect.finish_onboarding(payee.account, last4="6789")
    done = gateway().payee_status(account=payee.account, return_url=RETURN_URL)
    # then
    links = connect.to("POST", "/v1/account_links")
    assert again.onboarding_url and not again.payouts_enabled
    assert len(links) == 2 and links[1].form["account"] == payee.account
    assert done.onboarding_url == "" and done.payouts_enabled


def test_transfer_to_the_payee_account(connect):
    # given
    payee = gateway().onboard_payee(email="pro@example.org", country="US", key="t:tr:payee", return_url=RETURN_URL)
    # when
    result = gateway().transfer(payee=payee.account, amount=8_100, currency="USD", key="t:tr:transfer", group="po_a1")
    # then
    assert result.status == SUCCEEDED and result.reference.startswith("tr_")
    sent = connect.to("POST", "/v1/transfers")[0]
    assert sent.form["amount"] == "8100" and sent.form["currency"] == "usd"
    assert sent.form["destination"] == payee.account and sent.form["transfer_group"] == "po_a1"
    assert sent.form["metadata[ledger_key]"] == "t:tr:transfer"
    assert sent.header("Idempotency-Key") == "t:tr:transfer"
    assert sent.header("Stripe-Account") is None  # made from the marketplace's own account


def test_transfer_to_an_unknown_account_fails(connect):
    # when
    result = gateway().transfer(payee="acct_missing", amount=100, currency="USD", key="t:tr-x:transfer", group="g")
    # then
    assert result.status == FAILED and "acct_missing" in result.message


def test_reverse_transfer_takes_money_back(connect):
    # given
    payee = gateway().onboard_payee(email="pro@example.org", country="US", key="t:rev:payee", return_url=RETURN_URL)
    sent = gateway().transfer(payee=payee.account, amount=5_000, currency="USD", key="t:rev:transfer", group="g")
    # when
    back = gateway().reverse_transfer(transfer=sent.reference, amount=2_000, key="t:rev:reversal")
    too_much = gateway().reverse_transfer(transfer=sent.reference, amount=3_001, key="t:rev:reversal-2")
    # then
    assert back.status == SUCCEEDED and back.reference.startswith("trr_")
    asked = connect.to("POST", f"/v1/transfers/{sent.reference}/reversals")[0]
    assert asked.form["amount"] == "2000" and asked.header("Idempotency-Key") == "t:rev:reversal"
    assert too_much.status == FAILED and too_much.message
    assert connect.find(sent.reference)["amount_reversed"] == 2_000


def test_payout_is_made_on_the_providers_account(connect):
    # given
    payee = gateway().onboard_payee(email="pro@example.org", country="US", key="t:po:payee", return_url=RETURN_URL)
    connect.finish_onboarding(payee.account)
    # when
    result = gateway().payout(payee=payee.account, amount=7_000, currency="USD", key="t:po:bank")
    # then
    assert result.status == IN_TRANSIT and result.ok and result.reference.startswith("po_")
    sent = connect.to("POST", "/v1/payouts")[0]
    assert sent.header("Stripe-Account") == payee.account
    assert sent.header("Idempotency-Key") == "t:po:bank"
    assert sent.form["amount"] == "7000" and sent.form["currency"] == "usd"
    assert sent.form["metadata[ledger_key]"] == "t:po:bank"


# --- webhooks ------------------------------------------------------------------------------------

PAYMENT = {"id": "pi_1", "object": "payment_intent", "amount": 1000, "currency": "usd", "status": "succeeded"}
FAILED_PAYMENT = {**PAYMENT, "status": "requires_payment_method", "last_payment_error": {"message": "Card expired."}}
CHARGE = {"id": "ch_1", "object": "charge", "amount": 1000, "currency": "usd", "payment_intent": "pi_1"}
REFUND = {"id": "re_1", "object": "refund", "amount": 400, "currency": "usd", "payment_intent": "pi_1"}
PAYOUT = {"id": "po_1", "object": "payout", "amount": 7000, "currency": "usd", "status": "paid"}
ACCOUNT = {"id": "acct_1", "object": "account", "payouts_enabled": True}


@pytest.mark.parametrize(
    ("event_type", "obj", "kind", "data"),
    [
        ("payment_intent.succeeded", PAYMENT, "payment.succeeded", {"amount": 1000, "currency": "USD"}),
        ("payment_intent.payment_failed", FAILED_PAYMENT, "payment.failed", {"failure_message": "Card expired."}),
        ("charge.refunded", CHARGE, "refund.succeeded", {"payment_intent": "pi_1"}),
        ("refund.updated", {**REFUND, "status": "succeeded"}, "refund.succeeded", {"amount": 400}),
        ("refund.created", {**REFUND, "status": "succeeded"}, "refund.succeeded", {"payment_intent": "pi_1"}),
        ("refund.updated", {**REFUND, "status": "pending"}, "other", {}),
        ("refund.failed", {**REFUND, "status": "failed"}, "refund.failed", {"amount": 400}),
        ("payout.paid", PAYOUT, "payout.paid", {"amount": 7000, "account": "acct_1"}),
        (
            "payout.failed",
            {**PAYOUT, "status": "failed", "failure_message": "The bank account has been closed."},
            "payout.failed",
            {"failure_message": "The bank account has been closed."},
        ),
        (
            "payout.canceled",
            {**PAYOUT, "status": "canceled"},
            "payout.failed",
            {"failure_message": "The payout was canceled."},
        ),
        ("account.updated", ACCOUNT, "payee.updated", {"payouts_enabled": True, "account": "acct_1"}),
        ("customer.created", {"id": "cus_1", "object": "customer"}, "other", {}),
    ],
)
def test_webhook_events_in_our_words(stripe_settings, event_type, obj, kind, data):
    # given
    obj = {**obj, "metadata": {"ledger_key": "alpha:k", "marketplace": "alpha"}}
    at = int(time.time()) - 5
    payload, headers = signed_event(event_type, obj, secret=SECRET, at=at, account="acct_1")
    # when
    message = gateway().parse_webhook(payload=payload, headers=headers)
    # then
    assert (message.kind, message.reference) == (kind, obj["id"])
    assert message.event_id.startswith("evt_")
    assert message.created == datetime.datetime.fromtimestamp(at, tz=datetime.UTC)
    assert message.data["marketplace"] == "alpha" and message.data["ledger_key"] == "alpha:k"
    assert {name: message.data.get(name) for name in data} == data


def test_connect_events_are_signed_with_the_connect_endpoints_secret(stripe_settings):
    # given
    stripe_settings.STRIPE_WEBHOOK_SECRET = f"{SECRET},{CONNECT_SECRET}"
    payload, headers = signed_event("payout.paid", PAYOUT, secret=CONNECT_SECRET, account="acct_1")
    # when
    message = gateway().parse_webhook(payload=payload, headers={k.lower(): v for k, v in headers.items()})
    # then
    assert (message.kind, message.reference) == ("payout.paid", "po_1")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p, h: (p, {**h, "Stripe-Signature": h["Stripe-Signature"][:-4] + "0000"}), id="bad-mac"),
        pytest.param(lambda p, h: (p.replace(b"7000", b"9000"), h), id="changed-body"),
        pytest.param(lambda p, h: (p, {}), id="no-signature"),
    ],
)
def test_a_webhook_that_does_not_verify_is_refused(stripe_settings, tamper):
    # given
    payload, headers = tamper(*signed_event("payout.paid", PAYOUT, secret=SECRET))
    # when / then
    with pytest.raises(InvalidWebhook):
        gateway().parse_webhook(payload=payload, headers=headers)


def test_a_stale_or_foreign_webhook_is_refused(stripe_settings):
    # given
    stale = signed_event("payout.paid", PAYOUT, secret=SECRET, at=int(time.time()) - 600)
    foreign = signed_event("payout.paid", PAYOUT, secret="whsec_someone_else")
    # when / then
    for payload, headers in (stale, foreign):
        with pytest.raises(InvalidWebhook):
            gateway().parse_webhook(payload=payload, headers=headers)


def test_an_unreadable_webhook_is_refused(stripe_settings):
    # given
    garbage = b"not json"
    headers = {"Stripe-Signature": stripe_signature(garbage, secret=SECRET, at=int(time.time()))}
    # when / then
    with pytest.raises(InvalidWebhook):
        gateway().parse_webhook(payload=garbage, headers=headers)


# --- reconciliation ------------------------------------------------------------------------------


def intent(n: int, *, marketplace: str, created: int, received: int = 1_000) -> dict:
    return {
        "id": f"pi_{marketplace}_{n}",
        "object": "payment_intent",
        "amount": 1_000,
        "amount_received": received,
        "currency": "usd",
        "status": "succeeded" if received else "requires_capture",
        "metadata": {"ledger_key": f"{marketplace}:b{n}:charge", "marketplace": marketplace},
        "created": created,
    }


def refund(marketplace: str, *, created: int) -> dict:
    return {
        "id": f"re_{marketplace}",
        "object": "refund",
        "amount": 250,
        "currency": "usd",
        "status": "succeeded",
        "metadata": {"ledger_key": f"{marketplace}:rf", "marketplace": marketplace},
        "created": created,
    }


def test_records_are_this_marketplaces_movements_in_the_window(connect, tenant_a, tenant_b):
    # given: in each marketplace, a provider paid out, a transfer partly reversed; Stripe's lists
    # also hold payments and refunds (more than one page of payments), some outside the window
    now = int(time.time())
    with tenant_context(tenant_b):
        other = gateway().onboard_payee(email="b@example.org", country="US", key="beta:p", return_url=RETURN_URL)
        gateway().transfer(payee=other.account, amount=300, currency="USD", key="beta:t", group="g")
    with tenant_context(tenant_a):
        payee = gateway().onboard_payee(email="a@example.org", country="US", key="alpha:p", return_url=RETURN_URL)
        sent = gateway().transfer(payee=payee.account, amount=5_000, currency="USD", key="alpha:t", group="g")
        back = gateway().reverse_transfer(transfer=sent.reference, amount=1_000, key="alpha:r")
        paid = gateway().payout(payee=payee.account, amount=4_000, currency="USD", key="alpha:po")
    for n in range(105):
        connect.add("/v1/payment_intents", intent(n, marketplace="alpha", created=now - 60))
    connect.add("/v1/payment_intents", intent(900, marketplace="alpha", created=now - 60, received=0))
    connect.add("/v1/payment_intents", intent(901, marketplace="alpha", created=now - 3 * 86_400))
    connect.add("/v1/payment_intents", intent(902, marketplace="beta", created=now - 60))
    for marketplace in ("alpha", "beta"):
        connect.add("/v1/refunds", refund(marketplace, created=now - 30))
    connect.requests.clear()
    since = datetime.datetime.fromtimestamp(now - 3600, tz=datetime.UTC)
    until = datetime.datetime.fromtimestamp(now + 3600, tz=datetime.UTC)
    # when
    with tenant_context(tenant_a):
        records = gateway().records(since=since, until=until)
    # then
    charges = [r for r in records if r.kind == "charge"]
    assert len(charges) == 105 and charges[0].key == "alpha:b104:charge"
    assert {(r.amount, r.currency, r.status) for r in charges} == {(1_000, "USD", SUCCEEDED)}
    assert charges[0].created == datetime.datetime.fromtimestamp(now - 60, tz=datetime.UTC)
    assert {(r.kind, r.reference, r.amount, r.status, r.key) for r in records if r.kind != "charge"} == {
        ("refund", "re_alpha", 250, SUCCEEDED, "alpha:rf"),
        ("transfer", sent.reference, 5_000, SUCCEEDED, "alpha:t"),
        ("transfer_reversal", back.reference, 1_000, SUCCEEDED, "alpha:r"),
        ("payout", paid.reference, 4_000, IN_TRANSIT, "alpha:po"),
    }
    assert not [r for r in records if "beta" in r.key]
    pages = connect.to("GET", "/v1/payment_intents")
    assert len(pages) == 2 and pages[0].form["created[gte]"] == str(now - 3600)
    assert pages[0].form["created[lt]"] == str(now + 3600)
    payout_lists = connect.to("GET", "/v1/payouts")
    assert [r.header("Stripe-Account") for r in payout_lists] == [payee.account]  # not the other marketplace's
