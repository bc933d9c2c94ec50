import pytest

from marketplace.catalogue.models import Listing
from tenants.context import tenant_context
from tests.bookings.test_booking_api import _auth, tutoring_listing
from tests.factories import UserFactory

CLIENT, TUTOR, RIVAL, ADMIN = "client@example.org", "tutor@example.org", "rival@example.org", "admin@alpha.test"


@pytest.fixture
def tutoring(api_a, tenant_a, api_b, tenant_b):
    """An active tutoring listing at alpha by tutor@, with client@ and rival@ as members; beta has a
    client@ of its own, so a conversation leaking between marketplaces fails a test."""
    listing = tutoring_listing(api_a, tenant_a)
    with tenant_context(tenant_a):
        UserFactory(email="moderator@example.org", is_moderator=True)
        assert Listing.objects.get(public_id=listing).status == "active"
    with tenant_context(tenant_b):
        UserFactory(email=CLIENT)
    return listing


@pytest.fixture
def auth():
    """`auth(api, email)`: the Authorization header of a signed-in user (one login per test and user,
    so the login throttle is never hit)."""
    tokens: dict = {}

    def header(api, email):
        key = (api.defaults["HTTP_HOST"], email)
        if key not in tokens:
            tokens[key] = _auth(api, email)
        return tokens[key]

    return header
