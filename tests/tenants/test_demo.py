import pytest
from django.db import connection

from marketplace.catalogue.models import Listing
from tenants.context import tenant_context
from tenants.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_demo_marketplaces_look_alive_and_seeding_twice_changes_nothing():
    # when
    tenants = seed_demo()
    seed_demo()

    # then
    assert [t.schema_name for t in tenants] == ["uni", "agency", "lawfirm"]
    for tenant in tenants:
        with tenant_context(tenant):
            listings = Listing.objects.filter(status="active")
            assert listings.count() >= 2
            assert all(listing.packages.exists() for listing in listings)
            assert listings.filter(provider__badges__kind="identity_verified").exists()
    connection.set_schema_to_public()
