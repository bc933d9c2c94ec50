"""Live marketplace data for content pages: public listings of approved tutors, each with a completed
booking and a revealed client review (made through the review services)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from marketplace.reviews.services import review_submit
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.reviews.conftest import completed_booking, make_listing


def tutoring_market(tenant, count: int, *, prefix: str = "Calculus coaching") -> SimpleNamespace:
    """`count` public calculus listings in `tenant`, each by its own tutor, booked, completed and
    reviewed by a client (five or four stars, alternately) and reviewed back, so the reviews are
    revealed."""
    listings, reviews = [], []
    with tenant_context(tenant):
        for index in range(count):
            listing = make_listing(email=f"tutor{index}@{prefix[:4].lower()}.example.org", title=f"{prefix} {index}")
            tutor = listing.provider.user
            tutor.full_name = f"Tutor Number{index}"
            tutor.save(update_fields=["full_name"])
            client = UserFactory(
                email=f"student{index}@{prefix[:4].lower()}.example.org", full_name=f"Sam Student{index}"
            )
            booking = completed_booking(listing, client)
            review = review_submit(
                author=client,
                booking_id=booking.public_id,
                overall=5 - index % 2,
                text=f"Review {index}: explained limits until they finally made sense.",
            )
            review_submit(author=tutor, booking_id=booking.public_id, overall=5)
            listings.append(listing)
            reviews.append(review)
    return SimpleNamespace(listings=listings, reviews=reviews)


@pytest.fixture
def market_a(tenant_a):
    return tutoring_market(tenant_a, 3)
