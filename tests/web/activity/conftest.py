"""Bookings, conversations and disputes for the activity pages, made through the domain services
(the pages' tests then drive everything else through the pages)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from marketplace.bookings.selectors import listing_free_slots
from marketplace.bookings.services import booking_act, booking_create
from marketplace.catalogue.models import Category, Listing
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _agency_listing, _studio_listing, tutoring_listing
from tests.factories import UserFactory

CARD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def user(tenant, email: str) -> User:
    with tenant_context(tenant):
        return User.objects.get(email=email)


def free_slot(tenant, listing_id: str, index: int = 2, days: int = 10):
    with tenant_context(tenant):
        listing = Listing.objects.get(public_id=listing_id)
        day = (timezone.now() + timedelta(days=days)).date()
        return listing_free_slots(listing, listing.packages.first(), day, day)[index].start


def book(tenant, listing_id: str, email: str = "client@example.org", *, index: int = 2, days: int = 10, **extra):
    """A booking of a free slot (instant or request workflow) by `email`."""
    start = free_slot(tenant, listing_id, index, days)
    with tenant_context(tenant):
        listing = Listing.objects.get(public_id=listing_id)
        return booking_create(
            client=User.objects.get(email=email),
            listing_id=listing_id,
            package=listing.packages.first().name,
            starts_at=start.isoformat(),
            time_zone="Europe/London",
            **extra,
        )


def act(tenant, booking, email: str, action: str, **kwargs):
    with tenant_context(tenant):
        return booking_act(user=User.objects.get(email=email), booking=booking, action=action, **kwargs)


@pytest.fixture
def tutoring(api_a, tenant_a) -> str:
    """An instant-booking listing at alpha by tutor@example.org; client@example.org and
    rival@example.org are members."""
    return tutoring_listing(api_a, tenant_a)


@pytest.fixture
def paid_booking(tenant_a, tutoring):
    """A confirmed (paid) session of `tutoring`, ten days ahead."""
    booking = book(tenant_a, tutoring)
    return act(tenant_a, booking, "client@example.org", "pay", data={"payment_method": CARD})


@pytest.fixture
def request_booking(tenant_a, tutoring):
    """A request to book `tutoring` (its category switched to request to book), card authorised."""
    with tenant_context(tenant_a):
        Category.objects.filter(slug="calculus").update(workflow="request")
    return book(tenant_a, tutoring, payment_method=CARD)


@pytest.fixture
def inquiry(tenant_b):
    """An inquiry (quote workflow) at beta: founder@example.org asks studio@example.org."""
    listing = _studio_listing(tenant_b)
    with tenant_context(tenant_b):
        return booking_create(
            client=User.objects.get(email="founder@example.org"),
            listing_id=listing,
            package="Identity",
            message="A new identity for our bakery chain.",
        )


@pytest.fixture
def project(tenant_b):
    """A milestone project at beta: startup@example.org asks devshop@example.org."""
    listing = _agency_listing(tenant_b)
    with tenant_context(tenant_b):
        return booking_create(
            client=User.objects.get(email="startup@example.org"),
            listing_id=listing,
            package="Project",
            message="We need a booking system for our clinic.",
        )


@pytest.fixture
def stranger(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="stranger@example.org")


@pytest.fixture
def moderator(tenant_a):
    with tenant_context(tenant_a):
        return UserFactory(email="moderator@example.org", is_moderator=True)
