from celery import shared_task


@shared_task(name="disputes.run_timers")
def run_timers() -> int:
    """Escalate stalled disputes and carry out unappealed decisions (the beat job)."""
    from marketplace.disputes.services import disputes_run_timers

    return disputes_run_timers()
