"""In the demo university marketplace, through the API: a client pays with a test card, the tutor
completes the session, escrow releases with the commission and the platform fee split out, the tutor
asks for a payout, a second client cancels late and gets half back — and the ledger, the client's
payments and the admin totals agree to the cent."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from marketplace.bookings.models import Booking
from marketplace.payments.escrow import escrow_state
from marketplace.payments.ledger import platform_totals
from tenants.context import tenant_context
from tenants.models import Tenant
from tests.bookings.test_demo_flows import _act, _client, _find, _first_slot, _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def uni(settings):
    from tenants.demo import seed_demo

    settings.ALLOWED_HOSTS = ["*"]
    seed_demo()
    yield Tenant.objects.get(schema_name="uni")
    connection.set_schema_to_public()


def _book_and_pay(api, client, listing, package):
    starts_at = _first_slot(api, listing, package, "Europe/London")
    body = {"listing": listing["id"], "package": package, "starts_at": starts_at, "time_zone": "Europe/London"}
    booked = api.post("/api/v1/bookings/", body, format="json", **client)
    assert booked.status_code == 201, booked.content
    return _act(api, booked.json()["id"], "pay", client)


def _move(tenant, booking_id, *, starts_in: timedelta):
    with tenant_context(tenant):
        start = datetime.now(UTC) + starts_in
        Booking.objects.filter(public_id=booking_id).update(starts_at=start, ends_at=start + timedelta(hours=1))


def test_pay_complete_release_payout_and_partial_refund_agree_to_the_cent(uni, run_on_commit):
    api = _client("uni")
    priya, tom, amira = (_login(api, "uni", who) for who in ("priya", "tom", "amira"))
    admin = _login(api, "uni", "admin")
    calculus = _find(api, "calculus exam")

    # given: Priya pays for a session that has now taken place, and Amira completes it
    first = _book_and_pay(api, priya, calculus, "Single session")
    _move(uni, first["id"], starts_in=-timedelta(hours=2))
    completed = _act(api, first["id"], "complete", amira)
    # and Amira sets up payouts and asks for everything available
    payee = api.post("/api/v1/providers/me/payee/", {}, format="json", **amira)
    earned = api.get("/api/v1/providers/me/earnings/", **amira).json()
    with run_on_commit():  # the processor's bank answers, by webhook
        payout = api.post("/api/v1/providers/me/payouts/", {"idempotency_key": "first"}, format="json", **amira)
    # and Tom pays, then cancels six hours before his session: the flexible policy returns half
    second = _book_and_pay(api, tom, calculus, "Single session")
    _move(uni, second["id"], starts_in=timedelta(hours=6))
    cancelled = _act(api, second["id"], "cancel", tom)

    price, currency = first["price"]["amount"], first["price"]["currency"]
    with tenant_context(uni):
        fee_bps = Booking.objects.get(public_id=first["id"]).platform_fee_bps  # the demo plan's fee
    commission, fee = price * 1000 // 10_000, price * fee_bps // 10_000  # the demo's 10% commission
    kept = price - price // 2  # Tom's cancellation fee, released to Amira like a completion
    kept_commission, kept_fee = kept * 1000 // 10_000, kept * fee_bps // 10_000
    assert completed["state"] == "completed"
    assert payee.status_code == 200 and payee.json()["payouts_enabled"] is True
    assert (earned["available"], earned["pending"]) == (price - commission, 0)
    assert payout.status_code == 201, payout.content
    assert payout.json()["amount"] == price - commission
    payouts = api.get("/api/v1/providers/me/payouts/", **amira).json()["results"]
    assert [(p["amount"], p["status"]) for p in payouts] == [(price - commission, "paid")]  # the bank answered
    assert cancelled["state"] == "cancelled"
    assert [(m["kind"], m["amount"]["amount"]) for m in cancelled["money"]] == [
        ("hold", price),
        ("refund", price // 2),
        ("release", kept),
    ]
    now_earned = api.get("/api/v1/providers/me/earnings/", **amira).json()
    assert (now_earned["available"], now_earned["pending"]) == (kept - kept_commission, 0)

    # then: the ledger
    with tenant_context(uni):
        totals = platform_totals(currency)
        tom_escrow = escrow_state(Booking.objects.get(public_id=second["id"]))
    assert (tom_escrow.captured, tom_escrow.refunded, tom_escrow.released, tom_escrow.held) == (
        price,
        price // 2,
        kept,
        0,
    )
    assert sum(totals.values()) == 0
    assert -totals["marketplace_commission"] == commission - fee + kept_commission - kept_fee
    assert -totals["platform_fee"] == fee + kept_fee
    assert -totals["provider_balance"] == kept - kept_commission and totals["payouts_in_transit"] == 0
    # the client's payments
    paid = api.get("/api/v1/me/payments/", **tom).json()["results"]
    assert [(p["kind"], p["amount"]) for p in paid] == [("refund", price // 2), ("hold", price)]
    # and the admin totals
    money = api.get("/api/v1/marketplace/money/", **admin).json()
    assert money["currency"] == currency
    assert (money["gmv"], money["refunds"], money["released"]) == (2 * price, price // 2, price + kept)
    assert money["commission"] == -totals["marketplace_commission"]
    assert money["platform_fee"] == -totals["platform_fee"]
    assert (money["payouts_requested"], money["payouts_paid"]) == (price - commission, price - commission)
    assert (money["escrow_held"], money["owed_to_providers"]) == (0, kept - kept_commission)
    # and the receipts: what each client paid and had back, and the tutor's statement
    tom_docs = api.get("/api/v1/me/receipts/", **tom).json()["results"]
    priya_docs = api.get("/api/v1/me/receipts/", **priya).json()["results"]
    statement = api.get("/api/v1/providers/me/statement/", **amira).json()
    receipts = [d for d in tom_docs + priya_docs if d["kind"] == "receipt"]
    credits = [d for d in tom_docs if d["kind"] == "credit_note"]
    assert sum(d["gross"]["amount"] for d in receipts) == money["gmv"]
    assert [d["gross"]["amount"] for d in credits] == [money["refunds"]]
    assert all(d["net"]["amount"] + d["tax"]["amount"] == d["gross"]["amount"] for d in tom_docs + priya_docs)
    assert sorted(d["number"] for d in receipts) == ["R-000001", "R-000002"]
    [total] = statement["totals"]
    assert (total["gross"], total["commission"], total["platform_fee"]) == (
        money["released"],
        money["commission"],
        money["platform_fee"],
    )
    assert total["net_to_provider"] == money["provider_earnings"] == now_earned["available"] + money["payouts_paid"]
    assert money["gmv"] - money["refunds"] == (
        money["escrow_held"]
        + money["commission"]
        + money["platform_fee"]
        + money["owed_to_providers"]
        + money["payouts_paid"]
    )
