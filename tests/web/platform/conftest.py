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
