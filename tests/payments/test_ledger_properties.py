"""Random sequences of captures, releases, refunds, freezes, payouts (paid or failed) and replays over
several bookings of different providers: after every step each journal transaction balances (and
PostgreSQL's commit-time check, run there and then, agrees), each booking's escrow equals what was
captured minus released minus refunded from it, each provider's balance equals their releases minus
clawbacks and payouts (plus failed payouts), no money appears or disappears, and replays post nothing."""

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.payments import payouts
from marketplace.payments.escrow import (
    escrow_capture,
    escrow_freeze,
    escrow_refund,
    escrow_release,
    escrow_state,
    escrow_unfreeze,
)
from marketplace.payments.ledger import account, held
from marketplace.payments.models import AccountKind, JournalEntry, JournalTransaction
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db

RUN = {"n": 0}


class EscrowMachine(RuleBasedStateMachine):
    tenant = None

    @initialize()
    def bookings(self):
        RUN["n"] += 1
        self.context = tenant_context(self.tenant)
        self.context.__enter__()
        self.bookings = [
            make_booking(self.tenant, tag=f"{RUN['n']}-{i}", commission_bps=commission)
            for i, commission in enumerate((0, 1250, 10_000))
        ]
        self.model = {b.pk: {"captured": 0, "released": 0, "refunded": 0, "from_escrow": 0} for b in self.bookings}
        self.keys: list[str] = []
        self.step = 0
        for booking in self.bookings:
            payouts.payee_onboard(booking.provider, email="pro@x.test", return_url="https://x.test/")
        self.balance = {b.provider_id: 0 for b in self.bookings}  # what each provider is owed
        self.in_flight: dict[int, object] = {}
        self.payout_keys: list[tuple[int, str]] = []

    def teardown(self):
        self.context.__exit__(None, None, None)

    def _key(self, name: str) -> str:
        self.step += 1
        key = f"{RUN['n']}-{self.step}-{name}"
        self.keys.append(key)
        return key

    def _held(self, booking) -> int:
        m = self.model[booking.pk]
        return m["captured"] - m["released"] - m["from_escrow"]

    @rule(index=st.integers(0, 2), amount=st.integers(1, 50_000))
    def capture(self, index, amount):
        booking = self.bookings[index]
        escrow_capture(booking=booking, amount=amount, key=self._key("capture"))
        self.model[booking.pk]["captured"] += amount

    @rule(index=st.integers(0, 2), amount=st.integers(1, 50_000))
    def release(self, index, amount):
        booking = self.bookings[index]
        frozen = escrow_state(booking).frozen
        try:
            escrow_release(booking=booking, amount=amount, key=self._key("release"))
        except Conflict:
            assert frozen or amount > self._held(booking)
            return
        assert not frozen and amount <= self._held(booking)
        self.model[booking.pk]["released"] += amount
        self.balance[booking.provider_id] += amount - amount * booking.commission_bps // 10_000

    @rule(index=st.integers(0, 2), amount=st.integers(1, 50_000))
    def refund(self, index, amount):
        booking = self.bookings[index]
        m = self.model[booking.pk]
        held_before = self._held(booking)
        try:
            escrow_refund(booking=booking, amount=amount, key=self._key("refund"))
        except Conflict:
            assert amount > m["captured"] - m["refunded"]
            return
        m["refunded"] += amount
        m["from_escrow"] += min(amount, held_before)
        self.balance[booking.provider_id] -= amount - min(amount, held_before)  # clawed back after release

    @rule(index=st.integers(0, 2), amount=st.integers(1, 60_000))
    def payout(self, index, amount):
        provider = self.bookings[index].provider
        key = self._key("payout")
        try:
            made = payouts.payout_request(provider, amount=amount, currency="USD", key=key)
        except Conflict as refused:
            in_flight = provider.pk in self.in_flight
            assert refused.code == ("payout_in_flight" if in_flight else "payout_exceeds_available")
            assert in_flight or amount > self.balance[provider.pk]
            return
        except ValidationFailed:
            assert amount < payouts.earnings(provider, "USD").minimum_payout
            return
        assert provider.pk not in self.in_flight and amount <= self.balance[provider.pk]
        self.balance[provider.pk] -= amount
        self.in_flight[provider.pk] = made
        self.payout_keys.append((index, key))

    @rule(index=st.integers(0, 2), paid=st.booleans())
    def bank_answers(self, index, paid):
        provider_id = self.bookings[index].provider_id
        payout = self.in_flight.pop(provider_id, None)
        if payout is None:
            return
        payouts.payout_settle(payout.reference, paid=paid)
        if not paid:
            self.balance[provider_id] += payout.amount  # came back

    @precondition(lambda self: self.payout_keys)
    @rule(data=st.data())
    def replay_payout(self, data):
        index, key = data.draw(st.sampled_from(self.payout_keys))
        before = JournalEntry.objects.count()
        again = payouts.payout_request(self.bookings[index].provider, amount=10**9, currency="USD", key=key)
        assert again.idempotency_key == key and JournalEntry.objects.count() == before

    @rule(index=st.integers(0, 2), freeze=st.booleans())
    def toggle_freeze(self, index, freeze):
        booking = self.bookings[index]
        if freeze:
            escrow_freeze(booking=booking, reason="dispute")
        else:
            escrow_unfreeze(booking=booking)

    @precondition(lambda self: self.keys)
    @rule(data=st.data())
    def replay(self, data):
        key = data.draw(st.sampled_from(self.keys))
        before = JournalEntry.objects.count()
        journal = JournalTransaction.objects.filter(idempotency_key=key).first()
        if journal is None:  # the operation under this key was refused
            return
        operation = {"capture": escrow_capture, "release": escrow_release, "refund": escrow_refund}[journal.kind]
        again = operation(booking=journal.booking, amount=10**9, key=key)
        assert again.pk == journal.pk and JournalEntry.objects.count() == before

    @invariant()
    def every_transaction_balances_and_nothing_is_created(self):
        with connection.cursor() as cursor:  # the database's own check, as at commit (raises if off)
            cursor.execute("SET CONSTRAINTS journal_balanced IMMEDIATE")
            cursor.execute("SET CONSTRAINTS journal_balanced DEFERRED")
        unbalanced = (
            JournalEntry.objects.values("transaction_id", "currency").annotate(t=Sum("amount")).exclude(t=0).count()
        )
        assert unbalanced == 0
        assert (JournalEntry.objects.aggregate(t=Sum("amount"))["t"] or 0) == 0

    @invariant()
    def provider_balances_match_the_model(self):
        for booking in self.bookings:
            owed = held(account(AccountKind.PROVIDER_BALANCE, "USD", provider=booking.provider))
            assert owed == self.balance[booking.provider_id]

    @invariant()
    def escrow_matches_the_model(self):
        for booking in self.bookings:
            state, m = escrow_state(booking), self.model[booking.pk]
            assert (state.captured, state.released, state.refunded) == (m["captured"], m["released"], m["refunded"])
            assert state.held == self._held(booking) >= 0


def test_escrow_invariants_hold_over_random_sequences(tenant_a):
    EscrowMachine.tenant = tenant_a
    run = EscrowMachine.TestCase
    run.settings = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    run().runTest()
