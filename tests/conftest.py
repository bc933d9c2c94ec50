"""Test fixtures. Every test runs against a real PostgreSQL with two marketplaces, `alpha` and
`beta`, so a leak between marketplaces fails a test.

The session creates the test database, the template schema and both marketplaces once (committed);
each test then runs in a transaction that is rolled back, schema changes included.
"""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tenants.context import tenant_context
from tenants.selectors import host_cache

PASSWORD = "Correct-Horse-77"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.conf import settings

    from tenants.services import template_ensure, tenant_provision
    from tenants.services.schema_clone import snapshot_current

    name = settings.DATABASES["default"]["NAME"]
    assert name.startswith("test_"), f"refusing to set up tenants in non-test database {name!r}"
    with django_db_blocker.unblock():
        template_ensure()
        snapshot_current()
        for slug, name, kind in (("alpha", "Alpha University", "university"), ("beta", "Beta Agency", "agency")):
            tenant_provision(name=name, slug=slug, kind=kind, admin_email=f"admin@{slug}.test", admin_password=PASSWORD)
        connection.set_schema_to_public()
    yield
    # Connections opened by other execution contexts (Playwright's greenlet) or killed server
    # processes would keep the test database from being dropped: end them first.
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _clean_tenant_state():
    from django.core.cache import caches

    host_cache.forget()
    for cache in caches.all():
        cache.clear()  # throttling counters and cached values must not leak between tests
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
    host_cache.forget()


@pytest.fixture
def tenant_a(db):
    from tenants.models import Tenant

    return Tenant.objects.get(schema_name="alpha")


@pytest.fixture
def tenant_b(db):
    from tenants.models import Tenant

    return Tenant.objects.get(schema_name="beta")


def host_of(tenant) -> str:
    from django.conf import settings

    return f"{tenant.schema_name}.{settings.PLATFORM_DOMAIN}"


@pytest.fixture
def api_a(tenant_a) -> APIClient:
    return APIClient(HTTP_HOST=host_of(tenant_a))


@pytest.fixture
def api_b(tenant_b) -> APIClient:
    return APIClient(HTTP_HOST=host_of(tenant_b))


@pytest.fixture
def api_platform(db) -> APIClient:
    from django.conf import settings

    return APIClient(HTTP_HOST=settings.PLATFORM_DOMAIN)


@pytest.fixture
def in_tenant():
    return tenant_context


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (emails, tasks) as if the test's transaction had committed."""

    def runner():
        return django_capture_on_commit_callbacks(execute=True)

    return runner


@pytest.fixture(scope="session")
def dns_server():
    """A local authoritative DNS server on 127.0.0.1 (tests/tenants/dnsserver.py), for the session."""
    from tests.tenants.dnsserver import LocalDnsServer

    server = LocalDnsServer().start()
    yield server
    server.stop()


@pytest.fixture
def dns(dns_server, settings):
    """The local DNS server, emptied, with custom-domain verification asking it over the real DNS
    protocol: `dns.records["_mkt-verify.x.example"] = {"TXT": [token]}`, `dns.silent = True`."""
    dns_server.reset()
    settings.DNS_RESOLVER_NAMESERVERS = dns_server.address
    settings.DNS_RESOLVER_TIMEOUT = 1.0
    yield dns_server
    dns_server.reset()


@pytest.fixture
def web():
    """`web(tenant, user=None)`: a Django test client on the marketplace's host for web pages,
    signed in as `user` (a member of that marketplace) when given."""
    from django.test import Client

    def client(tenant, user=None) -> Client:
        browser = Client(HTTP_HOST=host_of(tenant))
        if user is not None:
            with tenant_context(tenant):
                browser.force_login(user, backend="accounts.backends.EmailBackend")
        return browser

    return client
