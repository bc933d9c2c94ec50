"""Category cards for content pages: top-level or chosen categories, with their public listings
counted through the whole subtree, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.catalogue.listings import listing_transition
from marketplace.catalogue.models import Category
from marketplace.catalogue.selectors import category_cards
from tenants.context import tenant_context
from tests.reviews.conftest import make_listing

pytestmark = pytest.mark.django_db


def test_top_level_categories_count_public_listings_below_them(tenant_a):
    with tenant_context(tenant_a):
        # given two public calculus listings and a paused one
        make_listing(email="a@example.org", category="calculus")
        make_listing(email="b@example.org", category="calculus")
        paused = make_listing(email="c@example.org", category="calculus")
        listing_transition(user=paused.provider.user, listing=paused, action="pause")

        # when
        cards = category_cards()

    # then
    names = [card["name"] for card in cards]
    assert names == ["Mathematics", "Computer Science", "Languages", "Study Groups"]
    assert cards[0]["listing_count"] == 2 and cards[1]["listing_count"] == 0
    assert cards[0]["children"] == ["Calculus", "Linear Algebra", "Statistics"]


def test_chosen_categories_keep_their_order_and_leave_out_inactive_ones(tenant_a):
    with tenant_context(tenant_a):
        # given
        calculus, spanish, databases = (Category.objects.get(slug=s) for s in ("calculus", "spanish", "databases"))
        Category.objects.filter(pk=databases.pk).update(is_active=False)

        # when
        cards = category_cards(public_ids=[spanish.public_id, databases.public_id, calculus.public_id, "cat_nope"])

    # then
    assert [card["name"] for card in cards] == ["Spanish", "Calculus"]


def test_the_same_queries_for_a_small_and_a_large_tree(tenant_a, tenant_b):
    # given alpha's starter tree and beta's plus forty more categories
    with tenant_context(tenant_b):
        for index in range(40):
            Category.objects.create(name=f"Extra {index}", slug=f"extra-{index}")

    # when
    counts = []
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            category_cards()  # the schema switch itself is not counted
            with CaptureQueriesContext(connection) as queries:
                category_cards(limit=50)
        counts.append(len(queries))

    # then
    assert counts[0] == counts[1] <= 3
