"""Stripe. Cards are taken with PaymentIntents confirmed at once with the PaymentMethod the payer's
browser made (Stripe.js); providers are paid through Connect Express accounts: released money is
transferred from the marketplace's balance to theirs (separate charges and transfers, grouped by
payout) and paid out from there by a manual payout on their account. STRIPE_API_BASE points the
library at another server (a local fake one in tests).

Every marketplace shares the platform's Stripe account, so each object we make carries, in its
metadata, the ledger key it was made under and the marketplace (schema) it belongs to: a
marketplace's reconciliation reads only its own objects, and a webhook says whose object it is about.

Connect events (payouts, account updates) come to a second webhook endpoint with its own signing
secret: STRIPE_WEBHOOK_SECRET may hold both, separated by a comma."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import stripe
from django.conf import settings
from django.db import connection

from marketplace.payments.gateways.base import (
    AUTHORIZED,
    DECLINED,
    FAILED,
    IN_TRANSIT,
    PAID,
    PENDING,
    REQUIRES_ACTION,
    SUCCEEDED,
    GatewayError,
    GatewayRecord,
    GatewayResult,
    InvalidWebhook,
    Payee,
    WebhookMessage,
)

INTENT_STATUSES = {
    "requires_capture": AUTHORIZED,
    "succeeded": SUCCEEDED,
    "processing": PENDING,
    "requires_action": REQUIRES_ACTION,  # 3-D Secure: the payer's bank wants them to confirm
    "requires_confirmation": REQUIRES_ACTION,
    "requires_payment_method": DECLINED,  # the card was refused, or its authentication failed
    "canceled": FAILED,
}
REFUND_STATUSES = {
    "succeeded": SUCCEEDED,
    "pending": PENDING,
    "requires_action": PENDING,
    "failed": FAILED,
    "canceled": FAILED,
}
PAYOUT_STATUSES = {"pending": IN_TRANSIT, "in_transit": IN_TRANSIT, "paid": PAID, "failed": FAILED, "canceled": FAILED}
EVENT_KINDS = {
    "payment_intent.succeeded": "payment.succeeded",
    "payment_intent.payment_failed": "payment.failed",
    "charge.refunded": "refund.succeeded",
    "refund.failed": "refund.failed",
    "payout.paid": "payout.paid",
    "payout.failed": "payout.failed",
    "payout.canceled": "payout.failed",
    "account.updated": "payee.updated",
}
REFUND_EVENTS = {"refund.created", "refund.updated"}  # what they mean depends on the refund's status

DECLINED_MESSAGE = "Your card was declined."
CONFIRM_MESSAGE = "Your bank asks you to confirm this payment; use another card."

Answer = TypeVar("Answer")


def _reached(method: Callable[..., Answer]) -> Callable[..., Answer]:
    """Stripe unreachable or failing (connection refused, timeout, 5xx, rate limited, keys
    refused) raises GatewayError: the same call under the same key may be made again."""

    @functools.wraps(method)
    def reached(self, **kwargs) -> Answer:
        try:
            return method(self, **kwargs)
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe: {exc.user_message or exc}") from exc

    return reached


def _answered(method: Callable[..., GatewayResult]) -> Callable[..., GatewayResult]:
    """Stripe's refusals are answers: a card problem is `declined` with the message Stripe writes
    for the payer; a request Stripe refuses (capturing more than was authorised, refunding more
    than was paid, paying out more than the balance) is `failed` with Stripe's message."""

    @functools.wraps(method)
    def answered(self, **kwargs) -> GatewayResult:
        try:
            return method(self, **kwargs)
        except stripe.CardError as exc:
            intent = getattr(exc.error, "payment_intent", None)
            return GatewayResult(DECLINED, intent.id if intent else "", exc.user_message or DECLINED_MESSAGE)
        except stripe.InvalidRequestError as exc:
            return GatewayResult(FAILED, kwargs.get("reference", ""), exc.user_message or "Stripe refused the request.")

    return _reached(answered)


class StripeGateway:
    name = "stripe"
    # Card authorisations lapse after about 7 days; we keep a day's margin.
    authorization_window = datetime.timedelta(days=6)
    release_window = datetime.timedelta(days=90)  # funds taken are paid out within 90 days

    def __init__(self) -> None:
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        self.api = stripe.StripeClient(
            settings.STRIPE_API_KEY,
            base_addresses=base,
            # Two tries of 12 s fit in a web worker's 30 s; our idempotency key makes the second safe.
            max_network_retries=1,
            http_client=stripe.RequestsClient(timeout=12),
        ).v1

    @_answered
    def authorize(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        return self._pay(amount, currency, payment_method, key, capture_method="manual")

    @_answered
    def charge(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        return self._pay(amount, currency, payment_method, key, capture_method="automatic")

    def _pay(self, amount: int, currency: str, payment_method: str, key: str, *, capture_method: str) -> GatewayResult:
        intent = self.api.payment_intents.create(
            {
                "amount": amount,
                "currency": currency.lower(),
                "payment_method": payment_method,
                "payment_method_types": ["card"],  # nothing that sends the payer away to finish paying
                "capture_method": capture_method,
                "confirm": True,
                "metadata": _metadata(key),
            },
            {"idempotency_key": key},
        )
        return _intent_result(intent.to_dict())

    @_answered
    def capture(self, *, reference: str, amount: int, currency: str, key: str) -> GatewayResult:
        # The rest of the authorisation is released: the payer is never charged more later.
        intent = self.api.payment_intents.capture(reference, {"amount_to_capture": amount}, {"idempotency_key": key})
        return _intent_result(intent.to_dict())

    @_answered
    def void(self, *, reference: str, key: str) -> GatewayResult:
        intent = self.api.payment_intents.cancel(reference, options={"idempotency_key": key})
        return GatewayResult(SUCCEEDED, intent.id)

    @_answered
    def refund(self, *, charge: str, amount: int, currency: str, key: str) -> GatewayResult:
        refund = self.api.refunds.create(
            {"payment_intent": charge, "amount": amount, "metadata": _metadata(key)}, {"idempotency_key": key}
        )
        return GatewayResult(REFUND_STATUSES.get(refund.status, PENDING), refund.id)

    @_reached
    def onboard_payee(self, *, email: str, country: str, key: str, return_url: str, bank_account: str = "") -> Payee:
        """A Connect Express account and the link where the provider finishes onboarding (Stripe asks
        for their bank there, so `bank_account`, which the local processor takes, is not used)."""
        account = self.api.accounts.create(
            {
                "type": "express",
                "email": email,
                **({"country": country} if country else {}),  # otherwise the platform's country
                "capabilities": {"transfers": {"requested": True}},
                # The marketplace decides when money leaves: on request or on the provider's schedule.
                "settings": {"payouts": {"schedule": {"interval": "manual"}}},
                "metadata": _metadata(key),
            },
            {"idempotency_key": key},
        )
        return _payee(account.to_dict(), onboarding_url=self._onboarding_link(account.id, return_url))

    def _onboarding_link(self, account: str, return_url: str) -> str:
        # No idempotency key: a link works once and expires within minutes, so each ask gets a new one.
        link = self.api.account_links.create(
            {"account": account, "type": "account_onboarding", "return_url": return_url, "refresh_url": return_url}
        )
        return link.url

    @_reached
    def payee_status(self, *, account: str, return_url: str = "") -> Payee:
        found = self.api.accounts.retrieve(account).to_dict()
        if not return_url or found.get("payouts_enabled"):
            return _payee(found, onboarding_url="")
        return _payee(found, onboarding_url=self._onboarding_link(account, return_url))

    @_answered
    def transfer(self, *, payee: str, amount: int, currency: str, key: str, group: str) -> GatewayResult:
        transfer = self.api.transfers.create(
            {
                "amount": amount,
                "currency": currency.lower(),
                "destination": payee,
                "transfer_group": group,
                "metadata": _metadata(key),
            },
            {"idempotency_key": key},
        )
        return GatewayResult(SUCCEEDED, transfer.id)

    @_answered
    def reverse_transfer(self, *, transfer: str, amount: int, key: str) -> GatewayResult:
        reversal = self.api.transfers.reversals.create(
            transfer, {"amount": amount, "metadata": _metadata(key)}, {"idempotency_key": key}
        )
        return GatewayResult(SUCCEEDED, reversal.id)

    @_answered
    def payout(self, *, payee: str, amount: int, currency: str, key: str) -> GatewayResult:
        payout = self.api.payouts.create(
            {"amount": amount, "currency": currency.lower(), "metadata": _metadata(key)},
            {"idempotency_key": key, "stripe_account": payee},  # made on the provider's account
        ).to_dict()
        return GatewayResult(PAYOUT_STATUSES.get(payout["status"], IN_TRANSIT), payout["id"], _failure(payout))

    def parse_webhook(self, *, payload: bytes, headers: dict[str, str]) -> WebhookMessage:
        signature = {name.lower(): value for name, value in headers.items()}.get("stripe-signature", "")
        event = None
        for secret in filter(None, (s.strip() for s in settings.STRIPE_WEBHOOK_SECRET.split(","))):
            try:
                event = stripe.Webhook.construct_event(payload, signature, secret)
                break
            except stripe.SignatureVerificationError:
                continue
            except ValueError as exc:
                raise InvalidWebhook(f"unreadable event: {exc}") from None
        if event is None:
            raise InvalidWebhook("signature does not match, or the event is older than 5 minutes")
        obj = event.data.object.to_dict()
        kind = EVENT_KINDS.get(event.type, "other")
        if event.type in REFUND_EVENTS:
            kind = {SUCCEEDED: "refund.succeeded", FAILED: "refund.failed"}.get(obj.get("status"), "other")
        if event.type == "payout.canceled" and not obj.get("failure_message"):
            obj["failure_message"] = "The payout was canceled."
        return WebhookMessage(
            event_id=event.id,
            kind=kind,
            reference=obj.get("id", ""),
            created=_moment(event.created),
            data=_event_data(obj, account=getattr(event, "account", None) or ""),
        )

    @_reached
    def records(self, *, since: datetime.datetime, until: datetime.datetime) -> list[GatewayRecord]:
        """This marketplace's money movements made in [since, until): payments by when they were made
        (their captured amount so far), refunds, transfers, transfer reversals (found through the
        balance, since they may come long after their transfer) and payouts on each provider's account."""
        window = {"created": {"gte": int(since.timestamp()), "lt": int(until.timestamp())}, "limit": 100}
        found = [
            _record(intent, "charge", INTENT_STATUSES, amount=intent["amount_received"])
            for intent in self._ours(self.api.payment_intents, window)
            if intent.get("amount_received")
        ]
        found += [_record(refund, "refund", REFUND_STATUSES) for refund in self._ours(self.api.refunds, window)]
        found += [_record(transfer, "transfer", {}) for transfer in self._ours(self.api.transfers, window)]
        reversals = {**window, "type": "transfer_refund", "expand": ["data.source"]}
        found += [
            _record(entry["source"], "transfer_reversal", {})
            for entry in self._listed(self.api.balance_transactions, reversals)
            if _is_ours(entry["source"])
        ]
        for account in self._ours(self.api.accounts, {"limit": 100}):
            payouts = self._ours(self.api.payouts, window, stripe_account=account["id"])
            found += [_record(payout, "payout", PAYOUT_STATUSES) for payout in payouts]
        return found

    def _listed(self, service: Any, params: dict, **options: str) -> Iterator[dict]:
        for item in service.list(params, options or None).auto_paging_iter():
            yield item.to_dict()

    def _ours(self, service: Any, params: dict, **options: str) -> Iterator[dict]:
        return filter(_is_ours, self._listed(service, params, **options))


def _metadata(key: str) -> dict[str, str]:
    return {"ledger_key": key, "marketplace": connection.schema_name}


def _is_ours(obj: Any) -> bool:
    return isinstance(obj, dict) and (obj.get("metadata") or {}).get("marketplace") == connection.schema_name


def _event_data(obj: dict, *, account: str) -> dict[str, Any]:
    """What a webhook's handler needs beyond the reference: amounts, why it failed, whether the
    provider can be paid out, the provider's account (for Connect events), and whose it is."""
    metadata = obj.get("metadata") or {}
    data = {
        "amount": obj.get("amount"),
        "currency": (obj.get("currency") or "").upper(),
        "payment_intent": obj.get("payment_intent"),
        "payouts_enabled": obj.get("payouts_enabled"),
        "failure_message": _failure(obj),
        "account": account,
        "marketplace": metadata.get("marketplace"),
        "ledger_key": metadata.get("ledger_key"),
    }
    return {name: value for name, value in data.items() if value not in (None, "")}


def _failure(obj: dict) -> str:
    return obj.get("failure_message") or (obj.get("last_payment_error") or {}).get("message") or ""


def _intent_result(intent: dict) -> GatewayResult:
    status = INTENT_STATUSES.get(intent["status"], PENDING)
    message = {DECLINED: _failure(intent) or DECLINED_MESSAGE, REQUIRES_ACTION: CONFIRM_MESSAGE}.get(status, "")
    return GatewayResult(status, intent["id"], message)


def _payee(account: dict, *, onboarding_url: str) -> Payee:
    banks = (account.get("external_accounts") or {}).get("data") or []
    details = ""
    if banks:
        what = "bank account" if banks[0].get("object") == "bank_account" else "card"
        details = f"{what} ending {banks[0].get('last4', '')}"
    return Payee(
        account=account["id"],
        onboarding_url=onboarding_url,
        payouts_enabled=bool(account.get("payouts_enabled")),
        details=details,
    )


def _moment(unix_time: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(unix_time, tz=datetime.UTC)


def _record(obj: dict, kind: str, statuses: dict[str, str], *, amount: int | None = None) -> GatewayRecord:
    return GatewayRecord(
        reference=obj["id"],
        kind=kind,
        amount=obj["amount"] if amount is None else amount,
        currency=obj["currency"].upper(),
        status=statuses.get(obj.get("status", ""), SUCCEEDED),
        created=_moment(obj["created"]),
        key=(obj.get("metadata") or {}).get("ledger_key", ""),
    )
