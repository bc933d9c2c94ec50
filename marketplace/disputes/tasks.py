from celery import shared_task

SUBJECTS = {
    "opened": "A dispute was opened about your booking",
    "updated": "New message in your dispute",
    "proposal": "A settlement was proposed in your dispute",
    "escalated": "Your dispute is with a mediator",
    "decided": "The mediator decided your dispute",
    "appealed": "Your dispute was appealed",
    "closed": "Your dispute is closed",
}


@shared_task(name="disputes.notify", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_dispute(*, dispute_id: int, what: str) -> int:
    """Email everyone involved (both parties; the mediators once it is escalated) about a change."""
    from django.conf import settings
    from django.core.mail import send_mail

    from accounts.emails import site_name_and_url
    from accounts.models import User
    from marketplace.disputes.models import Dispute

    dispute = Dispute.objects.select_related("booking__client", "booking__provider__user").get(pk=dispute_id)
    people = {dispute.booking.client.email, dispute.booking.provider.user.email}
    if what in ("escalated", "appealed"):
        mediators = User.objects.filter(is_active=True, is_marketplace_admin=True).values_list("email", flat=True)
        people |= set(mediators)
    site_name, base_url = site_name_and_url()
    body = (
        f"{SUBJECTS[what]}.\n\nBooking {dispute.booking.public_id}, dispute {dispute.public_id}: "
        f"{dispute.get_state_display()}.\n\n"
        f"See the timeline: {base_url.rstrip('/')}/api/v1/disputes/{dispute.public_id}/\n"
    )
    send_mail(f"[{site_name}] {SUBJECTS[what]}", body, settings.DEFAULT_FROM_EMAIL, sorted(people))
    return len(people)


@shared_task(name="disputes.run_timers")
def run_timers() -> int:
    """Escalate stalled disputes and carry out unappealed decisions (the beat job)."""
    from marketplace.disputes.services import disputes_run_timers

    return disputes_run_timers()
