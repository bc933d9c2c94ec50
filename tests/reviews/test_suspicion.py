"""Suspicious reviews are flagged with the reason, for moderators, and never hidden or deleted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from marketplace.bookings.models import BookingEvent, MoneyIntent
from marketplace.catalogue.models import Listing
from marketplace.providers.models import ProviderProfile
from marketplace.reviews.models import Review, ReviewFlag
from marketplace.reviews.services import review_submit
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.reviews.conftest import CLIENT, PROVIDER, auth, completed_booking, make_listing

pytestmark = pytest.mark.django_db


def _flags() -> list[tuple[str, str]]:
    return list(ReviewFlag.objects.order_by("id").values_list("kind", "review__author__email"))


def _old_account(email: str) -> User:
    user = UserFactory(email=email)
    User.objects.filter(pk=user.pk).update(created_at=timezone.now() - timedelta(days=365))
    user.refresh_from_db()
    return user


def test_free_and_refunded_bookings_are_flagged_with_the_reason(api_a, tenant_a, market):
    with tenant_context(tenant_a):
        listing = Listing.objects.get(public_id=market.listing)
        User.objects.filter(email=CLIENT).update(created_at=timezone.now() - timedelta(days=365))
        client = User.objects.get(email=CLIENT)
        free = completed_booking(listing, client, price=0)
        refunded = completed_booking(listing, client)
        MoneyIntent.objects.create(
            booking=refunded,
            event=BookingEvent.objects.filter(booking=refunded).first(),
            kind="refund",
            amount=2500,
            currency="USD",
            idempotency_key=f"test:{refunded.public_id}:refund",
        )

        review_submit(author=client, booking_id=free.public_id, overall=5)
        review_submit(author=client, booking_id=refunded.public_id, overall=5)
        review_submit(author=client, booking_id=market.booking, overall=5)  # an ordinary one

        reasons = dict(ReviewFlag.objects.values_list("kind", "reason"))
        assert reasons == {"zero_value": "The booking was free.", "refunded": "25.00 USD of the booking was refunded."}
        assert Review.objects.count() == 3 and not Review.objects.exclude(status="visible").exists()

    flagged = api_a.get("/api/v1/reviews/flagged/", **auth(api_a, "admin@alpha.test")).json()
    assert sorted(f["kind"] for r in flagged["results"] for f in r["flags"]) == ["refunded", "zero_value"]


def test_many_short_bookings_both_ways_are_flagged(tenant_a):
    with tenant_context(tenant_a):
        # given two members who are each other's provider and client, trading 15-minute sessions
        alice_listing = make_listing(email="alice@example.org", title="Alice's sessions")
        bob_listing = make_listing(email="bob@example.org", title="Bob's sessions")
        alice, bob = alice_listing.provider.user, bob_listing.provider.user
        User.objects.filter(pk__in=[alice.pk, bob.pk]).update(created_at=timezone.now() - timedelta(days=365))
        alice.refresh_from_db()
        bookings = [completed_booking(bob_listing, alice, minutes=15) for _ in range(2)]
        completed_booking(alice_listing, bob, minutes=15)

        # when one reviews the other
        review_submit(author=alice, booking_id=bookings[0].public_id, overall=5)

        # then the review is flagged with why
        flag = ReviewFlag.objects.get()
        assert flag.kind == "reciprocal_bookings"
        assert flag.reason == (
            "The two have booked each other both ways, with 3 sessions of at most 30 minutes in the last 90 days."
        )


def test_long_sessions_one_way_are_not_flagged(tenant_a):
    with tenant_context(tenant_a):
        listing = make_listing(email="pro@example.org")
        client = _old_account("regular@example.org")
        bookings = [completed_booking(listing, client) for _ in range(4)]

        review_submit(author=client, booking_id=bookings[0].public_id, overall=5)

        assert ReviewFlag.objects.count() == 0


def test_a_burst_of_reviews_from_new_accounts_flags_each_of_them(tenant_a, market):
    with tenant_context(tenant_a):
        listing = Listing.objects.get(public_id=market.listing)
        # given an established client's review, then new accounts reviewing the same tutor
        loyal = _old_account("loyal@example.org")
        review_submit(author=loyal, booking_id=completed_booking(listing, loyal).public_id, overall=4)
        newcomers = [UserFactory(email=f"new{n}@example.org") for n in range(3)]
        for newcomer in newcomers[:2]:
            review_submit(author=newcomer, booking_id=completed_booking(listing, newcomer).public_id, overall=5)
        assert ReviewFlag.objects.count() == 0  # two is not a burst

        # when the third arrives within the day
        review_submit(author=newcomers[2], booking_id=completed_booking(listing, newcomers[2]).public_id, overall=5)

        # then all three new accounts' reviews are flagged, the established client's is not
        assert sorted(email for _, email in _flags()) == ["new0@example.org", "new1@example.org", "new2@example.org"]
        assert {kind for kind, _ in _flags()} == {"new_account_burst"}
        assert ProviderProfile.objects.get(user__email=PROVIDER).review_count == 0  # flags change no rating
