"""Reminders before a session: one a day before and one an hour before, to the client and the
provider. The periodic job finds confirmed sessions entering each window, writes one timeline line per
reminder (which is what makes a second run send nothing) and emails after commit."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from marketplace.bookings.models import Booking, BookingEvent

# (timeline action, how long before the start the reminder goes out)
REMINDERS = (("reminder_24h", timedelta(hours=24)), ("reminder_1h", timedelta(hours=1)))


def reminders_due(*, now: datetime | None = None) -> int:
    """Record and queue every reminder that is due now; returns how many. Idempotent."""
    now = now or timezone.now()
    queued = 0
    for action, ahead in REMINDERS:
        candidates = (
            Booking.objects.filter(state="confirmed", starts_at__gt=now, starts_at__lte=now + ahead)
            .exclude(events__action=action)
            .values_list("pk", flat=True)
        )
        for booking_id in candidates:
            queued += _remind(booking_id, action, now)
    return queued


@transaction.atomic
def _remind(booking_id: int, action: str, now: datetime) -> int:
    booking = Booking.objects.select_for_update().filter(pk=booking_id, state="confirmed").first()
    if booking is None or booking.events.filter(action=action).exists():
        return 0
    # A session booked less than an hour before it starts gets only the one-hour reminder.
    if action == "reminder_24h" and booking.starts_at - now <= timedelta(hours=1):
        return 0
    BookingEvent.objects.create(
        booking=booking, role="system", action=action, from_state=booking.state, to_state=booking.state
    )
    transaction.on_commit(lambda: _queue(booking.pk, action))
    return 1


def _queue(booking_id: int, action: str) -> None:
    send_reminder.delay(booking_id=booking_id, action=action)


@shared_task(name="bookings.send_reminders")
def send_reminders() -> int:
    """The beat job: record and queue the current marketplace's due reminders."""
    return reminders_due()


@shared_task(name="bookings.send_reminder", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_reminder(*, booking_id: int, action: str) -> int:
    return reminder_send(booking_id=booking_id, action=action)


def reminder_send(*, booking_id: int, action: str) -> int:
    """Remind the client and the provider, each in their own time zone, through their notifications
    (in the app, and by email unless they unsubscribed from reminders)."""
    from marketplace.bookings.selectors import schedule_for
    from marketplace.notifications.events import booking_reminder

    booking = Booking.objects.select_related("listing", "client", "provider__user").filter(pk=booking_id).first()
    if booking is None or booking.state != "confirmed":
        return 0
    schedule = schedule_for(booking.listing)
    zones = {"client": booking.client_time_zone, "provider": schedule.time_zone if schedule else "UTC"}
    people = {"client": booking.client, "provider": booking.provider.user}
    for role, person in people.items():
        when = booking.starts_at.astimezone(zoneinfo.ZoneInfo(zones[role]))
        booking_reminder(booking, person=person, when=f"{when:%A %d %B %Y, %H:%M} ({zones[role]})", action=action)
    return len(people)
