from celery import shared_task


@shared_task(name="bookings.run_timers")
def run_timers() -> int:
    """Fire the current marketplace's due booking timers (expiry, auto-complete, auto-accept)."""
    from marketplace.bookings.services import timers_run

    return timers_run()
