"""Reminders a day and an hour before a confirmed session: each once, to both sides, in their zones."""

from datetime import timedelta

import pytest

from accounts.models import User
from marketplace.bookings.models import Booking
from marketplace.bookings.reminders import reminders_due
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _act, _book, _day, _slots, tutoring  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _confirmed(api_a, tenant_a, listing, email="client@example.org"):
    booking = _book(api_a, listing, _slots(api_a, listing, _day())[0]["starts_at"], email=email).json()["id"]
    _act(api_a, booking, "pay", email)
    with tenant_context(tenant_a):
        return Booking.objects.get(public_id=booking)


def test_a_day_and_an_hour_before_each_side_is_reminded_once(api_a, tenant_a, tutoring, run_on_commit, mailoutbox):  # noqa: F811
    booking = _confirmed(api_a, tenant_a, tutoring)
    mailoutbox.clear()
    start = booking.starts_at

    with tenant_context(tenant_a):
        with run_on_commit():
            far = reminders_due(now=start - timedelta(hours=30))
            day_before = reminders_due(now=start - timedelta(hours=23))
            again = reminders_due(now=start - timedelta(hours=22))
        day_mails = list(mailoutbox)
        with run_on_commit():
            hour_before = reminders_due(now=start - timedelta(minutes=50))
            after_start = reminders_due(now=start + timedelta(minutes=5))
        actions = list(booking.events.values_list("action", flat=True))

    assert (far, day_before, again, hour_before, after_start) == (0, 1, 0, 1, 0)
    assert sorted(m.to[0] for m in day_mails) == ["client@example.org", "tutor@example.org"]
    client_mail = next(m for m in day_mails if m.to == ["client@example.org"])
    assert client_mail.subject == f"[Alpha University] Reminder: {booking.listing.title} starts soon"
    assert "(America/New_York)" in client_mail.body
    provider_mail = next(m for m in day_mails if m.to == ["tutor@example.org"])
    assert "(Europe/London)" in provider_mail.body
    assert len(mailoutbox) == 4 and all("] Reminder:" in m.subject for m in mailoutbox)
    assert actions.count("reminder_24h") == 1 and actions.count("reminder_1h") == 1


def test_cancelled_sessions_and_late_bookings_get_no_day_reminder(api_a, tenant_a, tutoring, run_on_commit, mailoutbox):  # noqa: F811
    cancelled = _confirmed(api_a, tenant_a, tutoring)
    _act(api_a, cancelled.public_id, "cancel", "client@example.org")
    late = _confirmed(api_a, tenant_a, tutoring, email="rival@example.org")
    mailoutbox.clear()
    with tenant_context(tenant_a):
        # booked for 40 minutes from "now": only the one-hour reminder applies
        start = late.starts_at
        with run_on_commit():
            sent = reminders_due(now=start - timedelta(minutes=40))
        cancelled_events = list(Booking.objects.get(pk=cancelled.pk).events.values_list("action", flat=True))
        late_events = list(Booking.objects.get(pk=late.pk).events.values_list("action", flat=True))

    assert sent == 1
    assert "reminder_24h" not in late_events and "reminder_1h" in late_events
    assert not any(a.startswith("reminder") for a in cancelled_events)
    assert sorted(m.to[0] for m in mailoutbox) == ["rival@example.org", "tutor@example.org"]


def test_unsubscribing_from_reminders_stops_only_reminders(api_a, tenant_a, tutoring, run_on_commit, mailoutbox):  # noqa: F811
    from marketplace.notifications.models import Notification, NotificationPreference

    # given the client turned reminder emails off
    with tenant_context(tenant_a):
        client = User.objects.get(email="client@example.org")
        NotificationPreference.objects.create(user=client, kind="booking.reminder", email=False, digest=False)
    mailoutbox.clear()
    with run_on_commit():
        booking = _confirmed(api_a, tenant_a, tutoring)
    confirmed_mails = [m.subject for m in mailoutbox if m.to == ["client@example.org"]]
    mailoutbox.clear()

    with tenant_context(tenant_a):
        with run_on_commit():
            reminders_due(now=booking.starts_at - timedelta(hours=23))
        kinds = sorted(Notification.objects.filter(user=client).values_list("kind", flat=True))

    # then the provider is emailed the reminder, the client is not (but sees it in the app), and the
    # client's other emails still came
    assert [m.to[0] for m in mailoutbox] == ["tutor@example.org"]
    assert "booking.reminder" in kinds and "booking.confirmed" in kinds
    assert any("confirmed" in subject.lower() for subject in confirmed_mails)
