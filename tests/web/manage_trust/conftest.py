"""Alpha's admin and a moderator on the admin console's trust pages, with private files kept under the
test's own folder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import User
from marketplace.bookings.models import Booking
from tenants.context import tenant_context
from tests.factories import UserFactory

ADMIN, MODERATOR = "admin@alpha.test", "moderator@alpha.test"
CLIENT, TUTOR = "client@example.org", "tutor@example.org"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT = tmp_path / "media", tmp_path / "private"


def person(tenant, email: str) -> User:
    with tenant_context(tenant):
        return User.objects.get(email=email)


@pytest.fixture
def admin(tenant_a, web):
    """A client signed in as alpha's admin."""
    return web(tenant_a, person(tenant_a, ADMIN))


@pytest.fixture
def moderator(tenant_a, web):
    """A client signed in as a moderator of alpha."""
    with tenant_context(tenant_a):
        user = UserFactory(email=MODERATOR, full_name="Mo Moderator", is_moderator=True)
    return web(tenant_a, user)


@pytest.fixture
def paid(api_a, tenant_a):
    """A paid tutoring session at alpha (6,000 USD minor units in escrow) that ended an hour ago."""
    from tests.bookings.test_booking_api import _act, _book, _day, _slots, tutoring_listing

    listing = tutoring_listing(api_a, tenant_a)
    booking = _book(api_a, listing, _slots(api_a, listing, _day())[0]["starts_at"]).json()["id"]
    _act(api_a, booking, "pay", CLIENT)
    with tenant_context(tenant_a):
        start = datetime.now(UTC) - timedelta(hours=2)
        Booking.objects.filter(public_id=booking).update(starts_at=start, ends_at=start + timedelta(hours=1))
    return booking


@pytest.fixture
def escalated(tenant_a, paid):
    """A dispute about the paid session, opened by the client and escalated to the mediators."""
    from marketplace.disputes.services import dispute_escalate, dispute_open

    with tenant_context(tenant_a):
        client = User.objects.get(email=CLIENT)
        dispute = dispute_open(
            user=client,
            booking_id=paid,
            reason="quality",
            desired_outcome="full_refund",
            description="The tutor did not cover the topics we agreed on.",
        )
        dispute_escalate(user=User.objects.get(email=TUTOR), dispute=dispute, text="We cannot agree.")
        return dispute.public_id
