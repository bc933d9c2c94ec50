from celery import shared_task


@shared_task(name="payments.process_webhook_event", bind=True, max_retries=8)
def process_webhook_event(self, *, event_id: int) -> str:
    """Act on one stored processor event. An event about a payout whose own transaction has not
    committed yet is tried again a little later."""
    from marketplace.payments.services import GatewayUnavailable
    from marketplace.payments.webhooks import NotYetKnown, webhook_process

    try:
        return webhook_process(event_id)
    except (NotYetKnown, GatewayUnavailable) as exc:
        raise self.retry(exc=exc, countdown=min(2**self.request.retries * 5, 600)) from exc


@shared_task(name="payments.settle_local_payout")
def settle_local_payout(reference: str) -> str:
    """The built-in processor's bank answers a payout: its event goes through the webhook path."""
    from marketplace.payments.gateways.local import LocalGateway
    from marketplace.payments.webhooks import webhook_store

    message = LocalGateway().settle_payout(reference)
    event, _ = webhook_store("local", message)
    return event.kind


@shared_task(name="payments.pay_out_scheduled")
def pay_out_scheduled() -> int:
    """Pay out providers whose payout schedule falls today (the daily beat job)."""
    from django.utils import timezone

    from marketplace.payments.payouts import payouts_due

    return len(payouts_due(timezone.localdate()))


@shared_task(name="payments.reconcile")
def reconcile(day: str | None = None) -> int:
    """Compare yesterday's (or `day`'s) ledger with the processor's records; returns the mismatches."""
    import datetime

    from django.utils import timezone

    from marketplace.payments.reconciliation import reconcile_day

    when = datetime.date.fromisoformat(day) if day else timezone.localdate() - datetime.timedelta(days=1)
    return len(reconcile_day(when).mismatches)
