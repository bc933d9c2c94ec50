"""A provider's public profile: who they are, badges, level, their active listings and reviews."""

import pytest

from marketplace.catalogue.models import Listing
from marketplace.providers.services import portfolio_item_add
from tenants.context import tenant_context
from tests.web.discovery.conftest import make_provider, user

pytestmark = pytest.mark.django_db


def test_profile_shows_the_provider_and_their_active_listings(web, tenant_a, tutoring, statistics):
    # given: one of Tess's listings paused
    with tenant_context(tenant_a):
        paused = Listing.objects.create(
            provider=tutoring.provider,
            category=tutoring.category,
            title="Paused coaching",
            description="Back soon.",
            currency=tutoring.currency,
            status="paused",
        )

    # when
    page = web(tenant_a).get(f"/providers/{tutoring.provider.public_id}/")

    # then
    html = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Tess Tutor</h1>" in html and "Tess teaches with patience" in html
    assert "Ten years of helping students" in html
    assert "Exam technique" in html and "French" in html
    assert "Identity verified" in html and "New" in html
    assert "Calculus exam coaching" in html and paused.title not in html
    assert "Statistics for beginners" not in html  # another provider's


def test_portfolio_items_are_shown(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        portfolio_item_add(
            user=tutoring.provider.user,
            title="Exam results 2025",
            description="Twelve students, all passed.",
            link="https://example.org/results",
        )

    # when
    html = web(tenant_a).get(f"/providers/{tutoring.provider.public_id}/").content.decode()

    # then
    assert "Portfolio" in html and 'href="https://example.org/results"' in html and "all passed" in html


def test_an_unapproved_profile_is_404_except_to_its_owner(web, tenant_a, tutoring):
    # given
    with tenant_context(tenant_a):
        pending = make_provider("pending@example.org", "Penny Pending", status="pending", badge=False)

    # when
    anonymous = web(tenant_a).get(f"/providers/{pending.public_id}/")
    client = web(tenant_a, user(tenant_a, "client@example.org")).get(f"/providers/{pending.public_id}/")
    own = web(tenant_a, pending.user).get(f"/providers/{pending.public_id}/")

    # then
    assert anonymous.status_code == client.status_code == 404
    assert own.status_code == 200 and "This profile is not public yet" in own.content.decode()


def test_a_profile_of_another_marketplace_is_404(web, tenant_b, tutoring):
    assert web(tenant_b).get(f"/providers/{tutoring.provider.public_id}/").status_code == 404
