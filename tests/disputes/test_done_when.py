"""In the demo agency: a client disputes a delivered milestone, the parties fail to agree, the
mediator grants a partial refund, and the ledger shows the split exactly."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.bookings.models import Booking
from marketplace.disputes.services import disputes_run_timers
from marketplace.payments.escrow import escrow_state
from marketplace.payments.ledger import platform_totals
from tenants.context import tenant_context
from tenants.models import Tenant
from tests.bookings.test_demo_flows import _act, _client, _find, _login

pytestmark = pytest.mark.django_db


def test_a_disputed_milestone_is_split_by_the_mediator(demo):
    api = _client("agency")
    acme, marco, admin = (_login(api, "agency", who) for who in ("acme", "marco", "admin"))
    listing = _find(api, "django application")
    with tenant_context(Tenant.objects.get(schema_name="agency")):
        history = platform_totals(listing["currency"])  # the demo's weeks of bookings
    project = api.post(
        "/api/v1/bookings/",
        {"listing": listing["id"], "package": "MVP", "message": "An order portal for our robot parts."},
        format="json",
        **acme,
    ).json()["id"]
    today = datetime.now(UTC).date()
    _act(
        api,
        project,
        "send_quote",
        marco,
        data={
            "terms": "Fixed price, two milestones.",
            "valid_days": 10,
            "milestones": [
                {"title": "Data model and admin", "amount": 300000, "due_date": str(today + timedelta(days=20))},
                {"title": "Portal live", "amount": 600000, "due_date": str(today + timedelta(days=50))},
            ],
        },
    )
    first = _act(api, project, "accept_quote", acme)["milestones"][0]["id"]
    _act(api, project, "deliver_milestone", marco, data={"milestone": first, "note": "Ready."})

    # when: Acme disputes the first milestone; they propose, Marco counters, Acme asks for a mediator
    opened = api.post(
        f"/api/v1/bookings/{project}/disputes/",
        {
            "reason": "not_as_described",
            "desired_outcome": "partial_refund",
            "description": "The admin has no order export, which the quote promised.",
            "milestone": first,
        },
        format="json",
        **acme,
    )
    dispute = opened.json()["id"]
    actions = f"/api/v1/disputes/{dispute}/actions/"
    api.post(
        actions, {"action": "propose", "outcome": "partial_refund", "refund_amount": 200000}, format="json", **acme
    )
    api.post(
        actions, {"action": "propose", "outcome": "partial_refund", "refund_amount": 50000}, format="json", **marco
    )
    api.post(actions, {"action": "escalate", "text": "We are far apart."}, format="json", **acme)
    decided = api.post(
        actions,
        {
            "action": "decide",
            "outcome": "partial_refund",
            "refund_amount": 120000,
            "reason": "The export was in the quote; the rest of the milestone was delivered.",
        },
        format="json",
        **admin,
    )
    # and nobody appeals in time
    agency = Tenant.objects.get(schema_name="agency")
    with tenant_context(agency):
        carried_out = disputes_run_timers(now=datetime.now(UTC) + timedelta(days=4))
        booking = Booking.objects.get(public_id=project)
        money = escrow_state(booking)
        totals = platform_totals(booking.currency)
        commission_bps, fee_bps = booking.commission_bps, booking.platform_fee_bps
    timeline = api.get(f"/api/v1/bookings/{project}/", **acme).json()

    # then
    assert opened.status_code == 201, opened.content
    assert decided.status_code == 200 and carried_out == 1
    released = 300000 - 120000
    commission = released * commission_bps // 10_000
    fee = released * fee_bps // 10_000
    assert (money.captured, money.refunded, money.released, money.held) == (900000, 120000, released, 600000)
    moved = {kind: totals[kind] - history[kind] for kind in totals}
    assert -moved["escrow"] == 600000
    assert -moved["provider_balance"] == released - commission
    assert (-moved["marketplace_commission"], -moved["platform_fee"]) == (commission - fee, fee)
    assert moved["payments_clearing"] == 900000 - 120000 and sum(totals.values()) == 0
    assert [(m["kind"], m["amount"]["amount"]) for m in timeline["money"]] == [
        ("hold", 900000),
        ("refund", 120000),
        ("release", released),
    ]
    assert [m["state"] for m in timeline["milestones"]] == ["accepted", "pending"]
    assert timeline["state"] == "in_progress"  # the second milestone goes on
