"""Payment processors behind one interface (`base.PaymentGateway`); `gateway()` returns the configured one."""

from __future__ import annotations

from django.conf import settings

from marketplace.payments.gateways.base import GatewayResult, PaymentGateway

__all__ = ["GatewayResult", "PaymentGateway", "gateway", "gateway_named"]


def gateway_named(name: str) -> PaymentGateway:
    if name == "local":
        from marketplace.payments.gateways.local import LocalGateway

        return LocalGateway()
    if name == "stripe":
        from marketplace.payments.gateways.stripe import StripeGateway

        return StripeGateway()
    raise LookupError(f"unknown payment gateway {name!r}")


def gateway() -> PaymentGateway:
    """The marketplace's payment processor (PAYMENT_GATEWAY: local, the default, or stripe)."""
    return gateway_named(settings.PAYMENT_GATEWAY)
