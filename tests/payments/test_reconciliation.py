"""The daily comparison of the ledger with the local processor's records: a clean day has no
mismatches; money the processor moved without a posting, or a posting without processor money, is
reported to the marketplace's admins and the platform's payments address."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from marketplace.bookings.models import MoneyIntent
from marketplace.payments.models import LocalCharge, ReconciliationReport
from marketplace.payments.reconciliation import reconcile_day
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _act, _book, _day, _slots

pytestmark = pytest.mark.django_db


def _paid_booking(api, tutoring):
    booking = _book(api, tutoring, _slots(api, tutoring, _day())[0]["starts_at"]).json()["id"]
    _act(api, booking, "pay", "client@example.org")
    return booking


def test_a_clean_day_has_no_mismatches(api_a, tenant_a, tutoring):
    booking = _paid_booking(api_a, tutoring)
    _act(api_a, booking, "cancel", "client@example.org")  # a refund too

    with tenant_context(tenant_a):
        report = reconcile_day(timezone.now().date())

    assert report.checked == 2 and report.mismatches == []
    assert mail.outbox == []


def test_processor_money_without_a_posting_and_a_posting_without_money_are_reported(api_a, tenant_a, tutoring):
    _paid_booking(api_a, tutoring)
    other = _paid_booking(api_a, tutoring)
    with tenant_context(tenant_a):
        # given: the processor took money nothing in the ledger explains...
        LocalCharge.objects.create(
            reference="lch_stray",
            idempotency_key="stray",
            kind="charge",
            amount=500,
            currency="USD",
            status="succeeded",
            captured=500,
        )
        # ...and a posted payment whose processor record is gone from the day
        hold = MoneyIntent.objects.get(booking__public_id=other, kind="hold")
        LocalCharge.objects.filter(reference=hold.reference).update(
            created_at=timezone.now() - datetime.timedelta(days=30)
        )

        report = reconcile_day(timezone.now().date())
        kept = ReconciliationReport.objects.get()

    problems = {(m["reference"], m["problem"].split(";")[0]) for m in report.mismatches}
    assert problems == {
        ("lch_stray", "the processor captured 500"),
        (hold.reference, f"the ledger has a capture ({hold.idempotency_key}) the processor does not"),
    }
    assert kept.pk == report.pk
    assert len(mail.outbox) == 1 and "2 payment mismatches" in mail.outbox[0].subject
    assert {"admin@alpha.test", settings.PAYMENTS_ALERT_EMAIL} <= set(mail.outbox[0].to)


def test_running_a_day_again_rewrites_its_report(api_a, tenant_a, tenant_b, tutoring):
    _paid_booking(api_a, tutoring)
    with tenant_context(tenant_a):
        reconcile_day(timezone.now().date())
        reconcile_day(timezone.now().date())
        reports = ReconciliationReport.objects.count()
    with tenant_context(tenant_b):
        elsewhere = reconcile_day(timezone.now().date())

    assert reports == 1
    assert elsewhere.checked == 0 and elsewhere.mismatches == []


def test_the_check_reads_the_ledger_in_a_fixed_number_of_queries(api_a, tenant_a, tutoring):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with tenant_context(tenant_a), CaptureQueriesContext(connection) as seen:
            reconcile_day(timezone.now().date())
        return len(seen)

    _paid_booking(api_a, tutoring)
    queries()  # the day's report exists from here on: later runs rewrite it
    one = queries()
    for _ in range(3):
        _paid_booking(api_a, tutoring)
    four = queries()

    assert four == one  # not one query per processor record
