import pytest


@pytest.fixture
def tutoring(api_a, tenant_a):
    """An instant-booking tutoring listing at alpha, open 09:00-17:00 London time (see the booking tests)."""
    from tests.bookings.test_booking_api import tutoring_listing

    return tutoring_listing(api_a, tenant_a)


@pytest.fixture
def demo(settings):
    """The demo marketplaces (uni, agency, lawfirm)."""
    from django.db import connection

    from tenants.demo import seed_demo

    settings.ALLOWED_HOSTS = ["*"]
    seed_demo()
    yield
    connection.set_schema_to_public()
