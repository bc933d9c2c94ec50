"""Bookings at /manage/bookings/: every booking with filters, one booking's timeline and money, and the
actions staff take as `admin` — with a reason, on the timeline and in the audit log."""

from __future__ import annotations

import pytest

from marketplace.audit.models import AuditEvent
from marketplace.bookings.models import Booking, BookingEvent
from marketplace.payments.escrow import escrow_state
from tenants.context import tenant_context
from tests.web.manage_trust.conftest import person

pytestmark = pytest.mark.django_db


def test_every_booking_is_listed_and_filters_narrow_the_list(admin, paid):
    everything = admin.get("/manage/bookings/")
    confirmed = admin.get("/manage/bookings/?state=confirmed&workflow=instant&provider=Tess&client=client@")
    completed = admin.get("/manage/bookings/?state=completed")
    someone_else = admin.get("/manage/bookings/?client=nobody-like-this")
    bad_date = admin.get("/manage/bookings/?date_from=not-a-date")

    assert everything.status_code == 200
    link = f'href="/manage/bookings/{paid}/"'
    assert link in everything.content.decode() and link in confirmed.content.decode()
    assert link not in completed.content.decode() and link not in someone_else.content.decode()
    assert bad_date.status_code == 200 and "Enter a valid date." in bad_date.content.decode()


def test_a_booking_shows_its_timeline_money_and_what_staff_may_do(admin, paid):
    page = admin.get(f"/manage/bookings/{paid}/")

    assert page.status_code == 200
    body = page.content.decode()
    assert "One-to-one sessions" in body and "60.00 USD" in body  # the price, and in escrow
    assert "Pay" in body  # the timeline
    assert 'value="complete"' in body and 'value="cancel_by_provider"' in body


def test_staff_intervene_as_the_marketplace_with_a_reason_on_the_timeline_and_in_the_audit_log(admin, tenant_a, paid):
    # when the admin completes the session, without and then with a reason
    no_reason = admin.post(f"/manage/bookings/{paid}/", {"action": "complete", "reason": ""})
    with tenant_context(tenant_a):
        before = Booking.objects.get(public_id=paid).state
    done = admin.post(f"/manage/bookings/{paid}/", {"action": "complete", "reason": "The tutor asked us to close it."})

    # then
    assert no_reason.status_code == 400 and "This field is required." in no_reason.content.decode()
    assert before == "confirmed"
    assert done.status_code == 302
    with tenant_context(tenant_a):
        booking = Booking.objects.get(public_id=paid)
        assert booking.state == "completed" and escrow_state(booking).released == 6000
        event = BookingEvent.objects.filter(booking=booking).latest("id")
        assert (event.role, event.actor.email, event.reason) == (
            "admin",
            "admin@alpha.test",
            "The tutor asked us to close it.",
        )
        audited = AuditEvent.objects.get(action="booking.complete", target_id=paid)
        assert audited.reason == "The tutor asked us to close it."


def test_an_action_that_does_not_fit_is_refused_on_the_page(admin, tenant_a, paid):
    admin.post(f"/manage/bookings/{paid}/", {"action": "cancel_by_provider", "reason": "The tutor is ill."})

    again = admin.post(f"/manage/bookings/{paid}/", {"action": "complete", "reason": "Close it."})

    assert again.status_code == 400  # not among the actions allowed now
    with tenant_context(tenant_a):
        booking = Booking.objects.get(public_id=paid)
        assert booking.state == "cancelled" and escrow_state(booking).refunded == 6000


def test_clients_cannot_intervene(tenant_a, web, paid):
    client = web(tenant_a, person(tenant_a, "client@example.org"))

    assert client.get("/manage/bookings/").status_code == 403
    assert client.post(f"/manage/bookings/{paid}/", {"action": "complete", "reason": "Me."}).status_code == 403


def test_the_other_marketplace_sees_nothing(tenant_b, web, paid):
    beta_admin = web(tenant_b, person(tenant_b, "admin@beta.test"))

    assert beta_admin.get(f"/manage/bookings/{paid}/").status_code == 404
    assert beta_admin.post(f"/manage/bookings/{paid}/", {"action": "complete", "reason": "x"}).status_code == 404
    assert paid not in beta_admin.get("/manage/bookings/").content.decode()
