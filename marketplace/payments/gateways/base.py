"""The payment processor interface. Every call carries an idempotency key derived from the ledger
operation it serves, so a retry never charges or refunds twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SUCCEEDED, DECLINED, REQUIRES_ACTION = "succeeded", "declined", "requires_action"


@dataclass(frozen=True)
class GatewayResult:
    status: str  # succeeded | declined | requires_action
    reference: str  # the processor's id for the charge or refund
    message: str = ""  # what to tell the payer when it did not succeed

    @property
    def ok(self) -> bool:
        return self.status == SUCCEEDED


class PaymentGateway(Protocol):
    def charge(self, *, amount: int, currency: str, payment_method: str, key: str) -> GatewayResult:
        """Take `amount` from the payer into the marketplace's account (escrow)."""

    def refund(self, *, charge: str, amount: int, currency: str, key: str) -> GatewayResult:
        """Give back part or all of a charge."""
