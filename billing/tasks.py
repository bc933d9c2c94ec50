"""Periodic billing jobs."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="billing.record_usage")
def record_usage() -> int:
    """Per marketplace (dispatched with its schema): snapshot this usage month."""
    from billing.services import usage_record

    return usage_record(tenant=connection.tenant).pk


@shared_task(name="billing.measure_storage")
def measure_storage() -> int:
    """Per marketplace (dispatched with its schema): set its storage counter to what its files take."""
    from billing.storage import storage_measure

    usage = storage_measure()
    return usage.bytes if usage else 0


@shared_task(name="billing.run_dunning")
def run_dunning() -> dict[str, int]:
    """Platform-wide (public schema): the dunning steps due now; see billing/dunning.py."""
    from billing.dunning import dunning_run

    return dunning_run()


@shared_task(name="billing.send_dunning_email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_dunning_email(*, event_id: int, kind: str) -> bool:
    """Email the marketplace's operator about a dunning step (public schema)."""
    from django.conf import settings
    from django.core.mail import send_mail

    from billing.emails import billing_contact, render_dunning_email, should_send
    from billing.models import SubscriptionEvent

    event = SubscriptionEvent.objects.select_related("subscription__tenant__owner").filter(pk=event_id).first()
    if event is None or not should_send(event):
        return False
    recipient = billing_contact(event.subscription.tenant)
    if recipient is None:
        return False
    subject, body = render_dunning_email(event, kind)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    return True


@shared_task(name="billing.retry_webhook_events")
def retry_webhook_events() -> dict[str, int]:
    """Platform-wide: billing provider events stored but not processed yet (their invoice was not
    committed when they came) are processed again."""
    from billing.webhooks import webhook_events_retry

    return webhook_events_retry()
