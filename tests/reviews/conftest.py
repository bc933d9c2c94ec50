"""A marketplace with a tutor's listing, clients, a moderator and completed bookings made directly
(the booking engine's own flows are covered in tests/bookings; `test_demo_flows.py` here drives real
bookings to completion)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from marketplace.bookings.models import Booking, BookingEvent
from marketplace.catalogue.listings import listing_create, listing_transition
from marketplace.catalogue.models import Category, Listing
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import PASSWORD, UserFactory

PROVIDER = "tutor@example.org"
CLIENT = "client@example.org"
OTHER = "other@example.org"
MODERATOR = "moderator@example.org"


def auth(api, email: str) -> dict:
    response = api.post("/api/v1/auth/login/", {"email": email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Token {response.json()['token']}"}


def make_listing(*, email: str = PROVIDER, category: str = "calculus", title: str = "One-to-one sessions") -> Listing:
    """An active listing of an approved provider (made in the current schema)."""
    user = UserFactory(email=email, is_provider=True, full_name="Tess Tutor")
    ProviderProfile.objects.create(user=user, headline="Patient tutor", status="approved")
    attributes = {"level": "Advanced", "format": "Online"} if category == "calculus" else {}
    listing = listing_create(
        user=user,
        category=Category.objects.get(slug=category).public_id,
        title=title,
        description="Sessions planned around your course and your questions.",
        attributes=attributes,
        packages=[{"name": "Hour", "price": 6000, "duration_minutes": 60}],
    )
    return listing_transition(user=user, listing=listing, action="submit")


def completed_booking(listing: Listing, client, *, price: int = 6000, minutes: int = 60, completed_at=None) -> Booking:
    """A booking of `listing` by `client`, completed (by the timer) at `completed_at` (default now)."""
    starts_at = timezone.now() - timedelta(days=1)
    booking = Booking.objects.create(
        listing=listing,
        package_name="Hour",
        provider=listing.provider,
        client=client,
        workflow="instant",
        state="completed",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        price=price,
        currency=listing.currency,
        commission_bps=1000,
    )
    event = BookingEvent.objects.create(
        booking=booking, role="system", action="auto_complete", from_state="confirmed", to_state="completed"
    )
    if completed_at is not None:
        BookingEvent.objects.filter(pk=event.pk).update(at=completed_at)
    return booking


@pytest.fixture
def market(tenant_a):
    """Alpha with a tutor's calculus listing, a client with a completed booking of it, another
    member and a moderator."""
    with tenant_context(tenant_a):
        listing = make_listing()
        client = UserFactory(email=CLIENT, full_name="Cleo Client")
        UserFactory(email=OTHER, full_name="Otto Other")
        UserFactory(email=MODERATOR, is_moderator=True)
        booking = completed_booking(listing, client)
    return SimpleNamespace(
        tenant=tenant_a, listing=listing.public_id, provider=listing.provider.public_id, booking=booking.public_id
    )
