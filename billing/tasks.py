"""Periodic billing jobs."""

from __future__ import annotations

from celery import shared_task
from django.db import connection


@shared_task(name="billing.record_usage")
def record_usage() -> int:
    """Per marketplace (dispatched with its schema): snapshot this usage month."""
    from billing.services import usage_record

    return usage_record(tenant=connection.tenant).pk
