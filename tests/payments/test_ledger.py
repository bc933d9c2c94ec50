"""The ledger's rules hold in PostgreSQL itself, and the escrow operations keep every cent."""

import threading
import time

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from marketplace.common.errors import Conflict, ValidationFailed
from marketplace.payments.escrow import (
    escrow_capture,
    escrow_freeze,
    escrow_refund,
    escrow_release,
    escrow_state,
    escrow_unfreeze,
    split,
)
from marketplace.payments.ledger import (
    AccountKey,
    account,
    accounts,
    balance,
    held,
    platform_totals,
    post,
    post_unless_posted,
    reverse,
)
from marketplace.payments.models import AccountKind, JournalEntry, JournalTransaction, LedgerAccount
from tenants.context import tenant_context
from tests.bookings.test_booking_api import tutoring  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _check_now():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_refuses_an_unbalanced_journal_transaction(tenant_a):
    with tenant_context(tenant_a):
        cash, fees = account(AccountKind.PAYMENTS_CLEARING, "USD"), account(AccountKind.GATEWAY_FEES, "USD")
        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            journal = JournalTransaction.objects.create(kind="bad", idempotency_key="bad-1")
            JournalEntry.objects.create(transaction=journal, account=cash, amount=500, currency="USD")
            JournalEntry.objects.create(transaction=journal, account=fees, amount=-499, currency="USD")
            _check_now()
        assert not JournalTransaction.objects.filter(idempotency_key="bad-1").exists()


def test_an_entry_added_later_to_a_posted_transaction_is_checked_again(tenant_a):
    with tenant_context(tenant_a):
        cash, fees = account(AccountKind.PAYMENTS_CLEARING, "USD"), account(AccountKind.GATEWAY_FEES, "USD")
        journal, _ = post(kind="fee", key="fee-late", lines=[(fees, 30), (cash, -30)])
        _check_now()  # the transaction as posted balances
        with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
            JournalEntry.objects.create(transaction=journal, account=cash, amount=-1, currency="USD")
            _check_now()
        assert journal.entries.count() == 2 and balance(cash) == -30


def test_the_balance_check_reads_the_marketplace_of_the_entries_wherever_the_connection_points(tenant_a, tenant_b):
    def journal_777(amounts):
        cash, fees = account(AccountKind.PAYMENTS_CLEARING, "USD"), account(AccountKind.GATEWAY_FEES, "USD")
        journal = JournalTransaction.objects.create(id=777, kind="fee", idempotency_key="same-id")
        for ledger_account, amount in zip((fees, cash), amounts, strict=True):
            JournalEntry.objects.create(transaction=journal, account=ledger_account, amount=amount, currency="USD")

    # given: transaction 777 balances in alpha; 777 of beta does not
    with pytest.raises(IntegrityError, match="777 does not balance"), transaction.atomic():
        with tenant_context(tenant_a):
            journal_777((500, -500))
        with tenant_context(tenant_b):
            journal_777((500, -499))
        # when: checked while the connection points at alpha (as at a commit after switching back)
        with tenant_context(tenant_a):
            _check_now()
    # then: beta's rows were judged by beta's entries, and nothing was kept
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            assert not JournalTransaction.objects.filter(pk=777).exists()


def test_the_journal_is_append_only_and_entries_take_their_accounts_currency(tenant_a):
    with tenant_context(tenant_a):
        cash, fees = account(AccountKind.PAYMENTS_CLEARING, "USD"), account(AccountKind.GATEWAY_FEES, "USD")
        journal, _ = post(kind="fee", key="fee-1", lines=[(fees, 30), (cash, -30)])
        entry = journal.entries.first()
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            JournalEntry.objects.filter(pk=entry.pk).update(amount=31)
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:  # straight to the database, past Django's own protection
                cursor.execute("DELETE FROM payments_journaltransaction WHERE id = %s", [journal.pk])
        with pytest.raises(IntegrityError, match="currency"), transaction.atomic():
            JournalEntry.objects.create(transaction=journal, account=cash, amount=1, currency="EUR")
        assert balance(fees) == 30 and balance(cash) == -30


def test_posting_checks_balance_and_a_replayed_key_posts_nothing(tenant_a):
    with tenant_context(tenant_a):
        cash, fees = account(AccountKind.PAYMENTS_CLEARING, "USD"), account(AccountKind.GATEWAY_FEES, "USD")
        with pytest.raises(ValidationFailed):
            post(kind="fee", key="k", lines=[(fees, 30), (cash, -29)])
        first, new = post(kind="fee", key="k", lines=[(fees, 30), (cash, -30)])
        again, new_again = post(kind="fee", key="k", lines=[(fees, 999), (cash, -999)])
        reversal = reverse(first, key="k-undo")

        assert (new, new_again, again.pk) == (True, False, first.pk)
        assert JournalEntry.objects.count() == 4
        assert reversal.reverses_id == first.pk and balance(fees) == 0 and balance(cash) == 0


def test_accounts_are_found_together_and_created_once(tenant_a, booking_a, django_assert_num_queries):
    with tenant_context(tenant_a):
        escrow = AccountKey(AccountKind.ESCROW, "USD", booking_id=booking_a.pk)
        provider = AccountKey(AccountKind.PROVIDER_BALANCE, "USD", provider_id=booking_a.provider_id)
        fees = AccountKey(AccountKind.PLATFORM_FEE, "USD")
        assert not LedgerAccount.objects.exists()  # (and the search path is set before counting)
        with django_assert_num_queries(2):  # one look-up, one insert of the missing
            created = accounts([escrow, provider, fees, escrow])
        with django_assert_num_queries(1):
            found = accounts([fees, escrow, provider])
        single = account(AccountKind.ESCROW, "USD", booking=booking_a)

        assert [a.kind for a in created] == ["escrow", "provider_balance", "platform_fee", "escrow"]
        assert [a.pk for a in found] == [created[2].pk, created[0].pk, created[1].pk]
        assert single.pk == created[0].pk and created[0] is created[3]
        assert LedgerAccount.objects.count() == 3


def test_an_account_created_by_a_racing_transaction_is_used_not_duplicated(tenant_a):
    db = django_settings.DATABASES["default"]
    other = psycopg.connect(
        dbname=db["NAME"], user=db["USER"], password=db.get("PASSWORD") or None, host=db["HOST"], port=db["PORT"]
    )
    key = AccountKey(AccountKind.GATEWAY_FEES, "XTS")  # a currency no other test uses
    try:
        # given: another transaction has inserted the account and not yet committed
        other.execute(f'SET search_path = "{tenant_a.schema_name}"')
        theirs = other.execute(
            "INSERT INTO payments_ledgeraccount (kind, currency) VALUES (%s, %s) RETURNING id", [key.kind, key.currency]
        ).fetchone()[0]
        committer = threading.Timer(0.3, other.commit)
        committer.start()
        # when: this one asks for the account at the same time
        started = time.monotonic()
        with tenant_context(tenant_a):
            ours = accounts([key])[0]
        committer.join()

        # then: it waited for the other and uses its row
        assert ours.pk == theirs and time.monotonic() - started >= 0.25
    finally:
        other.rollback()
        other.execute("DELETE FROM payments_ledgeraccount WHERE kind = %s AND currency = %s", [key.kind, key.currency])
        other.commit()
        other.close()


def test_a_key_taken_since_the_callers_own_look_up_posts_nothing(tenant_a):
    with tenant_context(tenant_a):
        cash, fees = account(AccountKind.PAYMENTS_CLEARING, "USD"), account(AccountKind.GATEWAY_FEES, "USD")
        first, _ = post(kind="fee", key="taken", lines=[(fees, 30), (cash, -30)])
        again, new = post_unless_posted(kind="fee", key="taken", lines=[(fees, 70), (cash, -70)])

        assert (again.pk, new) == (first.pk, False)
        assert JournalEntry.objects.count() == 2 and balance(fees) == 30


def test_escrow_state_counts_every_entry_of_the_escrow_account_as_held(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=1_000, key="cap")
        escrow = account(AccountKind.ESCROW, "USD", booking=booking_a)
        cash = account(AccountKind.PAYMENTS_CLEARING, "USD")
        post(kind="adjustment", key="adj", lines=[(cash, 300), (escrow, -300)])  # on no booking
        escrow_release(booking=booking_a, amount=1_300, key="rel")
        state = escrow_state(booking_a)

    assert (state.captured, state.released, state.refunded, state.held, state.frozen) == (1_000, 1_300, 0, 0, False)


@given(
    gross=st.integers(min_value=1, max_value=10**12),
    commission_bps=st.integers(min_value=0, max_value=10_000),
    fee_bps=st.integers(min_value=0, max_value=10_000),
)
def test_the_split_always_adds_up_to_the_gross(gross, commission_bps, fee_bps):
    parts = split(gross, commission_bps=commission_bps, platform_fee_bps=fee_bps)

    assert parts.provider + parts.marketplace + parts.platform == gross
    assert parts.provider == gross - gross * commission_bps // 10_000 >= 0
    assert 0 <= parts.platform <= gross
    if fee_bps <= commission_bps:
        assert parts.marketplace >= 0


def test_capture_release_with_commission_and_fee(tenant_a, booking_a, settings):
    with tenant_context(tenant_a):
        type(booking_a).objects.filter(pk=booking_a.pk).update(platform_fee_bps=250)  # the plan's fee when booked
        escrow_capture(booking=booking_a, amount=10_005, key="cap-1")
        escrow_release(booking=booking_a, amount=10_005, key="rel-1")
        replay = escrow_release(booking=booking_a, amount=10_005, key="rel-1")
        with pytest.raises(Conflict) as too_much:
            escrow_release(booking=booking_a, amount=1, key="rel-2")
        state = escrow_state(booking_a)
        provider = held(account(AccountKind.PROVIDER_BALANCE, "USD", provider=booking_a.provider))
        marketplace = held(account(AccountKind.MARKETPLACE_COMMISSION, "USD"))
        platform = held(account(AccountKind.PLATFORM_FEE, "USD"))

    assert (state.captured, state.released, state.held) == (10_005, 10_005, 0)
    # commission floor(10005 × 10%) = 1000; fee floor(10005 × 2.5%) = 250, out of the commission
    assert (provider, marketplace, platform) == (9_005, 750, 250)
    assert replay.idempotency_key == "rel-1" and too_much.value.code == "release_exceeds_escrow"


def test_refunds_come_from_escrow_then_from_the_providers_balance_and_never_exceed_the_payment(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=10_000, key="cap")
        escrow_refund(booking=booking_a, amount=2_000, key="ref-1")  # before release: from escrow
        escrow_release(booking=booking_a, amount=8_000, key="rel")
        escrow_refund(booking=booking_a, amount=7_500, key="ref-2")  # after release: clawed back
        with pytest.raises(Conflict) as over:
            escrow_refund(booking=booking_a, amount=501, key="ref-3")
        state = escrow_state(booking_a)
        provider = held(account(AccountKind.PROVIDER_BALANCE, "USD", provider=booking_a.provider))
        totals = platform_totals("USD")

    assert (state.captured, state.released, state.refunded, state.held) == (10_000, 8_000, 9_500, 0)
    assert provider == 8_000 * 9 // 10 - 7_500  # 7200 earned, 7500 clawed back: owes 300
    assert over.value.code == "refund_exceeds_paid"
    assert sum(totals.values()) == 0


def test_a_frozen_escrow_releases_nothing_until_unfrozen(tenant_a, booking_a):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=5_000, key="cap")
        escrow_freeze(booking=booking_a, reason="Dispute opened")
        escrow_freeze(booking=booking_a, reason="Again")
        with pytest.raises(Conflict) as frozen:
            escrow_release(booking=booking_a, amount=5_000, key="rel")
        refund = escrow_refund(booking=booking_a, amount=1_000, key="ref")  # refunds stay possible
        escrow_unfreeze(booking=booking_a)
        escrow_release(booking=booking_a, amount=4_000, key="rel")
        state = escrow_state(booking_a)

    assert frozen.value.code == "escrow_frozen" and refund.kind == "refund"
    assert (state.held, state.released, state.frozen) == (0, 4_000, False)


@pytest.mark.parametrize("amount", [0, -5, 2.5, True, "100"])
def test_bad_amounts_are_refused_and_nothing_is_posted(tenant_a, booking_a, amount):
    with tenant_context(tenant_a):
        for operation in (escrow_capture, escrow_release, escrow_refund):
            with pytest.raises(ValidationFailed):
                operation(booking=booking_a, amount=amount, key=f"bad-{operation.__name__}")
        assert not JournalTransaction.objects.exists()


def test_each_marketplace_has_its_own_ledger(tenant_a, tenant_b, booking_a, booking_b):
    with tenant_context(tenant_a):
        escrow_capture(booking=booking_a, amount=7_000, key="same-key")
    with tenant_context(tenant_b):
        escrow_capture(booking=booking_b, amount=3_000, key="same-key")
        assert escrow_state(booking_b).held == 3_000
        assert platform_totals("USD")[AccountKind.PAYMENTS_CLEARING] == 3_000
    with tenant_context(tenant_a):
        assert platform_totals("USD")[AccountKind.PAYMENTS_CLEARING] == 7_000


def _client_pays(api, tenant, card):
    from tests.bookings.test_booking_api import _auth, _day, _slots

    listing = api.get("/api/v1/search/listings/?q=sessions").json()["results"][0]["id"]
    slot = _slots(api, listing, _day())[0]["starts_at"]
    client = _auth(api, "client@example.org")
    booking = api.post(
        "/api/v1/bookings/",
        {"listing": listing, "package": "Hour", "starts_at": slot, "time_zone": "UTC"},
        format="json",
        **client,
    ).json()["id"]
    paid = api.post(
        f"/api/v1/bookings/{booking}/actions/",
        {"action": "pay", "data": {"payment_method": card}},
        format="json",
        **client,
    )
    return booking, paid


@pytest.mark.parametrize(
    ("card", "status", "code"),
    [
        ("4000 0000 0000 0002", 402, "payment_failed"),
        ("4000 0025 0000 3155", 402, "payment_failed"),
        ("1234", 402, "payment_failed"),
        ("", 400, "validation_failed"),
    ],
)
def test_a_refused_card_leaves_the_booking_and_the_ledger_untouched(api_a, tenant_a, tutoring, card, status, code):  # noqa: F811
    from marketplace.bookings.models import Booking

    booking, paid = _client_pays(api_a, tenant_a, card)

    assert paid.status_code == status and paid.json()["error"]["code"] == code
    with tenant_context(tenant_a):
        stored = Booking.objects.get(public_id=booking)
        assert stored.state == "pending_payment" and not stored.money_intents.exists()
        assert not JournalTransaction.objects.exists()


def test_paying_and_completing_move_real_money_through_the_ledger(api_a, tenant_a, tutoring, settings):  # noqa: F811
    from datetime import timedelta

    from marketplace.bookings.models import Booking
    from marketplace.bookings.services import timers_run
    from marketplace.payments.models import LocalCharge

    booking, paid = _client_pays(api_a, tenant_a, "4242 4242 4242 4242")
    assert paid.status_code == 200, paid.content
    with tenant_context(tenant_a):
        stored = Booking.objects.get(public_id=booking)
        held_now = escrow_state(stored).held
        charge = LocalCharge.objects.get(kind="charge")
        timers_run(now=stored.ends_at + timedelta(hours=49))  # auto-complete releases the escrow
        state = escrow_state(stored)
        provider = held(account(AccountKind.PROVIDER_BALANCE, "USD", provider=stored.provider))
        totals = platform_totals("USD")

    assert held_now == 6_000 and (charge.amount, charge.status, charge.card_last4) == (6_000, "succeeded", "4242")
    assert (state.released, state.held) == (6_000, 0)
    assert provider == 5_400  # 6000 − 10% commission
    assert totals[AccountKind.MARKETPLACE_COMMISSION] == -480 and totals[AccountKind.PLATFORM_FEE] == -120
    assert totals[AccountKind.PAYMENTS_CLEARING] == 6_000 and sum(totals.values()) == 0
