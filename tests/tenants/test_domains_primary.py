"""The primary domain: a verified custom domain can become it (and the platform subdomain again);
the subdomain's web pages then move there with a 301, the API, health checks, webhooks and the TLS
permission endpoint keep answering on both; links and the Wagtail site follow."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from marketplace.audit.models import AuditEvent
from tenants.context import tenant_context
from tenants.models import Domain
from tenants.selectors import host_cache, tenant_primary_url
from tenants.services.domains import domain_make_primary
from tests.bookings.test_booking_api import _auth
from tests.tenants.test_domains_verification import added, admin_of

pytestmark = pytest.mark.django_db


def verified(tenant, name: str) -> Domain:
    """A custom domain whose DNS record was found (the verification itself is tested elsewhere)."""
    domain = added(tenant, name)
    Domain.objects.filter(pk=domain.pk).update(verification="verified")
    return Domain.objects.get(pk=domain.pk)


def primary_of(tenant) -> str:
    return Domain.objects.get(tenant=tenant, is_primary=True).domain


def site_host(tenant) -> tuple[str, int]:
    from wagtail.models import Site

    with tenant_context(tenant):
        site = Site.objects.get(is_default_site=True)
        return site.hostname, site.port


def port() -> str:
    return f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""


def make_primary(api, email: str, name: str):
    return api.post(f"/api/v1/marketplace/domains/{name}/primary/", **_auth(api, email))


def test_a_verified_domain_becomes_primary_and_links_and_the_site_follow(api_a, tenant_a, run_on_commit):
    # given
    verified(tenant_a, "market.alpha-uni.edu")

    # when
    with run_on_commit():
        response = make_primary(api_a, "admin@alpha.test", "market.alpha-uni.edu")

    # then
    assert response.status_code == 200
    assert response.json()["is_primary"] is True
    assert primary_of(tenant_a) == "market.alpha-uni.edu"
    assert tenant_primary_url(tenant_a) == f"{settings.PUBLIC_SCHEME}://market.alpha-uni.edu{port()}/"
    assert site_host(tenant_a)[0] == "market.alpha-uni.edu"
    with tenant_context(tenant_a):
        event = AuditEvent.objects.get(action="domain.made_primary")
    assert (event.actor.email, event.before, event.after) == (
        "admin@alpha.test",
        {"primary": "alpha.localhost"},
        {"domain": "market.alpha-uni.edu", "primary": "market.alpha-uni.edu"},
    )


def test_the_platform_subdomain_redirects_web_pages_to_the_primary_domain(tenant_a, run_on_commit):
    # given alpha's primary is its own domain
    verified(tenant_a, "market.alpha-uni.edu")
    with run_on_commit():
        domain_make_primary(actor=admin_of(tenant_a), tenant=tenant_a, domain="market.alpha-uni.edu")
    subdomain = Client(HTTP_HOST="alpha.localhost")

    # when
    page = subdomain.get("/search/?q=calculus&page=2")
    head = subdomain.head("/accounts/login/?next=/manage/")

    # then: moved for good, path and query kept
    assert page.status_code == head.status_code == 301
    assert page["Location"] == f"{settings.PUBLIC_SCHEME}://market.alpha-uni.edu{port()}/search/?q=calculus&page=2"
    assert head["Location"].endswith("market.alpha-uni.edu" + port() + "/accounts/login/?next=/manage/")
    assert page["Cache-Control"] == "no-cache"  # not kept by browsers: the primary may change back
    # and the primary domain serves the marketplace itself
    home = Client(HTTP_HOST="market.alpha-uni.edu").get("/")
    assert home.status_code == 200 and b"Alpha University" in home.content


def test_the_api_health_webhooks_posts_and_tls_permission_answer_on_the_subdomain_too(tenant_a, run_on_commit):
    # given
    verified(tenant_a, "market.alpha-uni.edu")
    with run_on_commit():
        domain_make_primary(actor=admin_of(tenant_a), tenant=tenant_a, domain="market.alpha-uni.edu")
    subdomain = Client(HTTP_HOST="alpha.localhost")

    # when
    api = subdomain.get("/api/v1/marketplace/")
    health = subdomain.get("/healthz")
    tls = subdomain.get("/_tls/permission?domain=alpha.localhost")
    webhook = subdomain.post("/api/v1/payments/webhooks/local/", data=b"{}", content_type="application/json")
    form = subdomain.post("/accounts/login/", {"email": "admin@alpha.test", "password": "wrong"})
    feed = subdomain.get("/calendar/no-such-token.ics")

    # then
    assert api.status_code == 200 and api.json()["slug"] == "alpha"
    assert health.status_code == tls.status_code == 200
    assert webhook.status_code != 301 and form.status_code != 301 and feed.status_code != 301
    assert b"The email or password is not right" in form.content


def test_switching_back_to_the_subdomain_stops_the_redirect(api_a, tenant_a, run_on_commit):
    # given
    verified(tenant_a, "market.alpha-uni.edu")
    with run_on_commit():
        make_primary(api_a, "admin@alpha.test", "market.alpha-uni.edu")
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 301

    # when (asked at the custom domain, which keeps serving)
    custom = Client(HTTP_HOST="market.alpha-uni.edu")
    with tenant_context(tenant_a):
        custom.force_login(admin_of(tenant_a), backend="accounts.backends.EmailBackend")
    with run_on_commit():
        response = custom.post("/api/v1/marketplace/domains/alpha.localhost/primary/")

    # then
    assert response.status_code == 200
    assert primary_of(tenant_a) == "alpha.localhost"
    assert tenant_primary_url(tenant_a) == f"{settings.PUBLIC_SCHEME}://alpha.localhost{port()}/"
    assert site_host(tenant_a)[0] == "alpha.localhost"
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 200


def test_other_processes_see_the_new_primary_once_their_cache_expires(tenant_a):
    # given this process has routed the subdomain (cached: no custom primary)
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 200
    verified(tenant_a, "market.alpha-uni.edu")

    # when another process changes the primary (no forget() here: its commit is elsewhere)
    domain_make_primary(actor=admin_of(tenant_a), tenant=tenant_a, domain="market.alpha-uni.edu")

    # then the cached answer holds until it expires, then the redirect starts
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 200
    host_cache.forget()  # what TENANT_ROUTING_CACHE_SECONDS does
    assert Client(HTTP_HOST="alpha.localhost").get("/").status_code == 301


def test_a_pending_domain_cannot_be_primary(api_a, tenant_a):
    added(tenant_a, "market.alpha-uni.edu")

    response = make_primary(api_a, "admin@alpha.test", "market.alpha-uni.edu")

    assert (response.status_code, response.json()["error"]["code"]) == (409, "domain_not_verified")
    assert primary_of(tenant_a) == "alpha.localhost"


def test_the_primary_domain_cannot_be_removed(api_a, tenant_a):
    verified(tenant_a, "market.alpha-uni.edu")
    make_primary(api_a, "admin@alpha.test", "market.alpha-uni.edu")

    response = api_a.delete("/api/v1/marketplace/domains/market.alpha-uni.edu/", **_auth(api_a, "admin@alpha.test"))

    assert (response.status_code, response.json()["error"]["code"]) == (409, "domain_is_primary")
    assert primary_of(tenant_a) == "market.alpha-uni.edu"


def test_a_marketplace_cannot_make_anothers_domain_primary(api_a, api_b, tenant_a, tenant_b):
    # given beta's verified domain
    verified(tenant_b, "market.beta-agency.com")

    # when alpha's admin names it, or beta's subdomain
    other = make_primary(api_a, "admin@alpha.test", "market.beta-agency.com")
    other_subdomain = make_primary(api_a, "admin@alpha.test", "beta.localhost")

    # then
    assert other.status_code == other_subdomain.status_code == 404
    assert primary_of(tenant_a) == "alpha.localhost"
    assert primary_of(tenant_b) == "beta.localhost"


def test_only_admins_choose_the_primary_domain(api_a, tenant_a):
    from tests.factories import UserFactory

    verified(tenant_a, "market.alpha-uni.edu")
    with tenant_context(tenant_a):
        UserFactory(email="member@example.org")

    response = make_primary(api_a, "member@example.org", "market.alpha-uni.edu")

    assert response.status_code == 403
    assert primary_of(tenant_a) == "alpha.localhost"
