"""Fixtures for the platform host's pages: platform staff, an operator, and clients on the platform
host and on a marketplace's host."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD


@pytest.fixture
def platform():
    """`platform(user=None)`: a Django test client on the platform host, signed in as `user` (a
    platform account) when given."""

    def client(user=None) -> Client:
        browser = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
        if user is not None:
            browser.force_login(user, backend="accounts.backends.EmailBackend")
        return browser

    return client


@pytest.fixture
def staff(db):
    return User.objects.create_user("staff@platform.test", PASSWORD, full_name="Sam Staff", is_staff=True)


@pytest.fixture
def operator(db):
    return User.objects.create_user("operator@platform.test", PASSWORD, full_name="Olga Operator", is_operator=True)


@pytest.fixture(autouse=True)
def _no_earlier_signups_links_or_sessions(db):
    """Each test starts from a platform without sign-ups, one-time links or support sessions: the
    browser tests commit theirs, so they are removed inside this test's own transaction (and come
    back when it rolls back)."""
    from tenants.models import MarketplaceSignup, SignInLink, SupportSession

    SupportSession.objects.all().delete()
    SignInLink.objects.all().delete()
    MarketplaceSignup.objects.all().delete()
