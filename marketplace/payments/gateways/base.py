"""The payment processor interface. Every call carries an idempotency key derived from the ledger
operation it serves, so a retry never charges, refunds or pays out twice. The processor's own memory
of keys is short (Stripe forgets them after about 24 hours); the lasting guarantee is ours: each
ledger operation is recorded once under its key, and its processor call is made under a key derived
from it.

Money that is collected waits in the marketplace's own processor account (that is the escrow); a
release moves the provider's share to the provider's payee account (`transfer`), from which
`payout` sends it to their bank."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

SUCCEEDED, DECLINED, REQUIRES_ACTION = "succeeded", "declined", "requires_action"
AUTHORIZED, PENDING, FAILED = "authorized", "pending", "failed"
# Payout statuses: in_transit (sent, not arrived), paid (arrived), failed (came back).
IN_TRANSIT, PAID = "in_transit", "paid"


class GatewayError(Exception):
    """The processor could not be reached or answered with an error that is not the payer's fault
    (a timeout, a 5xx): the operation may be retried with the same key."""


class InvalidWebhook(Exception):
    """A webhook whose signature does not verify, or that cannot be read."""


@dataclass(frozen=True)
class GatewayResult:
    status: str  # succeeded | authorized | declined | requires_action | pending | in_transit | paid | failed
    reference: str  # the processor's id for the charge, refund, transfer or payout
    message: str = ""  # what to tell the payer when it did not succeed

    @property
    def ok(self) -> bool:
        return self.status in (SUCCEEDED, AUTHORIZED, IN_TRANSIT, PAID, PENDING)


@dataclass(frozen=True)
class Payee:
    """A provider's account at the processor, money is transferred to and paid out from."""

    account: str  # e.g. acct_... at Stripe
    onboarding_url: str  # where the provider finishes onboarding (empty when there is nothing to do)
    payouts_enabled: bool
    details: str = ""  # what to show: e.g. "bank account ending 6789"


@dataclass(frozen=True)
class WebhookMessage:
    """One event from the processor, in our words. `kind` is one of:
    payment.succeeded, payment.failed, refund.succeeded, refund.failed, payout.paid, payout.failed,
    payee.updated, or other (stored, nothing to do)."""

    event_id: str
    kind: str
    reference: str  # the object the event is about (payment, refund, payout or account id)
    created: datetime.datetime
    data: dict[str, Any] = field(default_factory=dict)  # e.g. failure message, payouts_enabled, amount


@dataclass(frozen=True)
class GatewayRecord:
    """One money movement as the processor records it, for reconciliation with the ledger."""

    reference: str
    kind: str  # charge | refund | transfer | transfer_reversal | payout
    amount: int  # minor units, positive
    currency: str
    status: str
    created: datetime.datetime
    key: str = ""  # the idempotency key it was made under, when the processor keeps it (metadata)


class PaymentGateway(Protocol):
    name: str
    # How long an authorisation (a hold without capture) stays good at this processor. Card
    # authorisations lapse after about 7 days; we never rely on one for longer than this.
    authorization_window: datetime.timedelta
    # How long money taken from a payer may wait before it is paid out to the provider (Stripe pays
    # a connected account's funds out within 90 days); milestone projects must release within it.
    release_window: datetime.timedelta

    def authorize(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        """Hold `amount` on the payer's card without taking it (capture or void later)."""

    def charge(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        """Take `amount` from the payer into the marketplace's account (escrow)."""

    def capture(self, *, reference: str, amount: int, currency: str, key: str) -> GatewayResult:
        """Take (part of) an authorised amount."""

    def void(self, *, reference: str, key: str) -> GatewayResult:
        """Let an authorisation go: nothing is taken."""

    def refund(self, *, charge: str, amount: int, currency: str, key: str) -> GatewayResult:
        """Give back part or all of a charge."""

    def onboard_payee(self, *, email: str, country: str, key: str, return_url: str) -> Payee:
        """Create (or find, by key) the provider's payee account and say how to finish onboarding."""

    def payee_status(self, *, account: str, return_url: str = "") -> Payee:
        """The payee account as the processor sees it now; with `return_url`, a fresh onboarding link
        while onboarding is unfinished (links expire within minutes)."""

    def transfer(self, *, payee: str, amount: int, currency: str, key: str, group: str) -> GatewayResult:
        """Move a released share from the marketplace's account to the provider's payee account."""

    def reverse_transfer(self, *, transfer: str, amount: int, key: str) -> GatewayResult:
        """Take (part of) a transfer back from the payee account (a refund after release)."""

    def payout(self, *, payee: str, amount: int, currency: str, key: str) -> GatewayResult:
        """Send money from the payee account to the provider's bank; the outcome arrives by webhook."""

    def parse_webhook(self, *, payload: bytes, headers: dict[str, str]) -> WebhookMessage:
        """Verify the signature and read the event; raises InvalidWebhook."""

    def records(self, *, since: datetime.datetime, until: datetime.datetime) -> list[GatewayRecord]:
        """Every money movement the processor made in [since, until), for reconciliation."""
