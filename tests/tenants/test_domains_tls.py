"""The TLS permission endpoint Caddy asks before issuing a certificate on demand:
`GET /_tls/permission?domain=<host>`, answered on any host, from the host cache."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.models import Domain
from tenants.selectors import host_cache
from tenants.services import tenant_close, tenant_suspend
from tests.tenants.test_domains_verification import added

pytestmark = pytest.mark.django_db


def ask(domain: str | None, *, host: str = "10.0.0.7"):
    query = "" if domain is None else f"?domain={domain}"
    return Client(HTTP_HOST=host).get(f"/_tls/permission{query}")


def verified(tenant, name: str) -> None:
    Domain.objects.filter(pk=added(tenant, name).pk).update(verification="verified")


@pytest.mark.parametrize(
    "host", ["localhost", "www.localhost", "alpha.localhost", "beta.localhost", "ALPHA.localhost."]
)
def test_the_platform_and_marketplace_subdomains_may_have_certificates(tenant_a, tenant_b, host):
    response = ask(host)

    assert response.status_code == 200
    assert response.json() == {"domain": host.lower().rstrip("."), "allowed": True}


def test_a_verified_custom_domain_may_have_a_certificate_and_a_pending_one_may_not(tenant_a):
    verified(tenant_a, "market.alpha-uni.edu")
    added(tenant_a, "pending.alpha-uni.edu")

    assert ask("market.alpha-uni.edu").status_code == 200
    pending = ask("pending.alpha-uni.edu")
    assert pending.status_code == 404 and pending.json()["allowed"] is False


@pytest.mark.parametrize("host", ["nowhere.localhost", "example.com", "template.localhost", "alpha.localhost.evil.io"])
def test_unknown_hosts_may_not(db, host):
    assert ask(host).status_code == 404


def test_suspended_and_closed_marketplaces_may_not(tenant_a, tenant_b):
    # given alpha suspended with a verified domain, beta closed
    verified(tenant_a, "market.alpha-uni.edu")
    tenant_suspend(actor=None, tenant=tenant_a, reason="unpaid")
    tenant_close(actor=None, tenant=tenant_b, reason="done")
    host_cache.forget()

    # then
    assert ask("alpha.localhost").status_code == 404
    assert ask("market.alpha-uni.edu").status_code == 404
    assert ask("beta.localhost").status_code == 404
    assert ask("localhost").status_code == 200


@pytest.mark.parametrize(
    "query", [None, "", "bad host!", "-x-.example.com", "a" * 254, "x..example.com", "_template.localhost"]
)
def test_a_missing_or_bad_name_is_400(db, query):
    response = ask(query)

    assert response.status_code == 400


def test_it_answers_on_any_host_without_sessions_or_cookies(tenant_a):
    at_marketplace = ask("alpha.localhost", host="alpha.localhost")
    at_unknown = ask("alpha.localhost", host="no-such.example.org")
    posted = Client(HTTP_HOST="alpha.localhost").post("/_tls/permission?domain=alpha.localhost")

    assert at_marketplace.status_code == at_unknown.status_code == 200
    assert not at_marketplace.cookies and "Vary" not in at_marketplace
    assert posted.status_code == 405


def test_one_query_on_a_miss_and_none_on_a_hit(tenant_a):
    # given
    verified(tenant_a, "market.alpha-uni.edu")
    host_cache.forget()

    # when
    with CaptureQueriesContext(connection) as miss:
        first = ask("market.alpha-uni.edu")
        unknown = ask("unknown.example.org")
    with CaptureQueriesContext(connection) as hit:
        again = ask("market.alpha-uni.edu")
        unknown_again = ask("unknown.example.org")

    # then
    assert first.status_code == again.status_code == 200
    assert unknown.status_code == unknown_again.status_code == 404
    statements = [q["sql"] for q in miss.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(statements) == 2  # one per host
    assert len(hit.captured_queries) == 0
