import pytest

from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Category, Listing, Package
from marketplace.providers.models import ProviderProfile
from tenants.context import tenant_context
from tests.factories import UserFactory


def make_booking(tenant, *, price=10_000, commission_bps=1000, currency="USD", tag="a"):
    """A booking as the booking engine leaves it, in `tenant` (the ledger only needs its terms)."""
    with tenant_context(tenant):
        user = UserFactory(email=f"pro-{tag}@example.org", is_provider=True)
        provider = ProviderProfile.objects.create(user=user, headline="Pro", status="approved")
        listing = Listing.objects.create(
            provider=provider,
            category=Category.objects.filter(parent__isnull=True).first(),
            title="Paid work",
            description="Work that gets paid for.",
            currency=currency,
            status="active",
        )
        package = Package.objects.create(listing=listing, name="Job", price=price)
        return Booking.objects.create(
            listing=listing,
            package=package,
            package_name="Job",
            provider=provider,
            client=UserFactory(email=f"client-{tag}@example.org"),
            workflow="quote",
            state="accepted",
            price=price,
            currency=currency,
            commission_bps=commission_bps,
        )


@pytest.fixture
def booking_a(tenant_a):
    return make_booking(tenant_a)


@pytest.fixture
def booking_b(tenant_b):
    return make_booking(tenant_b, tag="b")


@pytest.fixture
def tutoring(api_a, tenant_a):
    """An instant-booking tutoring listing at alpha, open 09:00-17:00 London time (see the booking tests)."""
    from tests.bookings.test_booking_api import tutoring_listing

    return tutoring_listing(api_a, tenant_a)
