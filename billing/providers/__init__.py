"""Billing providers: who collects what marketplaces owe the platform (see base.py)."""

from __future__ import annotations

from django.conf import settings

from billing.providers.base import BillingProvider


def provider_named(name: str) -> BillingProvider:
    if name == "local":
        from billing.providers.local import LocalBillingProvider

        return LocalBillingProvider()
    if name == "stripe":
        from billing.providers.stripe import StripeBillingProvider

        return StripeBillingProvider()
    raise LookupError(f"No billing provider {name!r}.")


def default_provider_name() -> str:
    """The provider new marketplaces are billed through (BILLING_PROVIDER: local or stripe)."""
    return settings.BILLING_PROVIDER
