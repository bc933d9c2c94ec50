"""Listing cards for content pages: the best rated, the newest, or chosen ones (in the admin's order),
only while public, in three queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.catalogue.listings import listing_transition
from marketplace.catalogue.models import Listing
from marketplace.search.selectors import featured_listing_cards
from tenants.context import tenant_context
from tests.reviews.conftest import make_listing

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(tenant_a):
    with tenant_context(tenant_a):
        listings = [make_listing(email=f"t{i}@example.org", title=f"Listing {i}") for i in range(3)]
        Listing.objects.filter(pk=listings[0].pk).update(rating_score="0.900", review_count=4)
        Listing.objects.filter(pk=listings[2].pk).update(rating_score="0.700", review_count=9)
    return listings


def test_top_rated_newest_and_chosen(tenant_a, three):
    with tenant_context(tenant_a):
        top = [card["title"] for card in featured_listing_cards(order="top_rated")]
        newest = [card["title"] for card in featured_listing_cards(order="newest", limit=2)]
        chosen = [card["title"] for card in featured_listing_cards(chosen=[three[1].pk, three[0].pk])]

    assert top == ["Listing 0", "Listing 2", "Listing 1"]
    assert newest == ["Listing 2", "Listing 1"]
    assert chosen == ["Listing 1", "Listing 0"]


def test_listings_that_are_not_public_are_left_out(tenant_a, three):
    with tenant_context(tenant_a):
        # given
        listing_transition(user=three[0].provider.user, listing=three[0], action="pause")

        # when
        top = featured_listing_cards()
        chosen = featured_listing_cards(chosen=[three[0].pk, three[1].pk])

    # then
    assert "Listing 0" not in [card["title"] for card in top]
    assert [card["title"] for card in chosen] == ["Listing 1"]


def test_three_queries_and_nothing_from_the_other_marketplace(tenant_a, tenant_b, three):
    with tenant_context(tenant_b):
        at_beta = featured_listing_cards(chosen=[listing.pk for listing in three])
    with tenant_context(tenant_a):
        featured_listing_cards()  # the schema switch itself is not counted
        with CaptureQueriesContext(connection) as queries:
            assert len(featured_listing_cards(limit=12)) == 3

    assert at_beta == []  # beta has no listings
    assert len(queries) == 4  # the marketplace's settings, the ids, the cards, their images
