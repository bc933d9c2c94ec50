"""The category tree for the admin console: every category in tree order with its effective
commission, workflow, booking settings and review criteria, and where each comes from."""

import pytest

from marketplace.catalogue.models import Category
from marketplace.catalogue.selectors import category_tree, listings_active_count
from marketplace.configuration.models import MarketplaceSettings
from marketplace.providers.selectors import providers_active_count
from tenants.context import tenant_context
from tests.payments.conftest import make_booking

pytestmark = pytest.mark.django_db


def test_values_are_inherited_down_the_tree_and_each_names_its_source(tenant_a, django_assert_num_queries):
    with tenant_context(tenant_a):
        # given: the university tree; Mathematics sets a commission, a policy and a timer
        MarketplaceSettings.objects.update(default_commission_bps=1_200)
        maths = Category.objects.get(slug="mathematics")
        calculus = Category.objects.get(slug="calculus")
        Category.objects.filter(pk=maths.pk).update(
            commission_bps=1_500,
            booking_settings={"timers": {"payment_within_minutes": 30}, "cancellation_policy": "strict"},
            review_criteria=[{"key": "clarity", "label": "Clarity"}],
        )
        Category.objects.filter(pk=calculus.pk).update(booking_settings={"timers": {"auto_complete_after_hours": 12}})

        # when
        with django_assert_num_queries(3):
            nodes = category_tree()

    # then
    by_slug = {node.category.slug: node for node in nodes}
    node = by_slug["calculus"]
    assert node.depth == 1 and node.category.name == "Calculus"
    assert (node.commission_bps.value, node.commission_bps.source.slug) == (1_500, "mathematics")
    assert (node.workflow.value, node.workflow.source.slug) == ("instant", "mathematics")
    assert node.timers["payment_within_minutes"].value == 30
    assert node.timers["payment_within_minutes"].source.slug == "mathematics"
    assert node.timers["auto_complete_after_hours"].source.slug == "calculus"
    assert (node.cancellation_policy.value, node.cancellation_policy.source.slug) == ("strict", "mathematics")
    assert node.review_criteria.value == [{"key": "clarity", "label": "Clarity"}]
    # a root that sets nothing: the marketplace's default commission, the flexible policy, no criteria
    languages = by_slug["languages"]
    assert (languages.commission_bps.value, languages.commission_bps.source) == (1_200, None)
    assert (languages.cancellation_policy.value, languages.cancellation_policy.source) == ("flexible", None)
    assert (languages.review_criteria.value, languages.review_criteria.source) == ([], None)
    # tree order: parents before their children; children nested
    slugs = [n.category.slug for n in nodes]
    assert slugs.index("mathematics") < slugs.index("calculus")
    assert [c.category.slug for c in by_slug["mathematics"].children] == ["calculus", "linear-algebra", "statistics"]
    assert by_slug["mathematics"].attributes == 2


def test_each_marketplace_has_its_own_tree(tenant_a, tenant_b):
    with tenant_context(tenant_b):
        beta = {node.category.slug for node in category_tree()}
    with tenant_context(tenant_a):
        alpha = {node.category.slug for node in category_tree()}

    assert "calculus" in alpha and "calculus" not in beta


def test_active_listings_and_providers_are_counted(tenant_a, tenant_b):
    # given: two approved providers with active listings at alpha, one at beta
    make_booking(tenant_a, tag="one")
    make_booking(tenant_a, tag="two")
    make_booking(tenant_b, tag="three")

    with tenant_context(tenant_a):
        assert (listings_active_count(), providers_active_count()) == (2, 2)
