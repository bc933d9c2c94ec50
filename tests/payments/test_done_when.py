"""In the demo university marketplace, through the API: a client pays with a test card, the tutor
completes the session, escrow releases with the commission and the platform fee split out, the tutor
asks for a payout, a second client cancels late and gets half back — and the ledger, the client's
payments and the admin totals agree to the cent. The demo comes with weeks of bookings already
(tenants/demo_history.py): every figure is what the history holds plus what this story moved."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from marketplace.bookings.models import Booking
from marketplace.invoicing.models import ClientDocument
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
    # what the demo's history holds already: Amira's earnings, the ledger, the admin totals, her statement
    history_earned = api.get("/api/v1/providers/me/earnings/", **amira).json()
    history_money = api.get("/api/v1/marketplace/money/", **admin).json()
    [history_statement] = api.get("/api/v1/providers/me/statement/", **amira).json()["totals"]
    with tenant_context(uni):
        currency = Booking.objects.values_list("currency", flat=True).first()
        history_totals = platform_totals(currency)
        history_receipts = ClientDocument.objects.filter(kind="receipt").count()

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
    assert (earned["available"], earned["pending"]) == (
        history_earned["available"] + price - commission,
        history_earned["pending"],  # her sessions ahead, paid and held in escrow
    )
    assert payout.status_code == 201, payout.content
    paid_out = payout.json()["amount"]
    assert paid_out == history_earned["available"] + price - commission  # everything available
    payouts = api.get("/api/v1/providers/me/payouts/", **amira).json()["results"]
    assert [(p["amount"], p["status"]) for p in payouts] == [(paid_out, "paid")]  # the bank answered
    assert cancelled["state"] == "cancelled"
    assert [(m["kind"], m["amount"]["amount"]) for m in cancelled["money"]] == [
        ("hold", price),
        ("refund", price // 2),
        ("release", kept),
    ]
    now_earned = api.get("/api/v1/providers/me/earnings/", **amira).json()
    assert (now_earned["available"], now_earned["pending"]) == (kept - kept_commission, history_earned["pending"])

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
    moved = {kind: totals[kind] - history_totals[kind] for kind in totals}
    assert sum(totals.values()) == 0 and sum(moved.values()) == 0
    assert -moved["marketplace_commission"] == commission - fee + kept_commission - kept_fee
    assert -moved["platform_fee"] == fee + kept_fee
    assert -moved["provider_balance"] == price - commission + kept - kept_commission - paid_out
    assert totals["payouts_in_transit"] == 0
    # the client's payments
    paid = api.get("/api/v1/me/payments/", **tom).json()["results"]
    ours = [(p["kind"], p["amount"]) for p in paid if p["booking"] == second["id"]]
    assert ours == [("refund", price // 2), ("hold", price)]
    assert [p["booking"] for p in paid[:2]] == [second["id"]] * 2  # newest first
    # and the admin totals
    money = api.get("/api/v1/marketplace/money/", **admin).json()
    grew = {figure: money[figure] - history_money[figure] for figure in money if isinstance(money[figure], int)}
    assert money["currency"] == currency
    assert (grew["gmv"], grew["refunds"], grew["released"]) == (2 * price, price // 2, price + kept)
    assert grew["commission"] == -moved["marketplace_commission"]
    assert grew["platform_fee"] == -moved["platform_fee"]
    assert (money["payouts_requested"], money["payouts_paid"]) == (paid_out, paid_out)  # the demo's first payout
    assert (grew["escrow_held"], grew["owed_to_providers"]) == (0, -moved["provider_balance"])
    # and the receipts: what each client paid and had back, and the tutor's statement
    ours = {first["id"], second["id"]}
    tom_docs = [d for d in api.get("/api/v1/me/receipts/", **tom).json()["results"] if d["booking"] in ours]
    priya_docs = [d for d in api.get("/api/v1/me/receipts/", **priya).json()["results"] if d["booking"] in ours]
    statement = api.get("/api/v1/providers/me/statement/", **amira).json()
    receipts = [d for d in tom_docs + priya_docs if d["kind"] == "receipt"]
    credits = [d for d in tom_docs if d["kind"] == "credit_note"]
    assert sum(d["gross"]["amount"] for d in receipts) == grew["gmv"]
    assert [d["gross"]["amount"] for d in credits] == [grew["refunds"]]
    assert all(d["net"]["amount"] + d["tax"]["amount"] == d["gross"]["amount"] for d in tom_docs + priya_docs)
    assert sorted(d["number"] for d in receipts) == [
        f"R-{history_receipts + 1:06d}",
        f"R-{history_receipts + 2:06d}",
    ]  # the next numbers, without gaps
    [total] = statement["totals"]
    assert (
        total["gross"] - history_statement["gross"],
        total["commission"] - history_statement["commission"],
        total["platform_fee"] - history_statement["platform_fee"],
    ) == (grew["released"], grew["commission"], grew["platform_fee"])
    assert total["net_to_provider"] - history_statement["net_to_provider"] == grew["provider_earnings"]
    assert total["net_to_provider"] == now_earned["available"] + money["payouts_paid"]
    # since the marketplace opened, everything paid in and not refunded is somewhere: held, earned or paid out
    opened = (datetime.now(UTC) - timedelta(days=365)).date()
    ever = api.get(f"/api/v1/marketplace/money/?from={opened}", **admin).json()
    assert ever["gmv"] - ever["refunds"] == (
        ever["escrow_held"]
        + ever["commission"]
        + ever["platform_fee"]
        + ever["owed_to_providers"]
        + ever["payouts_paid"]
    )
    assert ever["gmv"] > money["gmv"]  # the history reaches back further than the default 30 days
