"""Provider earnings and payouts through the local processor: the rules on amounts, one payout in
flight, the processor's answers arriving by webhook (paid, failed, repeated, out of order), scheduled
payouts, and the other marketplace seeing none of it."""

import datetime

import pytest

from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.payments import payouts
from marketplace.payments.escrow import escrow_capture, escrow_release
from marketplace.payments.gateways.local import FAILING_BANK_ACCOUNT
from marketplace.payments.ledger import platform_totals
from marketplace.payments.models import LocalCharge, Payout, WebhookEvent
from marketplace.payments.tasks import settle_local_payout
from marketplace.payments.webhooks import webhook_process
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db


def _earning(tenant, *, price=10_000, tag="a", bank=""):
    """A provider with `price` released to them (9,000 after the 10% commission) and payouts set up."""
    booking = make_booking(tenant, price=price, tag=tag)
    with tenant_context(tenant):
        escrow_capture(booking=booking, amount=price, key=f"cap-{tag}")
        escrow_release(booking=booking, amount=price, key=f"rel-{tag}")
        payouts.payee_onboard(
            booking.provider, email="pro@example.org", return_url="https://x.test/", bank_account=bank
        )
    return booking.provider


def _ask(provider, amount=None, key="k1"):
    return payouts.payout_request(provider, amount=amount, currency="USD", key=key)


def test_earnings_split_available_and_pending(tenant_a):
    provider = _earning(tenant_a)
    second = make_booking(tenant_a, price=4_000, tag="a2")
    with tenant_context(tenant_a):
        second.provider = provider
        second.save(update_fields=["provider"])
        escrow_capture(booking=second, amount=4_000, key="cap-a2")

        now = payouts.earnings(provider, "USD")

    assert (now.available, now.pending, now.in_transit, now.paid_out) == (9_000, 4_000, 0, 0)


def test_a_payout_moves_the_balance_to_in_transit_and_is_paid_by_webhook(tenant_a, run_on_commit):
    provider = _earning(tenant_a)
    with tenant_context(tenant_a):
        # when
        with run_on_commit():
            payout = _ask(provider, 6_000)
        payout.refresh_from_db()
        after = payouts.earnings(provider, "USD")
        totals = platform_totals("USD")
        event = WebhookEvent.objects.get(reference=payout.reference)
        sent = list(LocalCharge.objects.filter(payee=provider.payee.account).values_list("kind", "amount", "status"))

    assert payout.status == "paid" and payout.settled_at is not None
    assert (after.available, after.in_transit, after.paid_out) == (3_000, 0, 6_000)
    assert (event.kind, event.outcome) == ("payout.paid", f"payout {payout.public_id} is paid")
    assert sorted(sent) == [("payout", 6_000, "paid"), ("transfer", 6_000, "succeeded")]
    assert totals["payouts_in_transit"] == 0 and totals["provider_balance"] == -3_000 and sum(totals.values()) == 0


def test_a_failed_payout_returns_to_the_balance_and_reverses_the_transfer(tenant_a, run_on_commit):
    provider = _earning(tenant_a, bank=FAILING_BANK_ACCOUNT)
    with tenant_context(tenant_a):
        with run_on_commit():
            payout = _ask(provider)
        payout.refresh_from_db()
        after = payouts.earnings(provider, "USD")
        reversal = LocalCharge.objects.select_related("refunds").get(kind="reversal")

    assert payout.status == "failed" and "closed" in payout.failure_message
    assert (after.available, after.in_transit, after.paid_out) == (9_000, 0, 0)
    assert (reversal.amount, reversal.refunds.reference) == (9_000, payout.transfer)


def test_a_replayed_request_returns_the_first_payout(tenant_a):
    provider = _earning(tenant_a)
    with tenant_context(tenant_a):
        first = _ask(provider, 2_000, key="same")
        again = _ask(provider, 5_000, key="same")
        left = payouts.earnings(provider, "USD").available

    assert again.pk == first.pk and again.amount == 2_000
    assert left == 7_000


@pytest.mark.parametrize(
    ("amount", "error", "code"),
    [
        (0, ValidationFailed, "validation_failed"),
        (-5, ValidationFailed, "validation_failed"),
        ("100", ValidationFailed, "validation_failed"),
        (999, ValidationFailed, "validation_failed"),  # under the minimum of 1,000
        (9_001, Conflict, "payout_exceeds_available"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_moves(tenant_a, amount, error, code):
    provider = _earning(tenant_a)
    with tenant_context(tenant_a):
        with pytest.raises(error) as refused:
            _ask(provider, amount)
        left = payouts.earnings(provider, "USD").available
        made = Payout.objects.count()

    assert refused.value.code == code
    assert (left, made) == (9_000, 0)


def test_a_second_payout_while_one_is_in_flight_is_refused(tenant_a):
    provider = _earning(tenant_a)
    with tenant_context(tenant_a):
        _ask(provider, 2_000, key="one")  # the bank has not answered (no commit in this test)
        with pytest.raises(Conflict) as refused:
            _ask(provider, 2_000, key="two")
        left = payouts.earnings(provider, "USD")

    assert refused.value.code == "payout_in_flight"
    assert (left.available, left.in_transit) == (7_000, 2_000)


def test_no_payout_before_the_payee_account_is_set_up(tenant_a):
    booking = make_booking(tenant_a)
    with tenant_context(tenant_a):
        escrow_capture(booking=booking, amount=10_000, key="cap")
        escrow_release(booking=booking, amount=10_000, key="rel")
        with pytest.raises(Conflict) as refused:
            _ask(booking.provider)

    assert refused.value.code == "payee_not_ready"


def test_repeated_and_late_events_change_nothing_more(tenant_a, run_on_commit):
    provider = _earning(tenant_a)
    with tenant_context(tenant_a):
        payout = _ask(provider, 4_000)
        # given: the bank answers "paid" twice (two deliveries of one event), then "paid" again late
        with run_on_commit():
            settle_local_payout.delay(payout.reference)
            settle_local_payout.delay(payout.reference)
        payouts.payout_settle(payout.reference, paid=True)
        before = platform_totals("USD")
        # when: Stripe-style, the bank later returns the paid payout
        returned = payouts.payout_settle(payout.reference, paid=False, failure_message="Account closed.")
        again = payouts.payout_settle(payout.reference, paid=False)
        late_paid = payouts.payout_settle(payout.reference, paid=True)
        after = payouts.earnings(provider, "USD")
        stored = WebhookEvent.objects.filter(reference=payout.reference).count()

    assert stored == 1  # two deliveries of one event
    assert before["payouts_in_transit"] == 0 and before["provider_balance"] == -5_000
    assert returned.status == again.status == late_paid.status == "failed"
    assert (after.available, after.paid_out) == (9_000, 0)


def test_an_event_for_a_payout_not_yet_committed_is_retried(tenant_a):
    from marketplace.payments.gateways.base import WebhookMessage
    from marketplace.payments.webhooks import NotYetKnown, webhook_store

    with tenant_context(tenant_a):
        message = WebhookMessage(
            event_id="evt_early",
            kind="payout.paid",
            reference="lpo_not_committed_yet",
            created=datetime.datetime.now(datetime.UTC),
        )
        event, _ = webhook_store("local", message)
        with pytest.raises(NotYetKnown):
            webhook_process(event.pk)
        event.refresh_from_db()

    assert event.processed_at is None  # left for the retry


def test_scheduled_payouts_run_on_their_day_once(tenant_a):
    provider = _earning(tenant_a)
    monday, tuesday = datetime.date(2026, 11, 23), datetime.date(2026, 11, 24)
    with tenant_context(tenant_a):
        payouts.payee_onboard(provider, email="pro@example.org", return_url="https://x.test/", schedule="weekly")
        not_today = payouts.payouts_due(tuesday)
        made = payouts.payouts_due(monday)
        again = payouts.payouts_due(monday)  # the job ran twice: the payout in flight stops a second

    assert not_today == [] and again == []
    assert [(p.amount, p.status) for p in made] == [(9_000, "in_transit")]


def test_the_other_marketplace_sees_no_payouts(tenant_a, tenant_b, run_on_commit):
    provider = _earning(tenant_a)
    with tenant_context(tenant_a), run_on_commit():
        _ask(provider, 3_000)
    with tenant_context(tenant_b):
        seen = (Payout.objects.count(), WebhookEvent.objects.count(), LocalCharge.objects.count())
        totals = platform_totals("USD")

    assert seen == (0, 0, 0)
    assert not any(totals.values())
