import pytest

from marketplace.configuration.models import MarketplaceSettings
from tenants.context import tenant_context
from tests.payments.conftest import make_booking


def set_tax(tenant, *, rate_bps: int, inclusive: bool = True, label: str = "VAT") -> None:
    with tenant_context(tenant):
        MarketplaceSettings.objects.update(tax_rate_bps=rate_bps, tax_inclusive=inclusive, tax_label=label)


@pytest.fixture
def booking_a(tenant_a):
    """A booking of 120.00 USD at alpha (10% commission), whose marketplace charges 20% VAT."""
    set_tax(tenant_a, rate_bps=2000)
    return make_booking(tenant_a, price=12_000)


@pytest.fixture
def booking_b(tenant_b):
    return make_booking(tenant_b, price=12_000, tag="b")
