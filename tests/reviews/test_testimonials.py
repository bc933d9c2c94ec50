"""Testimonials for content pages: revealed, visible client reviews with words, of approved
providers, best first, the author by first name and initial."""

import pytest

from marketplace.reviews import selectors
from marketplace.reviews.services import review_moderate, review_submit
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.reviews.conftest import completed_booking, make_listing

pytestmark = pytest.mark.django_db


def _reviewed(listing, email, overall, text, *, reveal=True):
    client = UserFactory(email=email, full_name="Cleo Anne Client")
    booking = completed_booking(listing, client)
    review = review_submit(author=client, booking_id=booking.public_id, overall=overall, text=text)
    if reveal:
        review_submit(author=listing.provider.user, booking_id=booking.public_id, overall=5)
    return review


def test_best_rated_revealed_reviews_with_words(tenant_a):
    with tenant_context(tenant_a):
        # given
        listing = make_listing()
        _reviewed(listing, "a@example.org", 4, "Good session.")
        best = _reviewed(listing, "b@example.org", 5, "Brilliant explanations.")
        _reviewed(listing, "c@example.org", 5, "")  # no words
        _reviewed(listing, "d@example.org", 5, "Still blind.", reveal=False)

        # when
        quotes = selectors.testimonials()

    # then
    assert [q["text"] for q in quotes] == ["Brilliant explanations.", "Good session."]
    assert quotes[0]["id"] == best.public_id and quotes[0]["author"] == "Cleo C."
    assert quotes[0]["provider"] == listing.provider.public_id and quotes[0]["provider_name"] == "Tess Tutor"


def test_hidden_and_unchosen_reviews_are_left_out(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        # given
        listing = make_listing()
        hidden = _reviewed(listing, "a@example.org", 5, "Rude words.")
        kept = _reviewed(listing, "b@example.org", 4, "Helpful.")
        moderator = UserFactory(email="mod@example.org", is_moderator=True)
        review_moderate(actor=moderator, review_id=hidden.public_id, action="hide", reason="abusive")

        # when
        chosen = selectors.testimonials(chosen=[hidden.pk, kept.pk])

    # then
    assert [q["text"] for q in chosen] == ["Helpful."]
    with tenant_context(tenant_b):
        assert selectors.testimonials(chosen=[kept.pk]) == []  # beta has no reviews
