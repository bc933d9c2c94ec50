"""People and money for the admin console's operations pages."""

from __future__ import annotations

import pytest

from accounts.models import User
from tenants.context import tenant_context
from tests.factories import UserFactory


@pytest.fixture
def admin_a(tenant_a):
    with tenant_context(tenant_a):
        return User.objects.get(email="admin@alpha.test")


@pytest.fixture
def admin_b(tenant_b):
    with tenant_context(tenant_b):
        return User.objects.get(email="admin@beta.test")


@pytest.fixture
def moderator_a(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="moderator@alpha.test", full_name="Mo Derator", is_moderator=True)


@pytest.fixture
def admin_page(web, tenant_a, admin_a):
    """The admin of alpha, signed in."""
    return web(tenant_a, admin_a)


def released_booking(tenant, *, tag: str, price: int, commission_bps: int = 1_000):
    """A booking paid into escrow and released (commission and the platform's fee split out)."""
    from marketplace.payments.escrow import escrow_capture, escrow_release
    from tests.payments.conftest import make_booking

    booking = make_booking(tenant, price=price, commission_bps=commission_bps, tag=tag)
    with tenant_context(tenant):
        escrow_capture(booking=booking, amount=price, key=f"capture-{tag}")
        escrow_release(booking=booking, amount=price, key=f"release-{tag}")
    return booking
