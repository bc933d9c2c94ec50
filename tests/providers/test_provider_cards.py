"""Provider cards for content pages: approved providers of active accounts only, with their public
listings counted and their cheapest price, in one query (plus the marketplace's settings)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.providers.models import ProviderProfile
from marketplace.providers.selectors import provider_cards
from tenants.context import tenant_context
from tests.factories import UserFactory
from tests.reviews.conftest import make_listing

pytestmark = pytest.mark.django_db


def test_public_providers_with_their_listings_and_prices(tenant_a):
    with tenant_context(tenant_a):
        # given an approved tutor with a listing, one waiting for review, one suspended
        listing = make_listing(email="tess@example.org")
        ProviderProfile.objects.create(user=UserFactory(email="wait@example.org"), headline="Waiting", status="pending")
        gone = make_listing(email="gone@example.org")
        gone.provider.user.set_status("suspended")
        gone.provider.user.save(update_fields=["status", "is_active"])

        # when
        cards = provider_cards()

    # then
    assert [card["id"] for card in cards] == [listing.provider.public_id]
    assert (
        cards[0]["listing_count"] == 1 and cards[0]["price_from"] == 6000 and cards[0]["currency"] == listing.currency
    )
    assert cards[0]["name"] == "Tess Tutor" and cards[0]["headline"] == "Patient tutor"


def test_chosen_providers_keep_the_admins_order(tenant_a):
    with tenant_context(tenant_a):
        first = make_listing(email="one@example.org").provider
        second = make_listing(email="two@example.org").provider

        chosen = provider_cards(chosen=[second.pk, first.pk])
        at_most_one = provider_cards(chosen=[second.pk, first.pk], limit=1)

    assert [card["id"] for card in chosen] == [second.public_id, first.public_id]
    assert [card["id"] for card in at_most_one] == [second.public_id]


def test_queries_do_not_grow_and_other_marketplaces_see_nothing(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        providers = [make_listing(email=f"p{i}@example.org").provider for i in range(5)]
        provider_cards()  # the schema switch itself is not counted
        with CaptureQueriesContext(connection) as queries:
            assert len(provider_cards(limit=5)) == 5
    with tenant_context(tenant_b):
        assert provider_cards(chosen=[p.pk for p in providers]) == [] or all(
            card["id"] not in {p.public_id for p in providers}
            for card in provider_cards(chosen=[p.pk for p in providers])
        )

    assert len(queries) <= 2
