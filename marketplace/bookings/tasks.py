from celery import shared_task

from marketplace.bookings.reminders import send_reminder, send_reminders  # noqa: F401 - registers them


@shared_task(name="bookings.run_timers")
def run_timers() -> int:
    """Fire the current marketplace's due booking timers (expiry, auto-complete, auto-accept)."""
    from marketplace.bookings.services import timers_run

    return timers_run()


@shared_task(name="bookings.send_confirmation", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_confirmation(*, booking_id: int) -> bool:
    """Email a confirmed booking, with its calendar invite, to the client and the provider (once)."""
    from marketplace.bookings.calendars import confirmation_send

    return confirmation_send(booking_id=booking_id)


@shared_task(name="bookings.sync_calendar")
def sync_calendar(*, calendar_id: int) -> bool:
    """Import one external calendar's busy times; failures are recorded on the calendar."""
    from marketplace.bookings.calendars import calendar_sync

    calendar = calendar_sync(calendar_id=calendar_id)
    return bool(calendar and not calendar.last_error)


@shared_task(name="bookings.sync_calendars")
def sync_calendars() -> int:
    """Queue a sync of every external calendar of the current marketplace (the beat job)."""
    from marketplace.bookings.calendars import calendars_sync_all

    return calendars_sync_all()
