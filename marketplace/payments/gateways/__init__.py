"""Payment processors behind one interface (`base.PaymentGateway`); `gateway()` returns the configured one."""

from __future__ import annotations

from django.conf import settings

from marketplace.payments.gateways.base import GatewayResult, PaymentGateway

__all__ = ["GatewayResult", "PaymentGateway", "gateway"]


def gateway() -> PaymentGateway:
    from marketplace.payments.gateways.local import LocalGateway

    if settings.PAYMENT_GATEWAY != "local":
        raise NotImplementedError(f"payment gateway {settings.PAYMENT_GATEWAY!r} is not available in this build")
    return LocalGateway()
