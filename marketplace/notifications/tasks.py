"""Sending notification e-mails and the daily digest. Tasks run in the schema of the marketplace that
queued them (TenantTask stamps `_schema`; the digest is fanned out per marketplace by the beat)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from config.celery import SCHEMA_KWARG, TenantTask


class RetryInSchemaTask(TenantTask):
    """A retry carries the schema it ran in. (TenantTask stamps `_schema` in apply_async, which a
    worker's retry goes through; an eager retry is applied directly and would run in public.)"""

    def signature_from_request(self, request=None, args=None, kwargs=None, **options):
        from django.db import connection

        request = self.request if request is None else request
        kwargs = dict(request.kwargs if kwargs is None else kwargs or {})
        kwargs.setdefault(SCHEMA_KWARG, connection.schema_name)
        return super().signature_from_request(request, args, kwargs, **options)


MAX_RETRIES = 6  # with backoff: about an hour of trying before the delivery fails


@shared_task(
    name="notifications.send_email",
    base=RetryInSchemaTask,
    bind=True,
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    ignore_result=True,  # the delivery row is the record; nothing reads a result
)
def send_email(self, *, delivery_id: int) -> str | None:
    from marketplace.notifications.services import email_delivery_send

    delivery = email_delivery_send(delivery_id=delivery_id, final_attempt=self.request.retries >= self.max_retries)
    return delivery.status if delivery is not None else None


@shared_task(name="notifications.send_digests")
def send_digests() -> int:
    """The beat job: this marketplace's daily digests."""
    from marketplace.notifications.services import digests_send

    return digests_send()
