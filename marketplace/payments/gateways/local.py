"""The built-in test processor: no keys, no network; its records live in the marketplace's schema
so the ledger can be reconciled against them, and its events go through the same webhook path as a
real processor's (signed the way Stripe signs, with a key derived from SECRET_KEY). Test cards:

- 4242 4242 4242 4242 — succeeds
- 4000 0000 0000 0002 — declined
- 4000 0025 0000 3155 — requires authentication (3-D Secure), which this processor cannot complete

Test bank accounts for payouts (given at payee onboarding): 000123456789 is paid;
000111111116 fails (the payout comes back to the provider's balance).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.payments.gateways.base import (
    AUTHORIZED,
    DECLINED,
    FAILED,
    IN_TRANSIT,
    PAID,
    REQUIRES_ACTION,
    SUCCEEDED,
    GatewayRecord,
    GatewayResult,
    InvalidWebhook,
    Payee,
    WebhookMessage,
)
from marketplace.payments.models import LocalCharge

CARDS = {
    "4242424242424242": (SUCCEEDED, ""),
    "4000000000000002": (DECLINED, "Your card was declined."),
    "4000002500003155": (REQUIRES_ACTION, "Your bank asks you to confirm this payment; use another card."),
}
PAID_BANK_ACCOUNT, FAILING_BANK_ACCOUNT = "000123456789", "000111111116"
SIGNATURE_HEADER = "Local-Signature"


def webhook_secret() -> str:
    return hmac.new(settings.SECRET_KEY.encode(), b"local-payments-webhooks", hashlib.sha256).hexdigest()


def sign(payload: bytes, *, at: int | None = None) -> str:
    """The signature header for `payload`: t=<unix time>,v1=<HMAC-SHA256 of "t.payload">."""
    at = int(time.time()) if at is None else at
    mac = hmac.new(webhook_secret().encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={mac}"


class LocalGateway:
    name = "local"
    authorization_window = datetime.timedelta(days=6)
    release_window = datetime.timedelta(days=90)  # funds taken are paid out within 90 days

    def authorize(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        return self._card(amount, currency, payment_method, key, on_success=AUTHORIZED)

    def charge(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        return self._card(amount, currency, payment_method, key, on_success=SUCCEEDED)

    def _card(self, amount, currency, payment_method, key, *, on_success) -> GatewayResult:
        card = "".join(str(payment_method).split())
        status, message = CARDS.get(card, (DECLINED, "Use one of the test cards, e.g. 4242 4242 4242 4242."))
        if status == SUCCEEDED:
            status = on_success
        record = _once(
            key,
            lambda: LocalCharge(
                reference=f"lch_{secrets.token_hex(8)}",
                kind="charge",
                amount=amount,
                currency=currency,
                status=status,
                card_last4=card[-4:],
                captured=amount if status == SUCCEEDED else 0,
            ),
        )
        ok = record.status in (SUCCEEDED, AUTHORIZED)
        return GatewayResult(record.status, record.reference, "" if ok else message)

    def capture(self, *, reference: str, amount: int, currency: str, key: str) -> GatewayResult:
        with transaction.atomic():
            charge = LocalCharge.objects.select_for_update().get(reference=reference, kind="charge")
            if charge.status == AUTHORIZED:
                charge.status, charge.captured = SUCCEEDED, min(amount, charge.amount)
                charge.save(update_fields=["status", "captured"])
        if charge.status != SUCCEEDED:
            return GatewayResult(FAILED, reference, f"This payment is {charge.status}; it cannot be captured.")
        return GatewayResult(SUCCEEDED, reference)

    def void(self, *, reference: str, key: str) -> GatewayResult:
        LocalCharge.objects.filter(reference=reference, kind="charge", status=AUTHORIZED).update(status="canceled")
        return GatewayResult(SUCCEEDED, reference)

    def refund(self, *, charge: str, amount: int, currency: str, key: str) -> GatewayResult:
        return self._movement(
            key, "refund", "lre", amount, currency, refunds=LocalCharge.objects.filter(reference=charge).first()
        )

    def onboard_payee(self, *, email: str, country: str, key: str, return_url: str, bank_account: str = "") -> Payee:
        bank = "".join(ch for ch in bank_account if ch.isdigit()) or PAID_BANK_ACCOUNT
        account = f"lacct_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
        return Payee(account=account, onboarding_url="", payouts_enabled=True, details=f"test bank account {bank}")

    def payee_status(self, *, account: str, return_url: str = "") -> Payee:
        from marketplace.payments.models import PayeeAccount

        found = PayeeAccount.objects.filter(account=account).first()
        details = found.details if found else ""
        return Payee(account=account, onboarding_url="", payouts_enabled=found is not None, details=details)

    def transfer(self, *, payee: str, amount: int, currency: str, key: str, group: str) -> GatewayResult:
        return self._movement(key, "transfer", "ltr", amount, currency, payee=payee)

    def reverse_transfer(self, *, transfer: str, amount: int, key: str) -> GatewayResult:
        original = LocalCharge.objects.get(reference=transfer, kind="transfer")
        return self._movement(
            key, "reversal", "ltrr", amount, original.currency, payee=original.payee, refunds=original
        )

    def payout(self, *, payee: str, amount: int, currency: str, key: str) -> GatewayResult:
        return self._movement(key, "payout", "lpo", amount, currency, payee=payee, status=IN_TRANSIT)

    def settle_payout(self, reference: str) -> WebhookMessage:
        """The bank's answer for a payout in transit, as the event this processor sends about it."""
        from marketplace.payments.models import PayeeAccount

        with transaction.atomic():
            payout = LocalCharge.objects.select_for_update().get(reference=reference, kind="payout")
            if payout.status == IN_TRANSIT:
                payee = PayeeAccount.objects.filter(account=payout.payee).first()
                failing = payee is not None and payee.details.endswith(FAILING_BANK_ACCOUNT)
                payout.status = FAILED if failing else PAID
                payout.save(update_fields=["status"])
        data = {"amount": payout.amount, "currency": payout.currency}
        if payout.status == FAILED:
            data["failure_message"] = "The bank refused the transfer: the account is closed."
        return WebhookMessage(
            event_id=f"levt_{payout.reference}_{payout.status}",
            kind=f"payout.{payout.status}",
            reference=payout.reference,
            created=timezone.now(),
            data=data,
        )

    def _movement(self, key, kind, prefix, amount, currency, *, status=SUCCEEDED, payee="", refunds=None):
        record = _once(
            key,
            lambda: LocalCharge(
                reference=f"{prefix}_{secrets.token_hex(8)}",
                kind=kind,
                amount=amount,
                currency=currency,
                status=status,
                payee=payee,
                refunds=refunds,
            ),
        )
        return GatewayResult(record.status, record.reference)

    def parse_webhook(self, *, payload: bytes, headers: dict[str, str]) -> WebhookMessage:
        header = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        try:
            at = int(parts.get("t", ""))
        except ValueError:
            raise InvalidWebhook("missing or unreadable signature header") from None
        if not hmac.compare_digest(sign(payload, at=at), header) or abs(time.time() - at) > 300:
            raise InvalidWebhook("signature does not match, or the event is older than 5 minutes")
        try:
            event = json.loads(payload)
            return WebhookMessage(
                event_id=str(event["id"]),
                kind=str(event["kind"]),
                reference=str(event.get("reference", "")),
                created=datetime.datetime.fromtimestamp(int(event["created"]), tz=datetime.UTC),
                data=dict(event.get("data") or {}),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook(f"unreadable event: {exc}") from None

    def records(self, *, since: datetime.datetime, until: datetime.datetime) -> list[GatewayRecord]:
        rows = LocalCharge.objects.filter(created_at__gte=since, created_at__lt=until).order_by("id")
        return [
            GatewayRecord(
                reference=row.reference,
                kind=row.kind,
                amount=row.captured if row.kind == "charge" else row.amount,
                currency=row.currency,
                status=row.status,
                created=row.created_at,
                key=row.idempotency_key,
            )
            for row in rows
        ]


def _once(key: str, make) -> LocalCharge:
    """The record for `key`, made the first time (a retried call returns the first answer)."""
    found = next(iter(LocalCharge.objects.filter(idempotency_key=key).order_by()[:1]), None)
    if found is not None:
        return found
    record = make()
    record.idempotency_key = key
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        return LocalCharge.objects.get(idempotency_key=key)
    return record
